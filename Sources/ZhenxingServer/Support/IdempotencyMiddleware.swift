import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZhenxingDomain
import ZhenxingStore

/// `Idempotency-Key` on writes — the API's, and the forms a phone sends again once it is back online (app.js): the
/// first request with a key runs, and its key is stored in the same transaction
/// as what it wrote (`RequestKeyClaim`); a retry with the same key and the same request gets the first answer again
/// (`Idempotent-Replayed: true`) instead of writing twice. The same key with another request is refused (422); a
/// key whose write landed but whose answer was lost to a crash is refused (409), so the client looks before it writes.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: RequestKeyRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method),
              let key = request.headers[.idempotencyKey], let identity = context.identity else {
            return try await next(request, context)
        }
        guard (1...200).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw AppError(.badRequest, LocalizedText(zh: "Idempotency-Key 应为 1 到 200 个可见 ASCII 字符", en: "Idempotency-Key must be 1 to 200 visible ASCII characters"))
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let digest = Secrets.hex(SHA256.hash(data: Data(buffer: body)))
        let fingerprint = "\(request.method) \(request.uri.path) \(digest)"
        if let kept = try await keys.find(userID: identity.userID, key: key) {
            guard kept.fingerprint == fingerprint else {
                throw AppError(.unprocessableContent, LocalizedText(
                    zh: "这个 Idempotency-Key 已用于另一个请求，请换一个", en: "This Idempotency-Key was used for another request; use a new one"))
            }
            guard let status = kept.status else { throw Self.landedWithoutAnswer }
            var headers: HTTPFields = [.idempotentReplayed: "true"]
            headers[.contentType] = kept.contentType
            headers[.location] = kept.location
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: kept.body ?? Data())))
        }
        let claim = RequestKeyClaim(userID: identity.userID, key: key, fingerprint: fingerprint)
        var response: Response
        do {
            response = try await RequestKeyClaim.$current.withValue(claim) { try await next(request, context) }
        } catch StoreError.repeatedRequest {
            throw Self.landedWithoutAnswer
        }
        guard claim.isStored else { return response }
        // Small answers (JSON, or a form's redirect): read whole, kept, and sent as read.
        let collector = Collector()
        try await response.body.write(collector)
        response.body = .init(byteBuffer: collector.buffer)
        try await keys.keep(claim, status: Int(response.status.code), contentType: response.headers[.contentType], body: Data(buffer: collector.buffer),
                            location: response.headers[.location])
        return response
    }

    private static let landedWithoutAnswer = AppError(.conflict, LocalizedText(
        zh: "使用同一 Idempotency-Key 的请求已经处理（或正在处理），结果未能保留；请先查询记录，再决定是否重新提交",
        en: "A request with this Idempotency-Key was already handled (or is being handled) and its answer was not kept; look up the record before sending it again"))

    /// Gathers a response body.
    private final class Collector: ResponseBodyWriter {
        var buffer = ByteBuffer()
        func write(_ part: ByteBuffer) async throws {
            var part = part
            buffer.writeBuffer(&part)
        }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
