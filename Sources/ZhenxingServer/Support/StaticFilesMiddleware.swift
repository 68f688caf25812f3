import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ZhenxingDomain

/// The style sheet, script and icon under `public/static`, read once at start-up and answered from memory before
/// any session, route or error page is looked at. Each carries a strong ETag (a hash of its bytes) and its
/// Last-Modified; a browser that already has the file gets a 304 without a body. A path under `/static/` that is
/// not one of them goes on to the 404 page.
struct StaticFilesMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// One file as it is served.
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
        let lastModified: String
    }

    /// By request path, `/static/app.css`.
    let files: [String: File]

    /// Reads every file of `folder` (`…/public/static`); a type it does not know stops the start.
    init(folder: String) throws {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        dates.timeZone = TimeZone(identifier: "GMT")
        dates.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var files: [String: File] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
            guard let type = types[url.pathExtension] else {
                throw AppError(.internalServerError, LocalizedText(zh: "静态文件类型未知：\(name)", en: "Static file of an unknown type: \(name)"))
            }
            let bytes = try Data(contentsOf: url)
            let modified = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
            files["/static/" + name] = File(
                body: ByteBuffer(bytes: bytes), contentType: type,
                etag: "\"" + Secrets.hex(SHA256.hash(data: bytes).prefix(12)) + "\"", lastModified: dates.string(from: modified))
        }
        self.files = files
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head, let file = files[request.uri.path] else {
            return try await next(request, context)
        }
        var headers: HTTPFields = [.eTag: file.etag, .lastModified: file.lastModified, .cacheControl: "max-age=3600"]
        // If-None-Match compares weakly (RFC 9110 §13.1.2) and, when present, If-Modified-Since is not looked at.
        let fresh = request.headers[.ifNoneMatch].map { header in
            header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .contains { $0 == "*" || ($0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0) == file.etag }
        } ?? (request.headers[.ifModifiedSince] == file.lastModified)
        if fresh {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.contentType
        if request.uri.path == "/static/sw.js" { headers[.serviceWorkerAllowed] = "/" }  // it looks after the field pages, not /static/ only
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: file.body))
    }
}
