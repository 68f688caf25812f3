import Foundation
import HTTPTypes
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

/// The monitoring inbox as a cadre, a viewer and an API client see it.
@Suite struct MonitoringPageTests {
    @Test(arguments: TestDatabases.engines)
    func theInboxShowsWhatTheRulesFoundAndACadreRunsThemAgain(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, _, _ in
            var browser = signedIn
            // given: the village page links the inbox, which holds the demo's 2021 warning with its values and parameter row
            #expect(try await browser.get("/divisions/411324104201").text.contains("href=\"/divisions/411324104201/monitoring\""))
            let inbox = try await browser.get("/divisions/411324104201/monitoring")
            #expect(inbox.status == .ok && inbox.text.contains("规则预警") && inbox.text.contains("&lt; 监测标准 6,000 元（2021，全国）"))
            #expect(inbox.text.contains("2022-01-10") && inbox.text.contains("其他"))
            // the household's file shows its monitoring history
            let file = try #require(inbox.text.firstMatch(of: #/<a href="(/households/\d+)">0096</a>/#)).output.1
            let household = try await browser.get(String(file)).text
            #expect(household.contains("防返贫监测预警") && household.contains("监测标准 6,000 元") && household.contains("未结"))
            // a cadre records the household's own report with the form the file renders; a report without detail is refused
            let reportAction = try #require(household.firstMatch(of: #/<form method="post" action="(/households/\d+/monitoring/reports)"/#)).output.1
            #expect(household.contains("<option value=\"illness\">因病</option>"))
            let refusedReport = try await browser.postForm(String(reportAction), [
                ("source", "self_report"), ("riskType", "illness"), ("detail", ""), ("reportedBy", "户主"), ("foundOn", "2026-11-20"), ("spending", ""), ("income", ""),
            ])
            #expect(refusedReport.status == .badRequest && refusedReport.text.contains("请写明情况"))
            let reported = try await browser.postForm(String(reportAction), [
                ("source", "self_report"), ("riskType", "illness"), ("detail", "户主住院"), ("reportedBy", "户主"), ("foundOn", "2026-11-20"),
                ("spending", "35000"), ("income", ""),
            ])
            #expect(reported.status == .seeOther)
            #expect(try await browser.get(String(file)).text.contains("户主住院（申报人/排查人：户主；支出 35,000 元）"))
            // when: the cadre submits the scan form the page renders, for 2021
            let action = try #require(inbox.text.firstMatch(of: #/<form class="filters" method="post" action="([^"]+)"/#)).output.1
            #expect(inbox.text.contains("<option value=\"2021\""))
            let scanned = try await browser.postForm(String(action), [("year", "2021")])
            // then: nothing new — the finding is recorded — and the page says so
            #expect(scanned.status == .seeOther)
            let location = try #require(scanned.headers[.location])
            #expect(location == "/divisions/411324104201/monitoring?scanned=2021&opened=0&added=0")
            #expect(try await browser.get(location).text.contains("已按规则排查 2021 年度核查：新增预警 0 户"))
            // a year that is no year is refused on the page, naming the reason
            let refused = try await browser.postForm(String(action), [("year", "二〇二一")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("年份应在 2000 到 2100 之间"))
            // filtered by another source, the inbox is empty
            #expect(try await browser.get("/divisions/411324104201/monitoring?source=department").text.contains("暂无未结预警"))
            // the API gives the same warning, its explanation in the language asked for, and a dry run of the scan
            let listed = try await json(&browser, .get, "/api/v1/divisions/411324104201/monitoring/warnings?lang=en", nil)
            let items = try #require((try JSONSerialization.jsonObject(with: Data(listed.text.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            let signal = try #require((items.first?["signals"] as? [[String: Any]])?.first)
            #expect(items.count == 1 && signal["source"] as? String == "rule" && signal["riskType"] as? String == "other")
            #expect((signal["finding"] as? [String: Any])?["threshold"] as? Int == 600_000)
            let dry = try await json(&browser, .post, "/api/v1/divisions/411324104201/monitoring/scan", #"{"year":2021,"dryRun":true}"#)
            let result = try #require(try JSONSerialization.jsonObject(with: Data(dry.text.utf8)) as? [String: Any])
            #expect(dry.status == .ok && result["householdsScanned"] as? Int == 3 && result["thresholdFen"] as? Int == 600_000)
            #expect((result["lines"] as? [[String: Any]])?.map { $0["disposition"] as? String } == ["already_recorded"])
            let householdID = try #require(Int(String(file).dropFirst("/households/".count)))
            let filed = try await json(&browser, .post, "/api/v1/households/\(householdID)/monitoring/reports",
                                       #"{"source":"visit","riskType":"housing","detail":"院墙开裂","reportedBy":"网格员","foundOn":"2026-11-21"}"#)
            #expect(filed.status == .created && filed.text.contains("院墙开裂"))
            let rule = try await json(&browser, .post, "/api/v1/households/\(householdID)/monitoring/reports",
                                      #"{"source":"rule","riskType":"housing","detail":"x","reportedBy":"x","foundOn":"2026-11-21"}"#)
            #expect(rule.status == .badRequest || rule.status == .unprocessableContent)
            let whatIf = try await json(&browser, .get, "/api/v1/divisions/411324104201/monitoring/what-if?year=2021&thresholdFen=700000", nil)
            let counts = try #require(try JSONSerialization.jsonObject(with: Data(whatIf.text.utf8)) as? [String: Any])
            #expect(whatIf.status == .ok && counts["households"] as? Int == 3 && (counts["villages"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func aViewerSeesTheInboxWithoutTheScanForm() async throws {
        try await withDemoApp(.sqlite, as: "lsq.viewer") { signedIn, _, _ in
            var browser = signedIn
            let inbox = try await browser.get("/divisions/411324104201/monitoring")
            #expect(inbox.status == .ok && inbox.text.contains("6,000 元") && !inbox.text.contains("monitoring/scan"))
            #expect(try await browser.postForm("/divisions/411324104201/monitoring/scan", [("year", "2021")]).status == .forbidden)
        }
    }
}
