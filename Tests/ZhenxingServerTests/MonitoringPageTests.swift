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

    @Test(arguments: TestDatabases.engines)
    func aWarningIsCarriedToItsDecisionWithTheFormsTheFileRenders(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, _, passwords in
            var cadre = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            // given: the demo's warning of 10 January 2022 waits for its home check, due 17 January: overdue
            let inbox = try await cadre.get("/divisions/411324104201/monitoring?step=home_check&overdue=1").text
            #expect(inbox.contains("入户核实 · 期限 2022-01-17") && inbox.contains("<span class=\"bad\">逾期</span>"))
            let file = String(try #require(inbox.firstMatch(of: #/<a href="(/households/\d+)">0096</a>/#)).output.1)
            func form(_ browser: inout Browser, _ step: String) async throws -> RenderedForm {
                try #require(RenderedForm.all(in: try await browser.get(file).text).first { $0["step"] == step }, "no form for \(step)")
            }
            // the cadre records the village's steps with the forms the file renders
            for (step, values) in [
                ("home_check", [("day", "2022-01-14"), ("person", "李红梅"), ("detail", "务工收入下降属实")]),
                ("undertaking", [("day", "2022-01-18"), ("person", "户主")]),
                ("appraisal", [("day", "2022-01-21"), ("person", "村支书"), ("attendance", "23")]),
            ] {
                var filled = try await form(&cadre, step)
                for (name, value) in values { filled[name] = value }
                #expect(try await cadre.submit(filled).status == .seeOther, "\(step)")
            }
            // a notice without its objection window is refused on the page, naming it
            var notice = try await form(&cadre, "notice")
            notice["day"] = "2022-01-25"
            notice["person"] = "村委会"
            let refused = try await cadre.submit(notice)
            #expect(refused.status == .badRequest && refused.text.contains("请填写公示结束日期（异议期）"))
            notice["endDay"] = "2022-01-29"
            #expect(try await cadre.submit(notice).status == .seeOther)
            // the cadre gets no form for the township's review, and its address refuses them
            let waiting = try await cadre.get(file).text
            #expect(waiting.contains("下一环节：乡镇审核 · 期限 2022-02-08") && !RenderedForm.all(in: waiting).contains { $0["step"] == "township_review" })
            let warning = String(try #require(notice.action.firstMatch(of: #/monitoring/(\d+)/steps/#)).output.1)
            #expect(try await cadre.postForm("\(file)/monitoring/\(warning)/decisions", [("procedure", "entry"), ("step", "township_review")]).status == .forbidden)
            // the officer reviews and decides with the forms the file renders for them
            var officer = try await anonymous.signIn("zhenping.officer", passwords["zhenping.officer"]!)
            var review = try await form(&officer, "township_review")
            review["day"] = "2022-02-07"
            review["person"] = "镇平乡"
            #expect(try await officer.submit(review).status == .seeOther)
            var decision = try await form(&officer, "decision")
            #expect(decision["result"] == "entered" && decision["riskTypes[]"] == "other")
            decision["day"] = "2022-02-08"
            decision["person"] = "县乡村振兴局"
            decision["category"] = "marginal"
            decision["detail"] = "人均纯收入低于监测标准"
            #expect(try await officer.submit(decision).status == .seeOther)
            // then: the file shows every step and the household's monitored status; the board lists it without a plan, overdue
            let decided = try await cadre.get(file).text
            #expect(decided.contains("县级审定纳入") && decided.contains("纳入监测（其他）") && decided.contains("公示至 2022-01-29") && decided.contains("到会 23 人"))
            #expect(decided.contains("监测户（边缘易致贫户）") || decided.contains("边缘易致贫户"))
            let board = try await cadre.get("/divisions/411324104201/monitoring").text
            #expect(board.contains("暂无未结预警") && board.contains("监测对象") && board.contains("未制定（期限 2022-02-22）"))
            // the API gives the history with its steps, and refuses a step of a decided procedure
            let householdID = try #require(Int(file.dropFirst("/households/".count)))
            let history = try await json(&cadre, .get, "/api/v1/households/\(householdID)/monitoring/warnings", nil)
            let items = try #require((try JSONSerialization.jsonObject(with: Data(history.text.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(items.first?["outcome"] as? String == "entered" && (items.first?["steps"] as? [[String: Any]])?.count == 6)
            let again = try await json(&officer, .post, "/api/v1/households/\(householdID)/monitoring/warnings/\(warning)/steps",
                                       #"{"procedure":"entry","step":"decision","day":"2022-02-09","person":"县","result":"not_entered","detail":"x"}"#)
            #expect(again.status == .badRequest && again.text.contains("本程序已作出决定"))
            let cadreDecides = try await json(&cadre, .post, "/api/v1/households/\(householdID)/monitoring/warnings/\(warning)/steps",
                                              #"{"procedure":"entry","step":"decision","day":"2022-02-09","person":"县","result":"not_entered","detail":"x"}"#)
            #expect(cadreDecides.status == .forbidden)
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
