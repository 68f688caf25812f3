import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Sign-in, sign-out and the user's own account page (password, sign out everywhere).
struct SignInPages: Sendable {
    let users: UserRepository
    let divisions: DivisionRepository
    let sessions: SessionRepository
    let throttle: SignInThrottle
    let renderer: PageRenderer
    let settings: AppSettings
    /// A bcrypt hash of no one's password, verified when the name is unknown so that unknown
    /// names cost the same time as wrong passwords.
    let decoyHash: String

    /// Failures allowed per account name, and per client address, before back-off starts.
    static let accountAllowance = 5
    static let addressAllowance = 20

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/signin", .anyone, use: form)
        routes.add(.post, "/signin", .anyone, use: signIn)
        routes.add(.post, "/signout", .signedIn, use: signOut)
        routes.add(.get, "/account", .signedIn, use: account)
        routes.add(.post, "/account/password", .signedIn, use: changePassword)
        routes.add(.post, "/account/signout-everywhere", .signedIn, use: signOutEverywhere)
    }

    struct SignInBody: Encodable {
        let next: String
        let username: String
        let error: String?
        let notice: String?
    }

    struct SignInInput: Decodable {
        let username: String
        let password: String
        let next: String?
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.identity != nil { return redirect(Self.safeNext(request.uri.queryParameters["next"].map(String.init))) }
        let notice = request.uri.queryParameters["changed"] != nil ? Strings.text("password_changed_sign_in", context.language) : nil
        return try page(SignInBody(next: Self.safeNext(request.uri.queryParameters["next"].map(String.init)), username: "", error: nil, notice: notice),
                        request: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decode(as: SignInInput.self, context: context)
        let username = input.username.trimmingCharacters(in: .whitespaces)
        let next = Self.safeNext(input.next)
        let now = settings.clock()
        let keys = ["user:\(username.lowercased())", "addr:\(context.remoteAddress)"]
        if let until = try await throttle.lockedUntil(keys, now: now) {
            let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            let message = LocalizedText(
                zh: "登录失败次数过多，请 \(minutes) 分钟后再试", en: "Too many failed sign-ins; try again in \(minutes) minutes")
            return try page(SignInBody(next: next, username: username, error: message.text(context.language), notice: nil),
                            request: request, context: context, status: .tooManyRequests)
        }
        let found = try await users.credentials(username: username)
        // Over 72 bytes no password was ever accepted, and bcrypt would compare only the first 72.
        let valid = try await Secrets.verifyPassword(input.password, hash: found?.1 ?? decoyHash)
            && input.password.utf8.count <= PasswordRules.maximumBytes
        guard let account = found?.0, valid, account.active else {
            try await throttle.recordFailure(
                [(keys[0], Self.accountAllowance), (keys[1], Self.addressAllowance)], username: username, now: now, by: context.actor)
            let message = LocalizedText(zh: "用户名或密码不对，或账户已停用", en: "Wrong user name or password, or the account is disabled")
            return try page(SignInBody(next: next, username: username, error: message.text(context.language), notice: nil),
                            request: request, context: context, status: .unauthorized)
        }
        try await throttle.reset(keys[0])
        let token = Secrets.token()
        let actor = AuditActor(userID: account.id, username: account.username, address: context.remoteAddress, requestID: context.id)
        try await sessions.start(userID: account.id, tokenHash: Secrets.hash(token), csrfToken: Secrets.token(), now: now, by: actor)
        var response = redirect(next)
        response.setCookie(Cookie(
            name: AuthMiddleware.sessionCookie, value: token, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let hash = context.sessionTokenHash, let identity = context.identity {
            try await sessions.end(tokenHash: hash, userID: identity.userID, by: context.actor)
        }
        return clearedSession(redirect("/signin"))
    }

    struct AccountBody: Encodable {
        let username: String
        let displayName: String
        let role: String
        let division: String
        let divisionCode: String?
        let unit: String
        let errors: [String]
    }

    struct PasswordInput: Decodable {
        let current: String
        let new: String
        let confirm: String
    }

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await accountPage(errors: [], request: request, context: context)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = context.identity!
        let input = try await request.decode(as: PasswordInput.self, context: context)
        let language = context.language
        var errors: [String] = []
        if let (_, hash) = try await users.credentials(username: identity.username),
           !(try await Secrets.verifyPassword(input.current, hash: hash)) {
            errors.append(Strings.text("current_password_wrong", language))
        }
        errors += PasswordRules.problems(input.new, username: identity.username).map { $0.text(language) }
        if input.new != input.confirm { errors.append(Strings.text("passwords_differ", language)) }
        guard errors.isEmpty else {
            return try await accountPage(errors: errors, request: request, context: context, status: .badRequest)
        }
        try await users.setPassword(identity.userID, hash: try await Secrets.hashPassword(input.new, cost: settings.bcryptCost), by: context.actor)
        return clearedSession(redirect("/signin?changed=1"))
    }

    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await sessions.endAll(userID: context.identity!.userID, by: context.actor)
        return clearedSession(redirect("/signin"))
    }

    // MARK: Shared

    private func accountPage(errors: [String], request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let identity = context.identity!
        let language = context.language
        guard let account = try await users.find(identity.userID) else { throw AppError.signInRequired }
        let names = try await divisions.names(account.division.map { [$0] } ?? [])
        let body = AccountBody(
            username: account.username, displayName: account.displayName, role: account.role.title.text(language),
            division: account.division.map { names[$0] ?? $0.rawValue } ?? Strings.text("everywhere", language),
            divisionCode: account.division?.rawValue, unit: account.unit, errors: errors)
        return try renderer.page("account", title: Strings.text("account", language),
                                 crumbs: [Crumb(name: Strings.text("account", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    private func page(_ body: SignInBody, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) throws -> Response {
        try renderer.page("signin", title: Strings.text("sign_in", context.language), body: body,
                          request: request, context: context, status: status)
    }

    private func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The response with the session cookie removed, and the copies of pages kept on the device for field work
    /// (sw.js) emptied: the next user of a shared phone finds none of them.
    private func clearedSession(_ response: Response) -> Response {
        var response = response
        response.headers[.clearSiteData] = "\"cache\""
        response.setCookie(Cookie(name: AuthMiddleware.sessionCookie, value: "", maxAge: 0, path: "/",
                                  secure: settings.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    /// A local path to return to after signing in; anything else (another site, `//host`) becomes `/`.
    /// `next` when it is a path of this site, else `/`. Browsers skip tabs and line breaks in a URL and read `\` as
    /// `/`, so `/\t/evil.example` or `/\\evil.example` would leave the site: a path with any control, space or
    /// backslash is refused, as is one starting `//`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.count <= 2_000,
              !next.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
                  || $0.properties.generalCategory == .format }) else { return "/" }
        return next
    }
}
