import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

/// The people and assessments lists: filters, pages, masked IDs, and exports of what they show.
@Suite struct RegistryListPageTests {
    @Test(arguments: TestDatabases.engines)
    func peopleAndAssessmentsAreListedFilteredAndExported(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, passwords in
            var browser = signedIn
            // the people living in the village at the end of 2018: FACTS.md's population of 941, IDs masked on the page
            let page = try await browser.get("/divisions/411324104201/people?date=2018-12-31").text
            #expect(page.contains("凉水泉村 · 人口信息") && page.contains("********") && page.contains(">下一页<"))
            #expect(page.firstMatch(of: #/\d{17}[\dX]/#) == nil)
            let everyone = try await browser.get("/divisions/411324104201/people/export?date=2018-12-31&format=csv").text
            #expect(everyone.hasPrefix("\u{FEFF}村代码,户编号,组,姓名,身份证号") && everyone.split(whereSeparator: \.isNewline).count == 1 + 941)
            #expect(everyone.firstMatch(of: #/\d{17}[\dX]/#) == nil)
            // filtered: everyone able to work has work (FACTS.md: 100 % employment), the same on the page and in the file
            let able = try await browser.get("/divisions/411324104201/people/export?date=2026-11-29&work=able&format=csv").text
            let ableRows = able.split(whereSeparator: \.isNewline).dropFirst()
            #expect(ableRows.count > 100 && ableRows.allSatisfy { row in ["外出务工", "县内务工", "扶贫车间", "公益岗位", "自主经营"].contains { row.contains($0) } })
            #expect(try await browser.get("/divisions/411324104201/people?date=2026-11-29&work=able").text
                .matches(of: #/<tr><td data-label="户编号" class="mono"><a href="/households/#).count == 50)
            #expect(try await browser.get("/divisions/411324104201/people/export?date=2026-11-29&work=unemployed&format=csv").text
                .split(whereSeparator: \.isNewline).count == 1)
            #expect(try await browser.get("/divisions/411324104201/people?work=everyone").status == .badRequest)
            // full IDs only for a user with the right who asks, and recorded
            let full = try await browser.get("/divisions/411324104201/people/export?date=2018-12-31&ids=full&format=csv").text
            #expect(full.firstMatch(of: #/\d{17}[\dX]/#) != nil)
            let recorded = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM audit_log WHERE entity = 'people_full_ids'").first(decodingColumn: "n", as: Int.self) ?? 0
            }
            #expect(recorded == 1)
            var viewer = try await browser.signIn("lsq.viewer", passwords["lsq.viewer"]!)
            #expect(try await viewer.get("/divisions/411324104201/people/export?ids=full&format=csv").status == .forbidden)
            #expect(!(try await viewer.get("/divisions/411324104201/people").text.contains("ids=full")))
            // the 2016 assessments: FACTS.md's 76 poor households, each with its check against that year's line
            let assessments = try await browser.get("/divisions/411324104201/assessments?year=2016").text
            #expect(assessments.contains("凉水泉村 · 2016 收入核算") && assessments.contains(">下一页<")
                    && assessments.matches(of: #/<tr><td data-label="户编号" class="mono"><a href="/households/#).count == 50)
            let file = try await browser.get("/divisions/411324104201/assessments/export?year=2016&format=csv").text
            #expect(file.hasPrefix("\u{FEFF}村代码,户编号,户主,人数") && file.split(whereSeparator: \.isNewline).count == 1 + 76)
            let passes2018 = try await browser.get("/divisions/411324104201/assessments/export?year=2018&format=csv").text
            #expect(passes2018.split(whereSeparator: \.isNewline).count == 1 + 36)
        }
    }
}
