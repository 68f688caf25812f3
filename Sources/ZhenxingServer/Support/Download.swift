import Foundation
import Hummingbird

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
