import Foundation
import ZIPFoundation

/// Writes rows to a file as they come, so an export of any size keeps memory flat.
public protocol TableWriter: AnyObject {
    /// Appends a row; cells in `numericColumns` that hold a number are written as numbers.
    func append(_ cells: [String]) throws
    /// Completes the file.
    func finish() throws
}

/// The file formats exports are written in.
public enum TableFormat: String, Sendable, CaseIterable {
    /// Office Open XML workbook.
    case xlsx
    /// CSV in UTF-8 with a byte-order mark (so Excel reads Chinese correctly).
    case csv

    /// The media type of the format.
    public var contentType: String {
        self == .xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8"
    }

    /// Creates a writer of this format at `url`, with one sheet named `sheet` for xlsx.
    public func writer(to url: URL, sheet: String, numericColumns: Set<Int> = []) throws -> any TableWriter {
        switch self {
        case .csv: try CSVWriter(url: url)
        case .xlsx: try XLSXWriter(url: url, sheet: sheet, numericColumns: numericColumns)
        }
    }
}

/// Buffered appends to a file.
final class FileSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ExchangeError(zh: "无法创建文件 \(url.lastPathComponent)", en: "Cannot create the file \(url.lastPathComponent)")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func write(_ text: String) throws { try write(text.utf8) }

    func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}

/// CSV in UTF-8 with a byte-order mark, CRLF line ends, fields quoted when they need it.
public final class CSVWriter: TableWriter {
    private let sink: FileSink

    /// Creates the file.
    public init(url: URL) throws {
        sink = try FileSink(url: url)
        try sink.write([0xEF, 0xBB, 0xBF])
    }

    public func append(_ cells: [String]) throws {
        for (index, text) in cells.enumerated() {
            if index > 0 { try sink.write([0x2C]) }
            let cell = Self.inert(text)
            if cell.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                try sink.write("\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            } else {
                try sink.write(cell)
            }
        }
        try sink.write([0x0D, 0x0A])
    }

    public func finish() throws { try sink.close() }

    /// `text` as a spreadsheet will only show it: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
    /// is a formula to Excel and WPS (`=HYPERLINK(…)` in a name would come out live), so it gets a leading apostrophe,
    /// which they read as "text" — except a plain number such as `-1,234.50`.
    static func inert(_ text: String) -> String {
        guard let first = text.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) else { return text }
        if text.wholeMatch(of: #/[+-]?[0-9][0-9,]*(\.[0-9]+)?/#) != nil { return text }
        return "'" + text
    }
}

/// An xlsx workbook: sheets are streamed to temporary files and zipped on `finish()`. The first
/// row of each sheet is bold and frozen; text is written as inline strings, so ID numbers and
/// household numbers with leading zeros stay exactly as given.
public final class XLSXWriter: TableWriter {
    private let url: URL
    private let folder: URL
    private var sheets: [(name: String, file: URL)] = []
    private var sink: FileSink?
    private var numericColumns: Set<Int> = []
    private var rowNumber = 0

    /// Creates the workbook with a first sheet.
    public init(url: URL, sheet: String, numericColumns: Set<Int> = []) throws {
        self.url = url
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhenxing-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try addSheet(sheet, numericColumns: numericColumns)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Ends the current sheet and starts another.
    public func addSheet(_ name: String, numericColumns: Set<Int> = []) throws {
        try endSheet()
        let file = folder.appendingPathComponent("sheet\(sheets.count + 1).xml")
        let sink = try FileSink(url: file)
        try sink.write("""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0">\
            <pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>
            """)
        sheets.append((String(name.prefix(31)), file))
        self.sink = sink
        self.numericColumns = numericColumns
        rowNumber = 0
    }

    public func append(_ cells: [String]) throws {
        guard let sink else { return }
        rowNumber += 1
        var xml = "<row r=\"\(rowNumber)\">"
        for (index, cell) in cells.enumerated() where !cell.isEmpty {
            let reference = Self.columnName(index) + String(rowNumber)
            if rowNumber > 1, numericColumns.contains(index), Double(cell) != nil {
                xml += "<c r=\"\(reference)\"><v>\(cell)</v></c>"
            } else {
                xml += "<c r=\"\(reference)\" t=\"inlineStr\"\(rowNumber == 1 ? " s=\"1\"" : "")><is><t xml:space=\"preserve\">\(Self.escape(cell))</t></is></c>"
            }
        }
        try sink.write(xml + "</row>")
    }

    public func finish() throws {
        try endSheet()
        try? FileManager.default.removeItem(at: url)
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .create) } catch {
            throw ExchangeError(zh: "无法创建文件 \(url.lastPathComponent)", en: "Cannot create the file \(url.lastPathComponent)")
        }
        let names = sheets.enumerated()
        let parts: [(String, String)] = [
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
                \(names.map { index, _ in "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
                </Types>
                """),
            ("_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
                </Relationships>
                """),
            ("xl/workbook.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
                \(names.map { index, sheet in "<sheet name=\"\(Self.escape(sheet.name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>" }.joined())\
                </sheets></workbook>
                """),
            ("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                \(names.map { index, _ in "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>" }.joined())\
                <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
                </Relationships>
                """),
            ("xl/styles.xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
                <fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>\
                <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
                <borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
                <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
                """),
        ]
        do {
            for (path, text) in parts {
                let data = Data(text.utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            for (index, sheet) in sheets.enumerated() {
                let handle = try FileHandle(forReadingFrom: sheet.file)
                defer { try? handle.close() }
                let size = Int64(try handle.seekToEnd())
                try archive.addEntry(with: "xl/worksheets/sheet\(index + 1).xml", type: .file, uncompressedSize: size,
                                     compressionMethod: .deflate, bufferSize: 1 << 18) { position, size in
                    try handle.seek(toOffset: UInt64(position))
                    return try handle.read(upToCount: size) ?? Data()
                }
            }
        } catch {
            throw ExchangeError(zh: "写入 xlsx 文件失败：\(error)", en: "Writing the xlsx file failed: \(error)")
        }
    }

    private func endSheet() throws {
        guard let sink else { return }
        try sink.write("</sheetData></worksheet>")
        try sink.close()
        self.sink = nil
    }

    /// 0 → A, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var name = "", value = index + 1
        while value > 0 {
            let remainder = (value - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            value = (value - 1) / 26
        }
        return name
    }

    /// Text safe inside XML, without the control characters XML 1.0 forbids.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}

extension TableWriter {
    /// Appends a list a page at a time, so memory holds one page whatever the list's length, and completes the file;
    /// returns the rows written. `page` reads the rows after a key (nil: from the start), `key` gives a row's key.
    public func appendPages<Row, Key>(size: Int = 2_000, page: (Key?, Int) async throws -> [Row], key: (Row) -> Key,
                                      cells: (Row) throws -> [String]) async throws -> Int {
        var written = 0
        var after: Key?
        while true {
            let rows = try await page(after, size)
            for row in rows {
                try append(try cells(row))
            }
            written += rows.count
            guard rows.count == size, let last = rows.last else { break }
            after = key(last)
        }
        try finish()
        return written
    }
}
