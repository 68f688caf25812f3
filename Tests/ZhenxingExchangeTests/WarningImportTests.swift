import Foundation
import Testing
import ZhenxingDomain
@testable import ZhenxingExchange

/// A department's file read under the headers that department uses; every bad row named with its column and reason.
@Suite struct WarningImportTests {
    private func read(_ csv: String, _ department: DepartmentSource) throws -> (rows: [DepartmentWarning], problems: [ImportProblem]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warnings-\(UUID().uuidString).csv")
        try Data(csv.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try WarningImport.read(try TableFile.open(url), department: department, today: "2026-12-01")
    }

    @Test func aMedicalFileIsReadUnderItsOwnHeaders() throws {
        let read = try read("姓名,公民身份号码,结算日期,诊断,个人自付\n张三,411324195808022999,2026-10-12,脑梗塞住院,\"38,500.50\"\n\n李四,41132419900101104x,2026-10-15,肺炎,\n",
                            .medical)
        #expect(read.problems.isEmpty)
        #expect(read.rows.map(\.row) == [2, 4] && read.rows.map(\.amountFen) == [3_850_050, nil])
        #expect(read.rows[1].residentID.value == "41132419900101104X" && read.rows[0].source.riskType == "illness")
    }

    @Test func badRowsAndMissingColumnsAreNamed() throws {
        // a disability file has no amount column; a column it needs is missing
        let missing = try read("身份证号,姓名\n411324195808022999,张三\n", .disability)
        #expect(missing.rows.isEmpty && missing.problems.map(\.column).sorted() == ["残疾类别", "认定日期"])
        let bad = try read("身份证号,受灾日期,灾情,损失金额\n411324195808022990,2026-07-01,房屋倒塌,1000\n411324195808022999,2026-02-30,,-5\n", .disaster)
        #expect(bad.rows.isEmpty)
        #expect(bad.problems.map { "\($0.row) \($0.column)" } == ["2 身份证号", "3 受灾日期", "3 灾情", "3 损失金额"])
        // the ID is never shown whole
        #expect(bad.problems[0].value == "411324************" && bad.problems[0].reason.zh.contains("校验位"))
        // a day after the import is named on its row
        let late = try read("身份证号,受灾日期,灾情\n411324195808022999,2026-12-02,房屋倒塌\n", .disaster)
        #expect(late.rows.isEmpty && late.problems.map { "\($0.row) \($0.column) \($0.reason.zh)" } == ["2 受灾日期 日期不能晚于今天（2026-12-01）"])
    }
}
