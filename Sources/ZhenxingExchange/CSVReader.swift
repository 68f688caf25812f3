import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads CSV files front to back in 1 MB chunks: comma or tab separated, quoted fields with
/// doubled quotes and line breaks inside, UTF-8 with or without a byte-order mark, or GB18030
/// (GBK) converted chunk by chunk with iconv. Fields stay bytes.
public struct CSVReader: TableSource {
    /// The file.
    public let url: URL
    /// The encoding read (given or detected).
    public let encoding: TextEncoding
    /// `,` or tab.
    public let separator: UInt8
    /// The file's size in bytes.
    let size: Int

    /// CSV files have no sheets.
    public var sheetName: String { "" }

    /// Opens a file; without `encoding` it is UTF-8 when it has a byte-order mark or is valid UTF-8,
    /// GB18030 when that decodes it, and refused otherwise.
    public init(url: URL, encoding: TextEncoding? = nil) throws {
        self.url = url
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let head = [UInt8](try handle.read(upToCount: 1 << 16) ?? Data())
        guard !head.isEmpty else { throw ExchangeError(zh: "文件是空的", en: "The file is empty") }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw ExchangeError(zh: "文件是 UTF-16 编码：请另存为“CSV UTF-8”或 xlsx", en: "The file is UTF-16: save it as \"CSV UTF-8\" or xlsx")
        }
        if head.contains(0) {
            throw ExchangeError(zh: "这不是文本表格（含有二进制内容），请上传 xlsx 或 CSV", en: "This is not a text table (it has binary content); upload xlsx or CSV")
        }
        if let encoding {
            self.encoding = encoding
        } else if head.starts(with: [0xEF, 0xBB, 0xBF]) || Self.isUTF8(head, mayBeCut: head.count == 1 << 16) {
            self.encoding = .utf8
        } else if (try? GB18030Converter().convert(head[...], final: head.count < 1 << 16)) != nil {
            self.encoding = .gb18030
        } else {
            throw ExchangeError(zh: "无法识别文件编码（既不是 UTF-8 也不是 GB18030/GBK）：请在 Excel 或 WPS 中另存为“CSV UTF-8”",
                                en: "Unknown text encoding (neither UTF-8 nor GB18030/GBK): save it as \"CSV UTF-8\" in Excel or WPS")
        }
        // Separators are counted outside quotes only: a quoted header "姓名\t备注" is one comma-separated cell.
        var tabs = 0, commas = 0, quoted = false
        for byte in head.prefix(while: { $0 != 0x0A }) {
            if byte == 0x22 { quoted.toggle() } else if !quoted { if byte == 0x09 { tabs += 1 } else if byte == 0x2C { commas += 1 } }
        }
        separator = tabs > commas ? 0x09 : 0x2C
    }

    /// Whether bytes are UTF-8 (a sequence cut at the end is allowed when the buffer was cut).
    static func isUTF8(_ bytes: [UInt8], mayBeCut: Bool) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            guard length > 0 else { return false }
            if index + length > bytes.count { return mayBeCut }
            for next in 1..<length where bytes[index + next] >> 6 != 0b10 { return false }
            index += length
        }
        return true
    }

    public func rows(progress: (Double) -> Void, _ body: (TableRow) throws -> Bool) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let converter = encoding == .gb18030 ? try GB18030Converter() : nil
        var splitter = Splitter(separator: separator)
        var read = 0, first = true
        while true {
            let data = try handle.read(upToCount: 1 << 20) ?? Data()
            read += data.count
            var bytes = [UInt8](data)
            if first {
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
                first = false
            }
            if let converter { bytes = try converter.convert(bytes[...], final: data.isEmpty) }
            if data.isEmpty {
                if let row = try splitter.finish(), !(try body(row)) { return }
                progress(1)
                return
            }
            guard try splitter.feed(bytes, body) else { return }
            progress(size > 0 ? Double(read) / Double(size) : 1)
        }
    }

    /// The quote-aware byte splitter; carries a partial row across chunks.
    struct Splitter {
        let separator: UInt8
        var field: [UInt8] = []
        var fields: [[UInt8]] = []
        var inQuotes = false
        var afterQuote = false
        var record = 1

        init(separator: UInt8) {
            self.separator = separator
        }

        mutating func feed(_ bytes: [UInt8], _ body: (TableRow) throws -> Bool) throws -> Bool {
            let quote = UInt8(ascii: "\"")
            for byte in bytes {
                if inQuotes {
                    if byte == quote { inQuotes = false; afterQuote = true } else { try append(byte) }
                    continue
                }
                if afterQuote {
                    afterQuote = false
                    if byte == quote { try append(quote); inQuotes = true; continue }
                }
                switch byte {
                case quote where field.isEmpty: inQuotes = true
                case separator: try endField()
                case 0x0A:
                    try endField()
                    let row = TableRow(number: record, cells: fields)
                    fields.removeAll(keepingCapacity: true)
                    record += 1
                    guard try body(row) else { return false }
                case 0x0D: continue
                default: try append(byte)
                }
            }
            return true
        }

        mutating func finish() throws -> TableRow? {
            guard !field.isEmpty || !fields.isEmpty else { return nil }
            try endField()
            return TableRow(number: record, cells: fields)
        }

        private mutating func append(_ byte: UInt8) throws {
            guard field.count < TableLimits.cellBytes else {
                throw ExchangeError(zh: "第 \(record) 行有一个超过 32 KB 的单元格（可能缺少右引号）",
                                    en: "Row \(record) has a cell over 32 KB (perhaps a missing closing quote)")
            }
            field.append(byte)
        }

        private mutating func endField() throws {
            guard fields.count < TableLimits.columns else {
                throw ExchangeError(zh: "第 \(record) 行超过 \(TableLimits.columns) 列，这不像一份花名册", en: "Row \(record) has over \(TableLimits.columns) columns; this is not a roster")
            }
            fields.append(field)
            field.removeAll(keepingCapacity: true)
        }
    }
}

/// GB18030 → UTF-8 with glibc iconv, chunk by chunk: an incomplete sequence at the end of a chunk
/// waits for the next one.
final class GB18030Converter {
    private let descriptor: iconv_t
    private var carry: [UInt8] = []

    deinit { iconv_close(descriptor) }

    init() throws {
        descriptor = iconv_open("UTF-8", "GB18030")
        guard descriptor != iconv_t(bitPattern: -1) else {
            throw ExchangeError(zh: "本机缺少 GB18030 转换支持", en: "This machine cannot convert GB18030")
        }
    }

    func convert(_ chunk: ArraySlice<UInt8>, final: Bool) throws -> [UInt8] {
        var input = carry + chunk
        carry = []
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var produced = 0
        let consumed: Int = try input.withUnsafeMutableBufferPointer { inBuffer in
            try output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var outLeft = outBuffer.count
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                produced = outBuffer.count - outLeft
                if result == -1 && errno == EILSEQ {
                    throw ExchangeError(zh: "文件中有无法按 GB18030 解读的字节：编码可能不对，请另存为“CSV UTF-8”",
                                        en: "The file has bytes GB18030 cannot read: the encoding may be wrong; save it as \"CSV UTF-8\"")
                }
                return inBuffer.count - inLeft
            }
        }
        if consumed < input.count {
            guard !final else {
                throw ExchangeError(zh: "文件末尾的字符不完整", en: "The file ends in the middle of a character")
            }
            carry = Array(input[consumed...])
        }
        input = []
        return Array(output[..<produced])
    }
}
