import Foundation
import PropertyBased
import Testing
@testable import ZhenxingExchange

// Round trips of random tables through the project's own writers and readers: what an export writes,
// an import reads back cell for cell. Cells are built from the pieces that break naive CSV and XML code
// (quotes, separators, line breaks, BOM, entities, markup, CJK, combining marks, emoji, empty cells).
// A failure prints the table and a `.fixedSeed(…)` to replay it.

private let cellPieces: [String] = [
    "a", "Z", "0", "7", "12", "-3.5", "1e5", "nan", " ", ",", ";", "\"", "\"\"", "'", "\n", "\r", "\r\n", "\t",
    "=", "+", "-", "@", "马", "宇航", "户编号", "\u{3000}", "\u{FEFF}", "&", "<", ">", "&amp;", "&#x4E2D;", "&lt", "]]>",
    "</row>", "<c r=\"A1\">", "</c>", "<v>", "<t>", "\\", "e\u{301}", "😀", "\u{FFFD}", "\u{7F}", "\u{1}", "\u{1F}",
]

private func text(of pieces: [String], _ count: ClosedRange<Int>) -> Generator<String, some SendableSequenceType> {
    Gen<String?>.element(of: pieces).map { $0! }.array(of: count).map { $0.joined() }
}

/// Rows of 1–6 cells, 1–6 rows; cells of 0–5 pieces (so often empty).
private var tables: Generator<[[String]], some SendableSequenceType> { text(of: cellPieces, 0...5).array(of: 1...6).array(of: 1...6) }

/// The same, with a header row, as every export writes.
private var csvTables: Generator<[[String]], some SendableSequenceType> {
    zip(text(of: cellPieces, 0...5).array(of: 1...6), text(of: cellPieces, 0...5).array(of: 1...6).array(of: 0...5))
        .map { header, rows in [header] + rows }
}

/// Text that starts a formula in Excel or WPS; the CSV writer may put an apostrophe before it.
private func startsFormula(_ cell: String) -> Bool {
    cell.utf8.first.map { [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains($0) } ?? false
}

/// What the xlsx writer can keep of a cell: XML 1.0 has no other control characters than tab, LF and CR.
private func xmlText(_ cell: String) -> String {
    String(String.UnicodeScalarView(cell.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
}

/// Every row of a table file.
private func allRows(_ source: any TableSource) throws -> [TableRow] {
    var rows: [TableRow] = []
    try source.rows(progress: { _ in }) { row in
        rows.append(row)
        return true
    }
    return rows
}

private func scratchFile(_ suffix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("zx-cells-\(UUID().uuidString).\(suffix)")
}

private func show(_ cells: [[UInt8]]) -> String {
    cells.map { String(decoding: $0, as: UTF8.self) }.debugDescription
}

@Suite struct CellPropertyTests {
    @Test func csvWriterOutputReadsBackCellForCell() async {
        await propertyCheck(count: 500, input: csvTables) { table in
            let url = scratchFile("csv")
            defer { try? FileManager.default.removeItem(at: url) }
            let writer = try CSVWriter(url: url)
            for row in table { try writer.append(row) }
            try writer.finish()

            let reader = try #require(try TableFile.open(url) as? CSVReader)
            #expect(reader.encoding == .utf8)
            #expect(reader.separator == UInt8(ascii: ","))
            let rows = try allRows(reader)
            #expect(rows.map(\.number) == Array(1...table.count))
            try #require(rows.count == table.count, "read \(rows.map { show($0.cells) })")
            for (written, read) in Swift.zip(table, rows) {
                // Exactly the cell, or (formula-injection defence) the cell after an apostrophe.
                let same = written.count == read.cells.count && Swift.zip(written, read.cells).allSatisfy { cell, bytes in
                    bytes == Array(cell.utf8) || (startsFormula(cell) && bytes == Array(("'" + cell).utf8))
                }
                #expect(same, "row \(read.number): wrote \(written.debugDescription), read \(show(read.cells))")
            }
        }
    }

    @Test func csvFirstRowWithATabKeepsItsCommaSeparator() async throws {
        // given: a one-column export whose header holds a tab (once read back split at the tab)
        let url = scratchFile("csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try CSVWriter(url: url)
        try writer.append(["姓名\t备注"])
        try writer.append(["马宇航\t低保"])
        try writer.finish()
        // when
        let reader = try CSVReader(url: url)
        let rows = try allRows(reader)
        // then: the tab is text inside a quoted cell, and the file stays comma-separated
        #expect(reader.separator == UInt8(ascii: ","))
        #expect(rows.map(\.cells) == [[Array("姓名\t备注".utf8)], [Array("马宇航\t低保".utf8)]])
    }

    @Test func xlsxWriterOutputReadsBackCellForCell() async {
        let names = text(of: cellPieces.filter { xmlText($0) == $0 }, 0...12)
        let numericColumns = Gen.int(in: 0...5).array(of: 0...3).map(Set.init)
        await propertyCheck(count: 150, input: tables, names, numericColumns) { table, name, numeric in
            let url = scratchFile("xlsx")
            defer { try? FileManager.default.removeItem(at: url) }
            let writer = try XLSXWriter(url: url, sheet: name, numericColumns: numeric)
            for row in table { try writer.append(row) }
            try writer.finish()

            let reader = try #require(try TableFile.open(url) as? XLSXReader)
            #expect(reader.sheetNames == [String(name.prefix(31))])
            let rows = try allRows(reader)
            #expect(rows.map(\.number) == Array(1...table.count))
            try #require(rows.count == table.count, "read \(rows.map { show($0.cells) })")
            for (written, read) in Swift.zip(table, rows) {
                // Empty cells are not written, so trailing ones do not come back; inner ones come back empty.
                var expected = written.map(xmlText)
                while expected.last?.isEmpty == true { expected.removeLast() }
                #expect(read.cells == expected.map { Array($0.utf8) }, "row \(read.number): wrote \(written.debugDescription), read \(show(read.cells))")
            }
        }
    }
}
