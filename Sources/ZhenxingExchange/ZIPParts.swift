import Foundation
import ZIPFoundation

/// The parts of a zip file (an xlsx) as its central directory lists them, and their bytes read back.
///
/// The reading is ours because ZIPFoundation 0.9.20 inflates forever once a deflate stream runs into the end of the
/// file without ending (a crafted upload held an import, and on SQLite every write, for good): here a part's stream
/// gets exactly its compressed size and a stream that wants more is a damaged file. Only zlib's inflate, through
/// ZIPFoundation's `Data.decompress`, is borrowed.
struct ZIPParts {
    /// One part: where its local header starts, how it is stored, and the sizes its directory entry claims.
    struct Part {
        let path: String
        let method: UInt16
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let headerOffset: UInt64
    }

    /// More parts or a larger directory than any workbook has: refused before reading it.
    static let maxParts = 10_000
    static let maxDirectoryBytes: UInt64 = 16 << 20

    private let file: FileHandle
    private let size: UInt64
    private let parts: [String: Part]

    /// Reads the central directory of the zip file at `url`.
    init(url: URL) throws {
        guard let file = try? FileHandle(forReadingFrom: url), let size = try? file.seekToEnd() else { throw Self.notAZip }
        self.file = file
        self.size = size
        // The end-of-central-directory record: 22 bytes and a comment of up to 65,535, found from the end.
        let tailStart = size - min(size, 22 + 0xFFFF)
        let tail = try Self.read(file, at: tailStart, count: Int(size - tailStart))
        guard tail.count >= 22, let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail.u32($0) == 0x0605_4B50 }) else {
            throw Self.notAZip
        }
        var count = UInt64(tail.u16(end + 10)), directorySize = UInt64(tail.u32(end + 12)), directoryOffset = UInt64(tail.u32(end + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the ZIP64 end record with the full sizes.
            guard end >= 20, tail.u32(end - 20) == 0x0706_4B50 else { throw Self.notAZip }
            let record = try Self.read(file, at: tail.u64(end - 20 + 8), count: 56)
            guard record.count == 56, record.u32(0) == 0x0606_4B50 else { throw Self.notAZip }
            count = record.u64(32)
            directorySize = record.u64(40)
            directoryOffset = record.u64(48)
        }
        guard count <= UInt64(Self.maxParts), directorySize <= Self.maxDirectoryBytes,
              directoryOffset <= size, directorySize <= size - directoryOffset else { throw Self.notAZip }
        let directory = try Self.read(file, at: directoryOffset, count: Int(directorySize))
        var parts: [String: Part] = [:]
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, directory.u32(at) == 0x0201_4B50 else { throw Self.notAZip }
            let nameLength = Int(directory.u16(at + 28)), extraLength = Int(directory.u16(at + 30)), commentLength = Int(directory.u16(at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { throw Self.notAZip }
            var uncompressed = UInt64(directory.u32(at + 24)), compressed = UInt64(directory.u32(at + 20)), offset = UInt64(directory.u32(at + 42))
            // ZIP64 sizes and offset, each present only where the 32-bit field is all ones.
            var extra = at + 46 + nameLength
            while extra + 4 <= at + 46 + nameLength + extraLength {
                let id = directory.u16(extra), length = Int(directory.u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    func widen(_ value: inout UInt64) {
                        guard value == 0xFFFF_FFFF, field + 8 <= extra + 4 + length, field + 8 <= directory.count else { return }
                        value = directory.u64(field)
                        field += 8
                    }
                    widen(&uncompressed)
                    widen(&compressed)
                    widen(&offset)
                }
                extra += 4 + length
            }
            let path = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            parts[path] = Part(path: path, method: directory.u16(at + 10), compressedSize: compressed, uncompressedSize: uncompressed, headerOffset: offset)
            at += 46 + nameLength + extraLength + commentLength
        }
        self.parts = parts
    }

    /// The part at `path`, if the file has one.
    subscript(path: String) -> Part? { parts[path] }

    /// Calls `body` with the part's bytes in chunks of at most `chunk` (inflated when deflated). Throws `damaged`
    /// when the part lies outside the file or its stream does not end within its compressed size.
    func read(_ part: Part, chunk: Int = 1 << 18, _ body: (Data) throws -> Void) throws {
        let header = try Self.read(file, at: part.headerOffset, count: 30)
        guard header.count == 30, header.u32(0) == 0x0403_4B50 else { throw Self.damaged(part) }
        let start = part.headerOffset + 30 + UInt64(header.u16(26)) + UInt64(header.u16(28))
        guard start <= size, part.compressedSize <= size - start else { throw Self.damaged(part) }
        let length = part.compressedSize
        func bytes(_ position: UInt64, _ count: Int) throws -> Data {
            try Self.read(file, at: start + position, count: Int(min(UInt64(count), length - position)))
        }
        switch part.method {
        case 0:
            var position: UInt64 = 0
            while position < length {
                let data = try bytes(position, chunk)
                guard !data.isEmpty else { throw Self.damaged(part) }
                position += UInt64(data.count)
                try body(data)
            }
        case 8:
            _ = try Data.decompress(size: Int64(clamping: length), bufferSize: chunk, skipCRC32: true, provider: { position, count in
                // The stream asks for more than the part holds: it never ends, and the file is damaged.
                guard position >= 0, UInt64(position) < length else { throw Self.damaged(part) }
                return try bytes(UInt64(position), count)
            }, consumer: { data in if !data.isEmpty { try body(data) } })
        default:
            throw ExchangeError(zh: "xlsx 中的 \(part.path) 使用了不支持的压缩方式", en: "\(part.path) in the xlsx uses an unsupported compression method")
        }
    }

    private static func read(_ file: FileHandle, at offset: UInt64, count: Int) throws -> Data {
        try file.seek(toOffset: offset)
        return try file.read(upToCount: count) ?? Data()
    }

    static let notAZip = ExchangeError(zh: "不是有效的 xlsx 文件（无法按压缩包打开）", en: "Not a valid xlsx file (it does not open as a zip archive)")

    static func damaged(_ part: Part) -> ExchangeError {
        ExchangeError(zh: "xlsx 文件已损坏，无法解压 \(part.path)", en: "The xlsx file is damaged: \(part.path) does not inflate")
    }
}

private extension Data {
    // Little-endian fields of a zip record, read from any offset (a Data slice keeps its parent's indices).
    func u16(_ at: Int) -> UInt16 { UInt16(self[startIndex + at]) | UInt16(self[startIndex + at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}
