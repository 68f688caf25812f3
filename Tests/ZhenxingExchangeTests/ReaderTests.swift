import Foundation
import Testing
import ZIPFoundation
@testable import ZhenxingExchange

/// A scratch folder removed after the test.
func withFolder(_ body: (URL) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-exchange-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder)
}

/// Every row of a table as text.
func texts(_ source: any TableSource) throws -> [[String]] {
    var rows: [[String]] = []
    try source.rows(progress: { _ in }) { row in
        rows.append(row.cells.map { String(decoding: $0, as: UTF8.self) })
        return true
    }
    return rows
}

/// Builds an xlsx from raw parts, as Excel or WPS would write them.
func workbook(at url: URL, parts: [String: String]) throws {
    let archive = try Archive(url: url, accessMode: .create)
    for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
        let data = Data(text.utf8)
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
}

let relations = """
    <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
    """

/// An Excel-like workbook: two sheets, shared strings with rich-text and phonetic runs, a date
/// style and a custom Chinese date format, a title row and a header merged over two rows.
func excelLikeWorkbook(at url: URL, prefix: String = "") throws {
    let p = prefix.isEmpty ? "" : prefix + ":"
    let ns = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
    try workbook(at: url, parts: [
        "_rels/.rels": relations,
        "xl/workbook.xml": """
            <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
            <sheet name="说明" sheetId="1" r:id="rId2"/><sheet name="花名册" sheetId="2" r:id="rId1"/></sheets></workbook>
            """,
        "xl/_rels/workbook.xml.rels": """
            <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet7.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/notes.xml"/>\
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
            <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """,
        "xl/sharedStrings.xml": """
            <?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">\
            <si><t>凉水泉村建档立卡户花名册</t></si><si><t>户编号</t></si>\
            <si><r><rPr><b/></rPr><t>姓</t></r><r><t xml:space="preserve">名</t></r><rPh sb="0" eb="1"><t>xing ming</t></rPh></si>\
            <si><t>身份证号码</t></si><si><t>马 &amp; 宇航</t></si><si/><si><t>出生日期</t></si></sst>
            """,
        "xl/styles.xml": """
            <?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>\
            <cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>\
            <cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/></cellXfs></styleSheet>
            """,
        "xl/worksheets/notes.xml": """
            <?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1"><c r="A1" t="inlineStr"><is><t>说明页</t></is></c></row></sheetData></worksheet>
            """,
        "xl/worksheets/sheet7.xml": """
            <?xml version="1.0" encoding="UTF-8"?><\(p)worksheet \(ns)="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <\(p)cols><\(p)col min="1" max="3" width="12"/></\(p)cols><\(p)sheetData>\
            <\(p)row r="1"><\(p)c r="A1" t="s"><\(p)v>0</\(p)v></\(p)c></\(p)row>\
            <\(p)row r="2"><\(p)c r="A2" t="s"><\(p)v>1</\(p)v></\(p)c><\(p)c r="B2" t="s"><\(p)v>2</\(p)v></\(p)c><\(p)c r="C2" t="s"><\(p)v>3</\(p)v></\(p)c>\
            <\(p)c r="D2" t="s"><\(p)v>6</\(p)v></\(p)c></\(p)row>\
            <\(p)row r="3"/>\
            <\(p)row r="4"><\(p)c r="A4"><\(p)v>1</\(p)v></\(p)c><\(p)c r="B4" t="s"><\(p)v>4</\(p)v></\(p)c>\
            <\(p)c r="C4" t="inlineStr"><\(p)is><\(p)t>411324195812267032</\(p)t></\(p)is></\(p)c><\(p)c r="D4" s="1"><\(p)v>21545</\(p)v></\(p)c>\
            <\(p)c r="F4" s="2"><\(p)v>44561.5</\(p)v></\(p)c><\(p)c r="G4" t="s"><\(p)v>5</\(p)v></\(p)c><\(p)c r="H4" t="str"><\(p)f>A4&amp;"x"</\(p)f><\(p)v>1x</\(p)v></\(p)c></\(p)row>\
            </\(p)sheetData></\(p)worksheet>
            """,
    ])
}

@Suite struct XLSXReaderTests {
    @Test(arguments: ["", "x"])
    func readsWhatExcelAndWPSWrite(prefix: String) async throws {
        try await withFolder { folder in
            // given
            let url = folder.appendingPathComponent("roster.xlsx")
            try excelLikeWorkbook(at: url, prefix: prefix)
            // when
            let reader = try XLSXReader(url: url, sheet: "花名册")
            let rows = try texts(reader)
            // then
            #expect(reader.sheetNames == ["说明", "花名册"])
            #expect(rows.count == 3)  // the empty row 3 has no cells and is left out
            #expect(rows[0] == ["凉水泉村建档立卡户花名册"])
            #expect(rows[1] == ["户编号", "姓名", "身份证号码", "出生日期"])  // rich-text runs joined, phonetic run left out
            #expect(rows[2] == ["1", "马 & 宇航", "411324195812267032", "1958-12-26", "", "2021-12-31", "", "1x"])
        }
    }

    @Test func picksTheFirstSheetByDefaultAndNamesTheSheetsWhenOneIsMissing() async throws {
        try await withFolder { folder in
            let url = folder.appendingPathComponent("roster.xlsx")
            try excelLikeWorkbook(at: url)
            #expect(try texts(try XLSXReader(url: url)) == [["说明页"]])
            let missing = #expect(throws: ExchangeError.self) { try XLSXReader(url: url, sheet: "Sheet9") }
            #expect(missing?.message.zh.contains("说明、花名册") == true)
        }
    }

    @Test func writerOutputReadsBackExactly() async throws {
        try await withFolder { folder in
            let url = folder.appendingPathComponent("out.xlsx")
            let writer = try XLSXWriter(url: url, sheet: "花名册", numericColumns: [2])
            try writer.append(["户编号", "姓名", "人数"])
            try writer.append(["0001", "A<&>\"B\"", "3"])
            try writer.addSheet("第二页")
            try writer.append(["x"])
            try writer.finish()
            let reader = try XLSXReader(url: url)
            #expect(reader.sheetNames == ["花名册", "第二页"])
            #expect(try texts(reader) == [["户编号", "姓名", "人数"], ["0001", "A<&>\"B\"", "3"]])
        }
    }

    @Test func refusesWhatIsNotAnXlsxAndHostileWorkbooks() async throws {
        try await withFolder { folder in
            // A PDF renamed to .xlsx, an empty file, an old .xls.
            let pdf = folder.appendingPathComponent("roster.xlsx")
            try Data("%PDF-1.7 ...".utf8).write(to: pdf)
            #expect(throws: ExchangeError.self) { try TableFile.open(pdf) }
            let empty = folder.appendingPathComponent("empty.csv")
            try Data().write(to: empty)
            let refusal1 = #expect(throws: ExchangeError.self) { try TableFile.open(empty) }
            #expect(refusal1?.message.zh == "文件是空的")
            // A sheet that inflates a thousand-fold: reading stops at the limit.
            let bomb = folder.appendingPathComponent("bomb.xlsx")
            let archive = try Archive(url: bomb, accessMode: .create)
            for (path, text) in [("_rels/.rels", relations), ("xl/workbook.xml", "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>"),
                                 ("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")] {
                let data = Data(text.utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count)) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
            }
            let chunk = Data("<worksheet><sheetData>".utf8) + Data(repeating: 0x20, count: 1 << 20)
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(100 << 20), compressionMethod: .deflate) { position, size in
                position == 0 ? chunk.prefix(size) : chunk.suffix(size)
            }
            let refusal2 = #expect(throws: ExchangeError.self) { try texts(try XLSXReader(url: bomb)) }
            #expect(refusal2?.message.zh.contains("压缩炸弹") == true)
            // A cell far beyond any roster's width.
            let wide = folder.appendingPathComponent("wide.xlsx")
            try workbook(at: wide, parts: [
                "_rels/.rels": relations,
                "xl/workbook.xml": "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>",
                "xl/_rels/workbook.xml.rels": "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
                "xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r=\"1\"><c r=\"XFD1\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>",
            ])
            let refusal3 = #expect(throws: ExchangeError.self) { try texts(try XLSXReader(url: wide)) }
            #expect(refusal3?.message.zh.contains("超过 256 列") == true)
        }
    }

    @Test func aDeflateStreamThatRunsIntoTheEndOfTheFileIsADamagedFileNotAHang() throws {
        // given: the fuzzer's input on which ZIPFoundation's own extract inflates forever
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/xlsx/hang-zipfoundation-inflate-at-eof.xlsx")
        // when / then: reading ends with the refusal of a damaged part
        let error = #expect(throws: ExchangeError.self) { try texts(try XLSXReader(url: file)) }
        #expect(error?.message.zh.contains("已损坏") == true || error?.message.zh.contains("不是有效的") == true)
    }
}

@Suite struct CSVReaderTests {
    @Test func splitsQuotedFieldsWithBOMAndCRLF() async throws {
        try await withFolder { folder in
            let url = folder.appendingPathComponent("roster.csv")
            try Data([0xEF, 0xBB, 0xBF] + Array("户编号,姓名,备注\r\n0001,\"马,宇航\",\"说\"\"好\"\"\n第二行\"\r\n0002,郭秀英,".utf8)).write(to: url)
            let reader = try CSVReader(url: url)
            #expect(reader.encoding == .utf8 && reader.separator == 0x2C)
            #expect(try texts(reader) == [["户编号", "姓名", "备注"], ["0001", "马,宇航", "说\"好\"\n第二行"], ["0002", "郭秀英", ""]])
        }
    }

    @Test func detectsGB18030AndTabs() async throws {
        try await withFolder { folder in
            let url = folder.appendingPathComponent("roster.txt")
            // 户编号 \t 姓名 / 0001 \t 马宇航, in GB18030 (what Excel on Chinese Windows writes).
            let gb: [UInt8] = [0xBB, 0xA7, 0xB1, 0xE0, 0xBA, 0xC5, 0x09, 0xD0, 0xD5, 0xC3, 0xFB, 0x0A, 0x30, 0x30, 0x30, 0x31, 0x09, 0xC2, 0xED, 0xD3, 0xEE, 0xBA, 0xBD, 0x0A]
            try Data(gb).write(to: url)
            let reader = try CSVReader(url: url)
            #expect(reader.encoding == .gb18030 && reader.separator == 0x09)
            #expect(try texts(reader) == [["户编号", "姓名"], ["0001", "马宇航"]])
        }
    }

    @Test func refusesUnknownEncodingsAndBinaries() async throws {
        try await withFolder { folder in
            let utf16 = folder.appendingPathComponent("a.csv")
            try Data([0xFF, 0xFE, 0x37, 0x62]).write(to: utf16)
            let refusal4 = #expect(throws: ExchangeError.self) { try CSVReader(url: utf16) }
            #expect(refusal4?.message.zh.contains("UTF-16") == true)
            let neither = folder.appendingPathComponent("b.csv")
            try Data([0x41, 0x2C, 0xFF, 0xFF, 0x0A]).write(to: neither)
            let refusal5 = #expect(throws: ExchangeError.self) { try CSVReader(url: neither) }
            #expect(refusal5?.message.zh.contains("无法识别文件编码") == true)
        }
    }
}

@Suite struct RosterLayoutTests {
    @Test func findsTheHeaderBelowTitleRowsAndUnderMergedCells() {
        let rows = [
            TableRow(number: 1, cells: [Array("凉水泉村花名册".utf8)]),
            TableRow(number: 2, cells: [Array("户编号".utf8), Array("家庭成员信息".utf8), [], [], Array("序号".utf8)]),
            TableRow(number: 3, cells: [[], Array("姓名".utf8), Array("公民身份号码".utf8), Array(" 与户主\n关系 ".utf8), []]),
        ]
        let layout = RosterLayout.detect(rows)
        #expect(layout?.headerRow == 3)
        #expect(layout?.fields == [.householdNumber, .name, .residentID, .relation, nil])
        #expect(layout?.missing == [])
        #expect(layout?.unmatched.map(\.header) == ["序号"])
        let mapped = RosterLayout.detect(rows, mapping: ["序号": .phone])
        #expect(mapped?.unmatched.isEmpty == true && mapped?.column(of: .phone) == 4)
    }
}
