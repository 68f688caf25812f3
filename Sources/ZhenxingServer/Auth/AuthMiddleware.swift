import Foundation
import HTTPTypes
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Finds who is calling — a session cookie or an API token — and checks the CSRF token of every
/// state-changing request made with a cookie.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: SessionRepository
    let tokens: APITokenRepository
    let settings: AppSettings

    static let sessionCookie = "zx_session"
    static let csrfCookie = "zx_csrf"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        var newCSRFCookie: String?
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "),
                  let identity = try await tokens.identity(tokenHash: Secrets.hash(String(header.dropFirst(7)))) else {
                context.logger.warning("refused API token")
                throw AppError(.unauthorized, LocalizedText(zh: "接口令牌无效或已撤销", en: "The API token is invalid or revoked"))
            }
            context.identity = identity
            context.usesToken = true
        } else {
            if let cookie = request.cookies[Self.sessionCookie] {
                let hash = Secrets.hash(cookie.value)
                if let record = try await sessions.resume(tokenHash: hash, now: settings.clock()) {
                    context.identity = record.account.identity
                    context.sessionTokenHash = hash
                    context.csrfToken = record.csrfToken
                } else {
                    context.logger.notice("unknown or expired session cookie from \(context.remoteAddress)")
                }
            }
            if context.identity == nil {
                // Anonymous forms (sign-in) use a double-submit token kept in a cookie.
                if let cookie = request.cookies[Self.csrfCookie], cookie.value.count >= 32 {
                    context.csrfToken = cookie.value
                } else {
                    newCSRFCookie = Secrets.token()
                    context.csrfToken = newCSRFCookie!
                }
            }
            if [.post, .put, .patch, .delete].contains(request.method) {
                let provided = try await Self.providedCSRF(&request, context: context)
                guard let provided, Secrets.same(provided, context.csrfToken) else {
                    context.logger.warning("refused request without a valid CSRF token: \(request.method) \(request.uri.path)")
                    throw AppError(.forbidden, LocalizedText(
                        zh: "页面已过期或来源不明，请刷新页面后重试", en: "The form expired or did not come from this site; reload the page and try again"))
                }
            }
        }
        let (identity, actor) = (context.identity, context.actor)
        var response = try await RequestScope.$identity.withValue(identity) {
            try await RequestScope.$actor.withValue(actor) { try await next(request, context) }
        }
        if let newCSRFCookie {
            response.setCookie(Cookie(name: Self.csrfCookie, value: newCSRFCookie, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The CSRF token a request carries: the `X-CSRF-Token` header, or the `_csrf` form field; for
    /// file uploads, which stream to disk and cannot be read twice, the `_csrf` query item of the form's action.
    private static func providedCSRF(_ request: inout Request, context: Context) async throws -> String? {
        if let header = request.headers[.csrfToken] { return header }
        if request.headers[.contentType]?.hasPrefix("multipart/form-data") == true {
            return request.uri.queryParameters["_csrf"].map(String.init)
        }
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "_csrf" {
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token")!
}
