import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

extension Response {
    /// Streams a file as a download in 256 KB chunks.
    static func download(_ file: URL, name: String, contentType: String, removeAfter: Bool) throws -> Response {
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "download"
        let body = ResponseBody(contentLength: size) { writer in
            let handle = try FileHandle(forReadingFrom: file)
            defer {
                try? handle.close()
                if removeAfter { try? FileManager.default.removeItem(at: file) }
            }
            while let data = try handle.read(upToCount: 1 << 18), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: contentType, .cacheControl: "no-store",
            .contentDisposition: "attachment; filename=\"download\"; filename*=UTF-8''\(encoded)",
        ], body: body)
    }
}

/// One way every list page exports what it shows: the table written to a work file in the format asked for
/// (`?format=xlsx|csv`, CSV with a BOM), the export recorded in the audit log, the file streamed and removed.
struct TableExport: Sendable {
    let settings: AppSettings
    let audit: AuditLog

    /// Exports `name` (the file's title, without extension) of `division`; `write` fills the table and returns its rows.
    func respond(_ request: Request, context: AppRequestContext, division: DivisionCode, name: String, sheet: String, entity: AuditEntity,
                 write: (any TableWriter) async throws -> Int) async throws -> Response {
        let format = request.query("format").flatMap(TableFormat.init(rawValue:)) ?? .xlsx
        let file = settings.workDirectory.appendingPathComponent("\(entity)-\(UUID().uuidString).\(format.rawValue)")
        let rows = try await write(try format.writer(to: file, sheet: sheet))
        try await audit.record(.export, entity: entity, key: "\(rows) rows", division: division, by: context.actor)
        return try Response.download(file, name: "\(name).\(format.rawValue)", contentType: format.contentType, removeAfter: true)
    }
}
