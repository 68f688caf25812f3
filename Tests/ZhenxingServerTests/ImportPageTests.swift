import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
import ZhenxingDomain
import ZhenxingExchange
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

extension Browser {
    /// Uploads a file with the import form, as a browser does (the CSRF token rides in the form's action).
    mutating func upload(_ path: String, file: (name: String, bytes: [UInt8]), fields: [(String, String)], csrf: String? = nil) async throws -> TestResponse {
        let boundary = "----zx\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file.bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(.post, "\(path)?_csrf=\(csrf ?? self.csrf)", headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                              body: ByteBuffer(bytes: body))
    }

    /// Waits for an import to finish (the server runs it in the background) and returns its page.
    mutating func finish(_ job: String) async throws -> String {
        let state = try await get(job + "/progress?wait=60").text
        #expect(!state.contains("\"running\""), "the import did not finish within a minute")
        return try await get(job).text
    }
}

@Suite struct ImportPageTests {
    static func check(_ body: String) -> String { body + String(ResidentID.checkCharacter(for: body)) }

    let roster = """
        户编号,姓名,身份证号,与户主关系,村民小组,备注
        9001,韩立新,\(check("41132419750505001")),户主,2,新迁入
        9001,周小梅,\(check("41132419780606002")),配偶,2,
        9002,韩立强,\(check("41132419800707003")),户主,2,
        """

    @Test(arguments: TestDatabases.engines)
    func aCadreUploadsARosterMapsAnUnknownColumnAndSeesItImported(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            // given
            let form = try await browser.get("/divisions/411324104201/import")
            #expect(form.status == .ok && form.text.contains("enctype=\"multipart/form-data\""))
            // when: the upload has a column nobody knows
            let uploaded = try await browser.upload("/divisions/411324104201/import", file: ("新户.csv", Array(roster.utf8)),
                                                    fields: [("mode", "all"), ("asOf", "2026-11-01"), ("sheet", ""), ("encoding", "")])
            // then: the user is asked what 备注 is
            #expect(uploaded.status == .seeOther)
            let job = try #require(uploaded.headers[.location])
            let mapping = try await browser.get(job)
            #expect(mapping.text.contains("备注") && mapping.text.contains("name=\"column5\""))
            // when: 备注 is left out
            let mapped = try await browser.postForm(job + "/mapping", [("column0", "householdNumber"), ("column1", "name"), ("column2", "residentID"),
                                                                      ("column3", "relation"), ("column4", "group"), ("column5", "")])
            #expect(mapped.status == .seeOther)
            let done = try await browser.finish(job)
            // then
            #expect(done.contains("导入完成"))
            let stored = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM households WHERE village_code = '411324104201' AND number IN ('9001', '9002')")
                    .first(decodingColumn: "n", as: Int.self)
            }
            #expect(stored == 2)
            let audit = try await AuditLog(database: database).entries(AuditFilter(action: .importFile))
            #expect(audit.first?.username == "lsq.secretary" && audit.first?.entityKey == "新户.csv")
        }
    }

    @Test func problemsAreListedWithRowAndColumnAndNothingIsWritten() async throws {
        try await withDemoApp(.sqlite) { signedIn, database, _ in
            var browser = signedIn
            let bad = "户编号,姓名,身份证号,与户主关系\n9001,韩立新,411324197505050011,户主\n9002,,\(Self.check("41132419800707003")),户主\n"
            let uploaded = try await browser.upload("/divisions/411324104201/import", file: ("bad.csv", Array(bad.utf8)),
                                                    fields: [("mode", "all"), ("asOf", "2026-11-01")])
            let job = try #require(uploaded.headers[.location])
            let page = try await browser.finish(job)
            #expect(page.contains("未写入任何数据"))
            #expect(page.contains("<td data-label=\"行\" class=\"num\">2</td><td data-label=\"列\">身份证号</td>") && page.contains("校验位"))
            #expect(page.contains("<td data-label=\"行\" class=\"num\">3</td><td data-label=\"列\">姓名</td>"))
            let report = try await browser.get(job + "/problems.xlsx")
            #expect(report.status == .ok && report.headers[.contentType] == TableFormat.xlsx.contentType)
            let count = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM households WHERE number IN ('9001', '9002')").first(decodingColumn: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test func uploadsWithoutTheTokenOrWithABadFileAreRefused() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            let forged = try await browser.upload("/divisions/411324104201/import", file: ("a.csv", Array(roster.utf8)),
                                                  fields: [("asOf", "2026-11-01")], csrf: "forged")
            #expect(forged.status == .forbidden)
            let pdf = try await browser.upload("/divisions/411324104201/import", file: ("a.xlsx", Array("%PDF-1.4".utf8)),
                                               fields: [("asOf", "2026-11-01")])
            #expect(pdf.status == .badRequest && pdf.text.contains("这是 PDF 文件"))
            let noDate = try await browser.upload("/divisions/411324104201/import", file: ("a.csv", Array(roster.utf8)), fields: [("asOf", "")])
            #expect(noDate.status == .badRequest && noDate.text.contains("入户日期应为 YYYY-MM-DD"))
        }
    }

    @Test func theRosterExportsMaskedAndOnlyTheRightRoleGetsFullIDs() async throws {
        try await withDemoApp(.sqlite, as: "lsq.viewer") { viewer, database, _ in
            var browser = viewer
            let masked = try await browser.get("/divisions/411324104201/roster?format=csv&date=2026-11-29")
            #expect(masked.status == .ok && masked.headers[.contentType] == TableFormat.csv.contentType)
            let lines = masked.text.split(separator: "\r\n")
            #expect(lines.count == 944 && lines[1].contains("********"))
            #expect(try await browser.get("/divisions/411324104201/roster?ids=full").status == .forbidden)
            let audit = try await AuditLog(database: database).entries(AuditFilter(action: .export))
            #expect(audit.first?.username == "lsq.viewer" && audit.first?.entity == "roster")
            let template = try await browser.get("/divisions/411324104201/import/template.xlsx")
            #expect(template.status == .ok && template.headers[.contentDisposition]?.contains("filename*=UTF-8''") == true)
        }
    }
}
