import Foundation
import Hummingbird
import ZhenxingDomain

/// A `multipart/form-data` upload read as it arrives: small fields into memory, the one file part
/// straight to disk, so an upload of any size costs a fixed amount of memory.
struct MultipartUpload: Sendable {
    /// The text fields.
    var fields: [String: String] = [:]
    /// The file's name as the browser sent it.
    var fileName: String?
    /// Where the file part was written.
    var file: URL?
    /// Its size in bytes.
    var fileSize = 0

    /// Reads the request body, writing the file part to `destination`; refuses bodies over `limit` bytes with
    /// `tooLarge` as the reason.
    static func read(_ request: Request, to destination: URL, limit: Int, tooLarge: LocalizedText) async throws -> MultipartUpload {
        guard let type = request.headers[.contentType], type.hasPrefix("multipart/form-data"),
              let boundary = type.split(separator: ";").compactMap({ part -> String? in
                  let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                  return pair.count == 2 && pair[0] == "boundary" ? pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil
              }).first
        else {
            throw AppError(.badRequest, LocalizedText(zh: "请通过上传表单提交文件", en: "Send the file with the upload form"))
        }
        var upload = MultipartUpload()
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var buffer: [UInt8] = Array("\r\n".utf8)  // so the first delimiter looks like the others
        enum State { case preamble, headers, field(String, [UInt8]), file(FileHandle), done }
        var state = State.preamble
        var total = 0
        defer { if case .file(let handle) = state { try? handle.close() } }

        func finishPart() throws {
            switch state {
            case .field(let name, let bytes): upload.fields[name] = String(decoding: bytes, as: UTF8.self)
            case .file(let handle): try handle.close()
            default: break
            }
        }

        for try await chunk in request.body {
            total += chunk.readableBytes
            guard total <= limit else {
                throw AppError(.contentTooLarge, tooLarge)
            }
            buffer.append(contentsOf: chunk.readableBytesView)
            var progressed = true
            while progressed {
                progressed = false
                switch state {
                case .done:
                    buffer.removeAll()
                case .preamble, .field, .file:
                    guard let at = buffer.firstRange(of: delimiter) else {
                        // Keep a tail that may hold the start of a delimiter; the rest belongs to the part.
                        let keep = min(buffer.count, delimiter.count + 4)
                        let body = buffer.count - keep
                        if body > 0 {
                            switch state {
                            case .field(let name, var bytes):
                                bytes.append(contentsOf: buffer[..<body])
                                guard bytes.count <= 65_536 else { throw AppError(.badRequest, LocalizedText(zh: "表单字段过长", en: "A form field is too long")) }
                                state = .field(name, bytes)
                            case .file(let handle):
                                try handle.write(contentsOf: buffer[..<body])
                                upload.fileSize += body
                            default: break
                            }
                            buffer.removeFirst(body)
                        }
                        break
                    }
                    switch state {
                    case .field(let name, var bytes):
                        bytes.append(contentsOf: buffer[..<at.lowerBound])
                        state = .field(name, bytes)
                    case .file(let handle):
                        try handle.write(contentsOf: buffer[..<at.lowerBound])
                        upload.fileSize += at.lowerBound
                    default: break
                    }
                    buffer.removeFirst(at.lowerBound)
                    guard buffer.count >= delimiter.count + 2 else { break }  // wait for `--` or CRLF after the delimiter
                    try finishPart()
                    let after = Array(buffer[delimiter.count..<(delimiter.count + 2)])
                    buffer.removeFirst(delimiter.count + 2)
                    state = after == Array("--".utf8) ? .done : .headers
                    progressed = true
                case .headers:
                    guard let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) else {
                        guard buffer.count < 8_192 else { throw AppError(.badRequest, LocalizedText(zh: "上传内容格式不对", en: "The upload is malformed")) }
                        break
                    }
                    let headers = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                    buffer.removeFirst(end.upperBound)
                    let disposition = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition") } ?? ""
                    let name = Self.parameter("name", in: String(disposition)) ?? ""
                    if let fileName = Self.parameter("filename", in: String(disposition)) {
                        guard upload.file == nil else { throw AppError(.badRequest, LocalizedText(zh: "一次只能上传一个文件", en: "Upload one file at a time")) }
                        _ = FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o600])
                        upload.file = destination
                        upload.fileName = (fileName as NSString).lastPathComponent
                        state = .file(try FileHandle(forWritingTo: destination))
                    } else {
                        state = .field(name, [])
                    }
                    progressed = true
                }
            }
        }
        guard case .done = state else {
            throw AppError(.badRequest, LocalizedText(zh: "上传未完成（连接中断？），请重试", en: "The upload did not complete (connection lost?); try again"))
        }
        return upload
    }

    /// `name="value"` from a Content-Disposition header.
    private static func parameter(_ name: String, in header: String) -> String? {
        guard let range = header.range(of: "; \(name)=\"") else { return nil }
        let rest = header[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
