import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// User management for administrators and officers: only users in their division, only roles
/// up to their own.
struct UserAdminPages: Sendable {
    let users: UserRepository
    let sessions: SessionRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/admin/users", .ownDivision(.manageUsers), use: list)
        routes.add(.get, "/admin/users/new", .ownDivision(.manageUsers), use: new)
        routes.add(.post, "/admin/users", .ownDivision(.manageUsers), use: create)
        routes.add(.get, "/admin/users/:id/edit", .ownDivision(.manageUsers), use: edit)
        routes.add(.post, "/admin/users/:id", .ownDivision(.manageUsers), use: update)
        routes.add(.post, "/admin/users/:id/signout-everywhere", .ownDivision(.manageUsers), use: signOutEverywhere)
    }

    struct Row: Encodable {
        let username: String
        let displayName: String
        let role: String
        let division: String
        let divisionCode: String?
        let unit: String
        let active: Bool
        let editHref: String
    }

    struct ListBody: Encodable { let rows: [Row]; let saved: Bool }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let accounts = try await users.list(in: context.identity!.division)
        let names = try await divisions.names(accounts.compactMap(\.division))
        let rows = accounts.map {
            Row(username: $0.username, displayName: $0.displayName, role: $0.role.title.text(language),
                division: $0.division.map { names[$0] ?? $0.rawValue } ?? Strings.text("everywhere", language),
                divisionCode: $0.division?.rawValue, unit: $0.unit, active: $0.active, editHref: "/admin/users/\($0.id)/edit")
        }
        return try renderer.page("users", title: Strings.text("nav_users", language),
                                 crumbs: [Crumb(name: Strings.text("nav_users", language), href: nil)],
                                 body: ListBody(rows: rows, saved: request.uri.queryParameters["saved"] != nil),
                                 request: request, context: context)
    }

    /// The form as posted.
    struct Input: Codable {
        var version: Int?
        var username: String
        var displayName: String
        var phone: String?
        var unit: String?
        var role: String
        var division: String?
        var active: String?
        var password: String?
    }

    typealias Option = FormModel.Option
    struct FormBody: Encodable {
        let heading: String
        let action: String
        let isNew: Bool
        let input: Input
        let roles: [Option]
        let errors: [String: String]
        let hasErrors: Bool
        let signOutAction: String?
        let active: Bool
    }

    @Sendable func new(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = context.identity!
        let input = Input(version: nil, username: "", displayName: "", phone: "", unit: "", role: Role.villageCadre.rawValue,
                          division: identity.division?.rawValue ?? "", active: "on", password: "")
        return try form(input, userID: nil, errors: [], request: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decode(as: Input.self, context: context)
        var issues: [FieldIssue] = []
        let draft = draft(input, context: context, issues: &issues)
        for problem in PasswordRules.problems(input.password ?? "", username: input.username) {
            issues.append(FieldIssue(field: "password", message: problem))
        }
        guard issues.isEmpty, let draft else {
            return try form(input, userID: nil, errors: issues, request: request, context: context, status: .badRequest)
        }
        do {
            let hash = try await Secrets.hashPassword(input.password ?? "", cost: settings.bcryptCost)
            _ = try await users.create(draft, passwordHash: hash, by: context.actor)
        } catch let failure as ValidationFailure {
            return try form(input, userID: nil, errors: failure.issues, request: request, context: context, status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/users?saved=1"])
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await managedAccount(context)
        let input = Input(version: account.version, username: account.username, displayName: account.displayName,
                          phone: account.phone, unit: account.unit, role: account.role.rawValue,
                          division: account.division?.rawValue ?? "", active: account.active ? "on" : nil, password: "")
        return try form(input, userID: account.id, errors: [], request: request, context: context)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await managedAccount(context)
        let input = try await request.decode(as: Input.self, context: context)
        var issues: [FieldIssue] = []
        let draft = draft(input, context: context, issues: &issues)
        let password = input.password ?? ""
        if !password.isEmpty {
            for problem in PasswordRules.problems(password, username: input.username) {
                issues.append(FieldIssue(field: "password", message: problem))
            }
        }
        guard issues.isEmpty, let draft else {
            return try form(input, userID: account.id, errors: issues, request: request, context: context, status: .badRequest)
        }
        do {
            _ = try await users.update(account.id, to: draft, expectedVersion: input.version ?? -1, by: context.actor)
            if !password.isEmpty {
                try await users.setPassword(account.id, hash: try await Secrets.hashPassword(password, cost: settings.bcryptCost), by: context.actor)
            }
        } catch let failure as ValidationFailure {
            return try form(input, userID: account.id, errors: failure.issues, request: request, context: context, status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/users?saved=1"])
    }

    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await managedAccount(context)
        try await sessions.endAll(userID: account.id, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/admin/users?saved=1"])
    }

    // MARK: Shared

    /// The user named by `:id` if the manager may manage them; otherwise 404, so that users
    /// outside one's division cannot even be found.
    private func managedAccount(_ context: AppRequestContext) async throws -> UserAccount {
        let identity = context.identity!
        guard let id = context.parameters.get("id", as: Int.self), let account = try await users.find(id),
              Self.manages(identity, account.division, account.role) else {
            throw AppError.notFound(LocalizedText(zh: "找不到该用户", en: "No such user"))
        }
        return account
    }

    /// A manager manages a user in their division whose role they could assign.
    static func manages(_ identity: Identity, _ division: DivisionCode?, _ role: Role) -> Bool {
        let inside = identity.division == nil || division.map(identity.covers) == true
        return inside && AccessPolicy.assignableRoles(by: identity.role).contains(role)
    }

    private func draft(_ input: Input, context: AppRequestContext, issues: inout [FieldIssue]) -> UserDraft? {
        let identity = context.identity!
        guard let role = Role(rawValue: input.role), AccessPolicy.assignableRoles(by: identity.role).contains(role) else {
            issues.append(FieldIssue(field: "role", message: LocalizedText(zh: "不能分配这个角色", en: "You cannot give this role")))
            return nil
        }
        var division: DivisionCode?
        let text = (input.division ?? "").trimmingCharacters(in: .whitespaces)
        if !text.isEmpty {
            do {
                division = try DivisionCode(validating: text)
            } catch {
                issues.append(FieldIssue(field: "division", message: error.issues[0].message))
                return nil
            }
        }
        guard Self.manages(identity, division, role) else {
            issues.append(FieldIssue(field: "division", message: LocalizedText(
                zh: "只能管理本区划及下级的用户", en: "You can only manage users in your own division or below")))
            return nil
        }
        let draft = UserDraft(
            username: input.username.trimmingCharacters(in: .whitespaces), displayName: input.displayName,
            phone: input.phone ?? "", unit: input.unit ?? "", role: role, division: division, active: input.active != nil)
        issues += draft.problems()
        return draft
    }

    private func form(
        _ input: Input, userID: Int?, errors: [FieldIssue], request: Request, context: AppRequestContext,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let language = context.language
        var messages: [String: String] = [:]
        for issue in errors { messages[issue.field, default: ""] += issue.message.text(language) + " " }
        let roles = AccessPolicy.assignableRoles(by: context.identity!.role).map {
            Option(value: $0.rawValue, label: $0.title.text(language), selected: $0.rawValue == input.role)
        }
        var safe = input
        safe.password = ""
        let heading = Strings.text(userID == nil ? "new_user" : "edit_user", language)
        let body = FormBody(
            heading: heading, action: userID.map { "/admin/users/\($0)" } ?? "/admin/users", isNew: userID == nil,
            input: safe, roles: roles, errors: messages, hasErrors: !messages.isEmpty,
            signOutAction: userID.map { "/admin/users/\($0)/signout-everywhere" }, active: input.active != nil)
        return try renderer.page("user-form", title: heading,
                                 crumbs: [Crumb(name: Strings.text("nav_users", language), href: "/admin/users"), Crumb(name: heading, href: nil)],
                                 body: body, request: request, context: context, status: status)
    }
}
