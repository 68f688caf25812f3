import CThumbnail
import Foundation
import ZhenxingDomain
import ZhenxingStore

/// Checks an uploaded photo by its bytes (not its name) and makes its thumbnail.
enum Photo {
    /// The largest photo accepted.
    static let byteLimit = 10 << 20
    /// The most pixels a photo may have (a phone's 50-megapixel picture fits); bigger ones are refused before decoding.
    static let pixelLimit: Int64 = 60_000_000
    /// The thumbnail's longer side in pixels.
    static let thumbnailSide: Int32 = 320

    /// A JPEG or PNG of at most `byteLimit` bytes, with its thumbnail; anything else is refused with the reason.
    static func check(_ bytes: Data, fileName: String) throws -> VisitPhotoUpload {
        guard !bytes.isEmpty else { throw refusal(zh: "照片文件是空的", en: "The photo file is empty") }
        guard bytes.count <= byteLimit else {
            throw refusal(zh: "照片超过 \(byteLimit >> 20) MB 上限：请压缩后再上传", en: "The photo is over the \(byteLimit >> 20) MB limit: shrink it first")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var info = zx_image_info()
        let status = bytes.withUnsafeBytes { raw in
            zx_image_thumbnail(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, pixelLimit, thumbnailSide, 80, &output, &length, &info)
        }
        defer { zx_image_free(output) }
        switch status {
        case ZX_IMAGE_OK:
            break
        case ZX_IMAGE_UNSUPPORTED:
            throw refusal(zh: "“\(fileName)”不是 JPEG 或 PNG 照片", en: "\(fileName) is not a JPEG or PNG photo")
        case ZX_IMAGE_TOO_LARGE:
            throw refusal(zh: "照片像素过多（\(info.width)×\(info.height)）", en: "The photo has too many pixels (\(info.width)×\(info.height))")
        case ZX_IMAGE_NO_MEMORY:
            throw refusal(zh: "服务器内存不足，请稍后再试", en: "The server is out of memory: try again later")
        default:
            throw refusal(zh: "照片文件已损坏或不完整", en: "The photo file is damaged or incomplete")
        }
        let name = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        return VisitPhotoUpload(
            fileName: name.isEmpty ? "photo" : String(name.prefix(100)), contentType: info.format == Int32(ZX_IMAGE_PNG.rawValue) ? "image/png" : "image/jpeg",
            width: Int(info.width), height: Int(info.height), content: bytes, thumbnail: Data(bytes: output!, count: length))
    }

    private static func refusal(zh: String, en: String) -> ValidationFailure {
        ValidationFailure([FieldIssue(field: "photo", message: LocalizedText(zh: zh, en: en))])
    }
}
