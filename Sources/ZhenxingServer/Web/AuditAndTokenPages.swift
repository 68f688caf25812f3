import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The audit log, read-only, with filters and keyset paging.
struct AuditPages: Sendable {
    let log: AuditLog
    let renderer: PageRenderer

    static let pageSize = 50

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/admin/audit", .ownDivision(.viewAudit), use: list)
    }

    struct Row: Encodable {
        let at: String
        let username: String
        let action: String
        let entity: String
        let key: String
        /// The record's page, for the kinds of record that have one.
        let href: String?
        let changes: String
        let address: String
    }

    typealias Option = FormModel.Option

    struct Body: Encodable {
        let rows: [Row]
        let isEmpty: Bool
        let username: String
        let from: String
        let to: String
        let actions: [Option]
        let nextHref: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let text = request.query
        let filter = AuditFilter(
            username: text("user"), action: text("action").flatMap(AuditAction.init(rawValue:)),
            fromDay: text("from").flatMap { Day.isValid($0) ? $0 : nil },
            toDay: text("to").flatMap { Day.isValid($0) ? $0 : nil },
            division: context.identity!.division)
        let entries = try await log.entries(filter, before: text("before").flatMap(Int.init), limit: Self.pageSize)
        let rows = entries.map { entry in
            Row(at: Timestamp.display(entry.at),
                username: entry.username == AuditActor.system.username && entry.address == AuditActor.system.address ? Strings.text("system_actor", language) : entry.username,
                action: AuditAction(rawValue: entry.action)?.title.text(language) ?? entry.action,
                entity: Strings.table["entity_" + entry.entity]?.text(language) ?? entry.entity, key: entry.entityKey,
                href: Int(entry.entityKey).flatMap { id in Self.pages[entry.entity].map { "/\($0)/\(id)" } },
                changes: Self.changes(before: entry.beforeJson, after: entry.afterJson, language: language),
                address: entry.address)
        }
        let next = entries.count == Self.pageSize ? entries.last.map {
            request.nextPage("/admin/audit", key: ("before", String($0.id)), keeping: ["user", "action", "from", "to"])
        } : nil
        let body = Body(
            rows: rows, isEmpty: rows.isEmpty, username: filter.username ?? "", from: filter.fromDay ?? "", to: filter.toDay ?? "",
            actions: AuditAction.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == filter.action) },
            nextHref: next)
        return try renderer.page("audit", title: Strings.text("nav_audit", language),
                                 crumbs: [Crumb(name: Strings.text("nav_audit", language), href: nil)],
                                 body: body, request: request, context: context)
    }

}

/// API tokens for machine clients: created by an administrator, shown once, revocable.
struct TokenPages: Sendable {
    let tokens: APITokenRepository
    let renderer: PageRenderer

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/admin/tokens", .ownDivision(.manageTokens), use: list)
        routes.add(.post, "/admin/tokens", .ownDivision(.manageTokens), use: create)
        routes.add(.post, "/admin/tokens/:id/revoke", .ownDivision(.manageTokens), use: revoke)
    }

    struct Row: Encodable {
        let name: String
        let username: String
        let role: String
        let division: String
        let createdAt: String
        let lastUsedAt: String
        let revoked: Bool
        let revokeAction: String
    }

    struct Option: Encodable { let value: String; let label: String }

    struct Body: Encodable {
        let rows: [Row]
        let roles: [Option]
        let newToken: String?
        let errors: [String]
    }

    struct Input: Decodable {
        let name: String
        let role: String
        let division: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(newToken: nil, errors: [], request: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = context.identity!
        let input = try await request.decode(as: Input.self, context: context)
        let language = context.language
        let divisionText = (input.division ?? "").trimmingCharacters(in: .whitespaces)
        var errors: [String] = []
        let division: DivisionCode?
        do {
            division = divisionText.isEmpty ? nil : try DivisionCode(validating: divisionText)
        } catch {
            division = nil
            errors.append(error.issues[0].message.text(language))
        }
        let role = Role(rawValue: input.role)
        if role == nil || !AccessPolicy.assignableRoles(by: identity.role).contains(role!) {
            errors.append(LocalizedText(zh: "不能分配这个角色", en: "You cannot give this role").text(language))
        }
        if let division, !identity.covers(division) {
            errors.append(LocalizedText(zh: "只能在本区划及下级创建令牌", en: "Tokens can only act in your own division or below").text(language))
        }
        if division == nil, divisionText.isEmpty, identity.division != nil || role != .administrator {
            errors.append(LocalizedText(zh: "请填写令牌适用的区划代码", en: "Enter the division the token acts in").text(language))
        }
        guard errors.isEmpty, let role else {
            return try await page(newToken: nil, errors: errors, request: request, context: context, status: .badRequest)
        }
        let token = Secrets.token(prefix: "zx_")
        do {
            _ = try await tokens.create(name: input.name, tokenHash: Secrets.hash(token), owner: identity, role: role,
                                        division: division, by: context.actor)
        } catch let failure as ValidationFailure {
            return try await page(newToken: nil, errors: failure.issues.map { $0.message.text(language) },
                                  request: request, context: context, status: .badRequest)
        }
        return try await page(newToken: token, errors: [], request: request, context: context)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int.self) else { throw AppError.notFound(LocalizedText(zh: "找不到令牌", en: "No such token")) }
        let division = try await tokens.division(of: id)
        guard division.map(context.identity!.covers) ?? (context.identity!.division == nil) else {
            throw AppError.notFound(LocalizedText(zh: "找不到令牌", en: "No such token"))
        }
        try await tokens.revoke(id, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/admin/tokens"])
    }

    private func page(newToken: String?, errors: [String], request: Request, context: AppRequestContext,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let identity = context.identity!
        let language = context.language
        let rows = try await tokens.list(in: identity.division).map {
            Row(name: $0.name, username: $0.username, role: Role(rawValue: $0.role)?.title.text(language) ?? $0.role,
                division: $0.divisionCode ?? Strings.text("everywhere", language), createdAt: Timestamp.display($0.createdAt),
                lastUsedAt: $0.lastUsedAt.map(Timestamp.display) ?? "—", revoked: $0.revokedAt != nil,
                revokeAction: "/admin/tokens/\($0.id)/revoke")
        }
        let roles = AccessPolicy.assignableRoles(by: identity.role).map { Option(value: $0.rawValue, label: $0.title.text(language)) }
        return try renderer.page("tokens", title: Strings.text("nav_tokens", language),
                                 crumbs: [Crumb(name: Strings.text("nav_tokens", language), href: nil)],
                                 body: Body(rows: rows, roles: roles, newToken: newToken, errors: errors),
                                 request: request, context: context, status: status)
    }
}

extension AuditPages {
    /// A value of a stored record as JSON has it. Decoded rather than read with `JSONSerialization`, whose numbers 0
    /// and 1 also pass as booleans (a round's one winner read "是").
    indirect enum StoredValue: Decodable, Equatable {
        case none, flag(Bool), integer(Int), number(Double), text(String), list([StoredValue]), record([String: StoredValue])

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() { self = .none }
            else if let flag = try? value.decode(Bool.self) { self = .flag(flag) }
            else if let integer = try? value.decode(Int.self) { self = .integer(integer) }
            else if let number = try? value.decode(Double.self) { self = .number(number) }
            else if let text = try? value.decode(String.self) { self = .text(text) }
            else if let list = try? value.decode([StoredValue].self) { self = .list(list) }
            else { self = .record(try value.decode([String: StoredValue].self)) }
        }
    }

    /// The folder of the page of each kind of record that has one.
    static let pages = ["household": "households", "person": "people", "issue": "issues", "meeting": "meetings", "project": "projects",
                        "grid": "grids", "helper": "helpers", "activity": "activities", "party_branch": "branches"]

    /// A stored value of a fixed vocabulary in words, by the field that holds it: the first vocabulary that knows the value names it.
    static func words(_ field: String, _ value: String) -> LocalizedText? {
        vocabularies[field]?.lazy.compactMap { $0(value) }.first
    }

    /// The vocabularies by field name, made once.
    private static let vocabularies: [String: [@Sendable (String) -> LocalizedText?]] = [
        "state": [{ IssueState(rawValue: $0)?.title }],
        "source": [{ IssueSource(rawValue: $0)?.title }, { WarningSource(rawValue: $0)?.title }],
        "status": [{ PovertyStatus(rawValue: $0)?.title }, { MeasureStatus(rawValue: $0)?.title }, { ProjectStatus(rawValue: $0)?.title },
                   { ListItemStatus(rawValue: $0)?.title }],
        "attribute": [{ HouseholdAttribute(rawValue: $0)?.title }],
        "mainCause": [{ PovertyCause(rawValue: $0)?.title }], "otherCauses": [{ PovertyCause(rawValue: $0)?.title }],
        "relation": [{ Relation(rawValue: $0)?.title }],
        "role": [{ HelperRole(rawValue: $0)?.title }, { Role(rawValue: $0)?.title }],
        "kind": [{ ActivityKind(rawValue: $0)?.title }, { MeetingKind(rawValue: $0)?.title }, { ProjectKind(rawValue: $0)?.title },
                 { BranchKind(rawValue: $0)?.title }, { MonitoringKind(rawValue: $0)?.title }],
        "category": [{ MeasureCategory(rawValue: $0)?.title }, { MonitoringKind(rawValue: $0)?.title }],
        "list": [{ ListKind(rawValue: $0)?.title }],
        "procedure": [{ MonitoringProcedure(rawValue: $0)?.title }],
        "step": [{ ProcedureStep(rawValue: $0)?.title }],
        "result": [{ StepResult(rawValue: $0)?.title }],
    ]

    /// A change in words, a line a field: "原因：旧 → 新", a field only set "+ 名称：值", only cleared "− 名称：值"; money in
    /// yuan. Field names are in the user's language where the words have them. What is not a flat record (a plan's
    /// measures) stays as it was stored.
    static func changes(before: String?, after: String?, language: Language) -> String {
        func record(_ json: String?) -> [String: StoredValue]? {
            json.flatMap { try? JSONDecoder().decode([String: StoredValue].self, from: Data($0.utf8)) }
        }
        let (old, new) = (record(before), record(after))
        guard before == nil || old != nil, after == nil || new != nil else {
            return [before.map { "− \($0)" }, after.map { "+ \($0)" }].compactMap { $0 }.joined(separator: "\n")
        }
        let list = language.listSeparator
        func text(_ key: String, _ value: StoredValue?) -> String? {
            let money = key.hasSuffix("Fen") || key.hasSuffix("FenPerYear")
            switch value {
            case nil, .none?: return nil
            case .flag(let flag)?: return Strings.text(flag ? "yes" : "no", language)
            case .integer(let fen)? where money: return FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) + (language == .english ? " yuan" : " 元")
            case .text(let digits)? where money && Int(digits) != nil:
                return FixedPoint.format(Int(digits)!, scale: 2, minimumFractionDigits: 2) + (language == .english ? " yuan" : " 元")
            case .integer(let integer)?: return String(integer)
            case .number(let number)?: return String(number)
            case .text(let text)?: return words(key, text)?.text(language) ?? text
            case .list(let items)?: return items.isEmpty ? "—" : items.compactMap { text(key, $0) }.joined(separator: list)
            case .record(let fields)?: return fields.keys.sorted().compactMap { name in text(name, fields[name]).map { "\(name) \($0)" } }.joined(separator: list)
            }
        }
        let separator = language.colon
        return Set((old ?? [:]).keys).union((new ?? [:]).keys).sorted().compactMap { key in
            let label = (Strings.table["field_" + key]?.text(language) ?? key) + separator
            switch (text(key, old?[key]), text(key, new?[key])) {
            case (let was?, let now?): return was == now ? nil : label + was + " → " + now
            case (nil, let now?): return (old == nil ? "" : "+ ") + label + now
            case (let was?, nil): return "− " + label + was
            case (nil, nil): return nil
            }
        }.joined(separator: "\n")
    }
}
