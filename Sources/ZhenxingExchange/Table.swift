import Foundation
import ZhenxingDomain

/// One row of a spreadsheet or CSV file: its number as the user sees it (Excel's row number,
/// the CSV record number) and its cells as UTF-8 bytes, which stay bytes until they are checked
/// or bound to SQL.
public struct TableRow: Sendable {
    /// 1-based row number.
    public let number: Int
    /// Cells from column A on; missing trailing cells are absent.
    public var cells: [[UInt8]]

    /// Creates a row.
    public init(number: Int, cells: [[UInt8]]) {
        self.number = number
        self.cells = cells
    }

    /// The text of column `index` (0-based), empty when absent.
    public func text(_ index: Int) -> String {
        index < cells.count ? cells[index].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } : ""
    }

    /// The text of column `index` without leading and trailing white space (ASCII, and the
    /// ideographic space U+3000 that Chinese input methods type), trimmed on the bytes.
    public func trimmed(_ index: Int) -> String {
        guard index < cells.count else { return "" }
        return cells[index].withUnsafeBufferPointer { buffer in
            var start = 0, end = buffer.count
            while start < end {
                if buffer[start] <= 0x20 { start += 1 } else if end - start >= 3, buffer[start] == 0xE3, buffer[start + 1] == 0x80, buffer[start + 2] == 0x80 { start += 3 } else { break }
            }
            while end > start {
                if buffer[end - 1] <= 0x20 { end -= 1 } else if end - start >= 3, buffer[end - 3] == 0xE3, buffer[end - 2] == 0x80, buffer[end - 1] == 0x80 { end -= 3 } else { break }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }

    /// Whether every cell is empty or white space.
    public var isBlank: Bool {
        cells.allSatisfy { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A } }
    }
}

/// A file of rows read front to back without holding it in memory.
public protocol TableSource {
    /// The sheet read (empty for CSV).
    var sheetName: String { get }
    /// Calls `body` with each row in order until it returns false or the rows end; `progress` gets the
    /// fraction of the file read so far.
    func rows(progress: (Double) -> Void, _ body: (TableRow) throws -> Bool) throws
}

/// Why a file cannot be read, in both languages.
public struct ExchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reason.
    public let message: LocalizedText

    /// Creates an error.
    public init(zh: String, en: String) {
        message = LocalizedText(zh: zh, en: en)
    }

    /// The Chinese message with the English one after it (CLI output).
    public var description: String { message.zh + " (" + message.en + ")" }
}

/// The text encodings a CSV file may have.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// UTF-8, with or without a byte-order mark.
    case utf8 = "utf-8"
    /// GB18030, which includes GBK and GB2312 (what Excel on Chinese Windows writes).
    case gb18030 = "gb18030"
}

/// The limits every reader keeps, so a hostile or broken file costs bounded time and memory.
public enum TableLimits {
    /// Columns read; a roster has about 25.
    public static let columns = 256
    /// Bytes of one cell.
    public static let cellBytes = 32_768
    /// Bytes an xlsx part may expand to.
    public static let expandedPartBytes: Int64 = 4 << 30
    /// How many times its compressed size an xlsx part may expand (real sheets: 5–20×).
    public static let expansionRatio: Int64 = 200
}

/// Opens spreadsheets and CSV files by what their bytes are, not by their names.
public enum TableFile {
    /// The kinds of file recognised.
    public enum Kind: Sendable, Equatable {
        /// An Office Open XML workbook.
        case xlsx
        /// Comma- or tab-separated text.
        case csv
    }

    /// Says what a file is from its first bytes, refusing empty files and known non-table formats.
    public static func kind(of url: URL) throws -> Kind {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw ExchangeError(zh: "无法打开文件 \(url.lastPathComponent)", en: "Cannot open the file \(url.lastPathComponent)")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard !head.isEmpty else { throw ExchangeError(zh: "文件是空的", en: "The file is empty") }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if head.starts(with: Array("%PDF".utf8)) {
            throw ExchangeError(zh: "这是 PDF 文件，不是 xlsx 或 CSV 表格", en: "This is a PDF, not an xlsx or CSV table")
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw ExchangeError(zh: "这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
                                en: "This is an old Excel (.xls) file: save it as .xlsx in Excel or WPS first")
        }
        if head.starts(with: [0x50, 0x4B]) {
            throw ExchangeError(zh: "这是损坏或不完整的压缩文件，不是有效的 xlsx", en: "This is a damaged or partial zip file, not a valid xlsx")
        }
        return .csv
    }

    /// Opens a file: for xlsx the named sheet (or the first), for CSV the given encoding (or the detected one).
    public static func open(_ url: URL, sheet: String? = nil, encoding: TextEncoding? = nil) throws -> any TableSource {
        switch try kind(of: url) {
        case .xlsx: try XLSXReader(url: url, sheet: sheet)
        case .csv: try CSVReader(url: url, encoding: encoding)
        }
    }
}

/// Byte helpers shared by the readers.
enum Bytes {
    /// Index of `needle` in `haystack[from...]`, if any.
    static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to end: Int? = nil) -> Int? {
        let limit = (end ?? haystack.count) - needle.count
        guard let first = needle.first, from <= limit else { return nil }
        var index = from
        while index <= limit {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
