import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime
import ZhenxingDomain

/// Logs one line per request — method, path without query, status, duration, request id —
/// and returns the id in `X-Request-Id`. Queries are left out: they may carry names.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        let elapsed = (ContinuousClock.now - start).components
        let tenths = elapsed.seconds * 10_000 + elapsed.attoseconds / 100_000_000_000_000  // of a millisecond
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(tenths / 10).\(tenths % 10) ms")
        return response
    }
}

/// Security headers on every response: a CSP without inline script, no sniffing, no framing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        // Pages and API answers carry personal data: no cache keeps them, unless a route chose (static files, photos).
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

/// Refuses a form or JSON body carrying a NUL character, raw, `%00` or `\u0000`, before any handler reads it: no
/// text has a use for one, SQLite cuts stored text at it and PostgreSQL refuses it with an error.
struct NoNULMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let type = request.headers[.contentType] ?? ""
        guard type.hasPrefix("application/json") || type.hasPrefix("application/x-www-form-urlencoded") else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        if Self.holdsNUL(body.readableBytesView) {
            throw AppError(.badRequest, LocalizedText(zh: "提交的内容含有空字符（NUL），请删除后重试", en: "The request holds a NUL character; remove it and try again"))
        }
        return try await next(request, context)
    }

    /// True for a raw 0, `%00`, or a `\u0000` escape that is not itself an escaped backslash followed by text.
    static func holdsNUL(_ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        var backslashes = 0
        for (index, byte) in bytes.enumerated() {
            if byte == 0 { return true }
            if byte == UInt8(ascii: "%"), bytes[index...].starts(with: Array("%00".utf8)) { return true }
            if byte == UInt8(ascii: "u"), backslashes % 2 == 1, bytes[(index + 1)...].starts(with: Array("0000".utf8)) { return true }
            backslashes = byte == UInt8(ascii: "\\") ? backslashes + 1 : 0
        }
        return false
    }
}

/// Chooses the language: `?lang=` (remembered in a cookie), else the cookie, else Chinese.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let asked = request.uri.queryParameters["lang"].flatMap { Language(tag: String($0)) }
        context.language = asked ?? request.cookies["lang"].flatMap { Language(tag: $0.value) } ?? .chinese
        var response = try await RequestScope.$language.withValue(context.language) {
            try await next(request, context)
        }
        if let asked {
            response.setCookie(Cookie(
                name: "lang", value: asked.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}

/// Turns every error into the answer a user can read: a problem+json body under `/api/`, an
/// error page elsewhere. Unexpected errors are logged with the request id and shown as a 500
/// without their details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let known = AppError.from(error)
            if known == nil {
                // An OpenAPI ServerError describes the whole request (headers, body): only the operation and what failed.
                let (operation, cause) = (error as? ServerError).map { ($0.operationID, $0.underlyingError) } ?? ("", error)
                context.logger.error("unhandled error: \(String(reflecting: type(of: cause))) \(operation)", metadata: ["error": "\(cause)"])
            }
            let shown = known ?? AppError(.internalServerError, LocalizedText(
                zh: "服务器内部错误，已记录。请稍后再试，或把请求编号告诉管理员。",
                en: "Internal server error, logged. Try again later, or give the request id to the administrator."))
            var response: Response
            if request.uri.path.hasPrefix("/api/") {
                response = Problem(shown, language: context.language).response()
            } else if shown.status == .unauthorized, request.method == .get, request.headers[.authorization] == nil {
                // A refused API token answers 401 as it is: sending a token-holding client to the sign-in page would
                // bring it back with the same token, in a loop.
                let next = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-", "_"])) ?? "/"
                return Response(status: .seeOther, headers: [.location: "/signin?next=\(next)"])
            } else {
                response = try renderer.errorPage(shown, request: request, context: context)
            }
            if shown.status == .serviceUnavailable {
                response.headers[.retryAfter] = "30"  // an import: worth trying again soon
            }
            return response
        }
    }
}

/// An RFC 9457 problem body.
struct Problem: Encodable {
    let title: String
    let status: Int
    let detail: String?
    let errors: [FieldMessage]?

    /// One field's problem.
    struct FieldMessage: Encodable {
        let field: String
        let message: String
    }

    init(_ error: AppError, language: Language) {
        title = error.message.text(language)
        status = Int(error.status.code)
        detail = nil
        errors = error.issues.isEmpty ? nil : error.issues.map { FieldMessage(field: $0.field, message: $0.message.text(language)) }
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return Response(
            status: .init(code: status),
            headers: [.contentType: "application/problem+json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let clearSiteData = Self("Clear-Site-Data")!
    static let serviceWorkerAllowed = Self("Service-Worker-Allowed")!
}
