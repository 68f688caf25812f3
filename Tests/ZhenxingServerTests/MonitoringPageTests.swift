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
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            // given: the village page links the inbox; it holds the demo's one open warning, a self-report whose appraisal is overdue
            #expect(try await browser.get("/divisions/411324104201").text.contains("href=\"/divisions/411324104201/monitoring\""))
            let inbox = try await browser.get("/divisions/411324104201/monitoring")
            #expect(inbox.status == .ok && inbox.text.contains("农户自主申报") && inbox.text.contains("女儿考入大学"))
            #expect(inbox.text.contains("村民代表评议 · 期限 2025-12-01") && inbox.text.contains("<span class=\"bad\">逾期</span>"))
            // the filter form narrows by rule: no open warning was raised by a rule, the self-report stays under its source
            var filter = try #require(RenderedForm.all(in: inbox.text, method: "get").first { $0.action == "/divisions/411324104201/monitoring" })
            filter["rule"] = "income_below_threshold"
            let byRule = try await browser.submit(filter)
            #expect(byRule.status == .ok && !byRule.text.contains("女儿考入大学") && byRule.text.contains("<option value=\"income_below_threshold\" selected>"))
            filter["rule"] = ""
            filter["source"] = "self_report"
            #expect(try await browser.submit(filter).text.contains("女儿考入大学"))
            let apiByRule = try await json(&browser, .get, "/api/v1/divisions/411324104201/monitoring/warnings?rule=income_below_threshold", nil)
            #expect(apiByRule.status == .ok && !apiByRule.text.contains("女儿考入大学"))
            // the board keeps the household cleared as stable under watch
            #expect(inbox.text.contains("风险消除（稳定，继续观察）") && inbox.text.contains("2025 年计划 2 项"))
            // the village page's figures of 2025 count monitoring from the records: one household entered for illness, one step overdue
            let page2025 = try await browser.get("/divisions/411324104201?year=2025").text
            #expect(page2025.contains("<h3>防返贫监测</h3>") && page2025.contains("<dt>因病</dt>"))
            #expect(page2025.contains("<dt>逾期环节</dt><dd><span class=\"fact-value\">1</span>"))
            let dashboard = try await browser.get("/divisions/411324104201/dashboard?year=2025").text
            #expect(dashboard.contains("2025 年监测对象按风险类型（有帮扶计划 100 %，逾期环节 1）") && dashboard.contains("历年年末监测对象"))
            let figures = try await json(&browser, .get, "/api/v1/divisions/411324104201/figures?year=2025", nil)
            let counted = try #require((try JSONSerialization.jsonObject(with: Data(figures.text.utf8)) as? [String: Any])?["monitoring"] as? [String: Any])
            #expect(counted["warnings"] as? Int == 2 && counted["warningsBySource"] as? [String: Int] == ["rule": 1, "self_report": 1])
            #expect(counted["medianWorkingDaysToDecision"] as? Double == 14 && counted["stepsOverdue"] as? Int == 1)
            // the inbox's export form gives the year's monitoring ledger, without an ID number
            var export = try #require(RenderedForm.all(in: inbox.text, method: "get").first { $0.action.hasSuffix("/monitoring/export") })
            export["year"] = "2025"
            export["format"] = "csv"
            let ledger = try await browser.submit(export)
            #expect(ledger.status == .ok && ledger.text.contains(",0250,2025-11-17,农户自主申报,因学,") && ledger.text.contains("2026-01-23,风险消除（稳定，继续观察）"))
            #expect(ledger.text.firstMatch(of: #/\d{17}[\dX]/#) == nil)
            // the file of the household the 2022 rules found shows its history: the rule's values, entry and clearance
            let householdID = try #require(try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = '411324104201' AND number = '0096'").first(decodingColumn: "id", as: Int.self)
            })
            let file = "/households/\(householdID)"
            let household = try await browser.get(file).text
            #expect(household.contains("防返贫监测预警") && household.contains("监测标准 6,000 元") && household.contains("县级审定消除"))
            #expect(household.contains("风险消除（2023-01-20") || household.contains("2023-01-20"))
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
            // re-entry keeps the history: a new open warning beside the decided one
            let reopened = try await browser.get(file).text
            #expect(reopened.contains("户主住院（申报人/排查人：户主；支出 35,000 元）") && reopened.contains("未结") && reopened.contains("县级审定消除"))
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
            // a visit that finds a risk raises a warning with one choice in the visit form the file renders (干部排查);
            // a risk type not in the list refuses the visit too, naming the field, and stores neither
            let visitedID = try #require(try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = '411324104201' AND number = '0011'").first(decodingColumn: "id", as: Int.self)
            })
            let visitCount = { try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM visits WHERE household_id = \(bind: visitedID)").first(decodingColumn: "n", as: Int.self) ?? 0
            } }
            let before = try await visitCount()
            var visit = try #require(RenderedForm.all(in: try await browser.get("/households/\(visitedID)").text).first { $0.action.hasSuffix("/visits") })
            #expect(visit["risk"] == "")
            visit["date"] = "2026-11-25"
            visit["visitor"] = "驻村工作队 刘志强"
            visit["seen"] = "冰雹砸坏大棚，当季蔬菜绝收"
            visit["risk"] = "hail"
            let badRisk = try await browser.submit(visit)
            #expect(try await visitCount() == before)
            #expect(badRisk.status == .badRequest && badRisk.text.contains("请选择风险类型"))
            visit["risk"] = "disaster"
            let raised = try await browser.submit(visit)
            #expect(try await visitCount() == before + 1)
            #expect(raised.status == .seeOther && raised.headers[.location] == "/households/\(visitedID)#monitoring")
            let byVisit = try await browser.get("/divisions/411324104201/monitoring?source=visit").text
            #expect(byVisit.contains("冰雹砸坏大棚，当季蔬菜绝收（申报人/排查人：驻村工作队 刘志强）") && byVisit.contains("干部排查"))
            // the API gives the household's history, the rule's explanation in the language asked for, and a dry run of the scan
            let listed = try await json(&browser, .get, "/api/v1/households/\(householdID)/monitoring/warnings?lang=en", nil)
            let items = try #require((try JSONSerialization.jsonObject(with: Data(listed.text.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            let decided = try #require(items.first { $0["outcome"] as? String == "entered" })
            let signal = try #require((decided["signals"] as? [[String: Any]])?.first)
            #expect(items.count == 2 && signal["source"] as? String == "rule" && signal["riskType"] as? String == "other")
            #expect((signal["finding"] as? [String: Any])?["threshold"] as? Int == 600_000 && (decided["steps"] as? [[String: Any]])?.count == 11)
            let open = try await json(&browser, .get, "/api/v1/divisions/411324104201/monitoring/warnings?step=appraisal&overdue=true", nil)
            #expect(open.status == .ok && open.text.contains("女儿考入大学") && !open.text.contains("户主住院"))
            let dry = try await json(&browser, .post, "/api/v1/divisions/411324104201/monitoring/scan", #"{"year":2021,"dryRun":true}"#)
            let result = try #require(try JSONSerialization.jsonObject(with: Data(dry.text.utf8)) as? [String: Any])
            #expect(dry.status == .ok && result["householdsScanned"] as? Int == 3 && result["thresholdFen"] as? Int == 600_000)
            #expect((result["lines"] as? [[String: Any]])?.map { $0["disposition"] as? String } == ["already_recorded"])
            let filed = try await json(&browser, .post, "/api/v1/households/\(householdID)/monitoring/reports",
                                       #"{"source":"visit","riskType":"housing","detail":"院墙开裂","reportedBy":"网格员","foundOn":"2026-11-21"}"#)
            #expect(filed.status == .created && filed.text.contains("院墙开裂"))
            let visitedByAPI = try await json(&browser, .post, "/api/v1/households/\(visitedID)/visits",
                                              #"{"date":"2026-11-26","visitor":"网格员","seen":"井水浑浊","riskType":"water"}"#)
            #expect(visitedByAPI.status == .created && visitedByAPI.text.contains("井水浑浊"))
            let joined = try await json(&browser, .get, "/api/v1/households/\(visitedID)/monitoring/warnings", nil)
            #expect(joined.text.contains(#""water""#) && joined.text.contains(#""disaster""#) && joined.text.contains("井水浑浊"))
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
        try await withDemoApp(engine, as: nil) { anonymous, database, passwords in
            var cadre = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            // given: household 0010 reported on Monday 10 January 2022, with the form its file renders
            let householdID = try #require(try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = '411324104201' AND number = '0010'").first(decodingColumn: "id", as: Int.self)
            })
            let file = "/households/\(householdID)"
            var report = try #require(RenderedForm.all(in: try await cadre.get(file).text).first { $0.action.hasSuffix("/monitoring/reports") })
            report["riskType"] = "employment"
            report["detail"] = "两人务工返乡"
            report["reportedBy"] = "户主"
            report["foundOn"] = "2022-01-10"
            #expect(try await cadre.submit(report).status == .seeOther)
            // its home check was due 17 January: overdue, and the inbox's filters find it
            let inbox = try await cadre.get("/divisions/411324104201/monitoring?step=home_check&overdue=1").text
            #expect(inbox.contains("入户核实 · 期限 2022-01-17") && inbox.contains("<span class=\"bad\">逾期</span>") && !inbox.contains("女儿考入大学"))
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
            #expect(decision["result"] == "entered" && decision["riskTypes[]"] == "employment")
            decision["day"] = "2022-02-08"
            decision["person"] = "县乡村振兴局"
            decision["category"] = "marginal"
            decision["detail"] = "人均纯收入低于监测标准"
            #expect(try await officer.submit(decision).status == .seeOther)
            // then: the file shows every step and the household's monitored status; the board lists it without a plan, overdue
            let decided = try await cadre.get(file).text
            #expect(decided.contains("县级审定纳入") && decided.contains("纳入监测（因务工就业不稳）") && decided.contains("公示至 2022-01-29") && decided.contains("到会 23 人"))
            #expect(decided.contains("监测户（边缘易致贫户）") || decided.contains("边缘易致贫户"))
            let board = try await cadre.get("/divisions/411324104201/monitoring").text
            #expect(board.contains("监测对象") && board.contains("未制定（期限 2022-02-22）"))
            // the API gives the history with its steps, and refuses a step of a decided procedure
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

    @Test(arguments: TestDatabases.engines)
    func aDepartmentsFileIsPreviewedThenImportedAndTheAPITakesTheSameRows(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let village = "411324104201"
            // given: a resident of a current household of the village, and an ID no one in the registry has
            let (resident, number) = try #require(try await database.read { sql in
                try await sql.raw("""
                    SELECT p.resident_id, h.number FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                    JOIN households h ON h.id = m.household_id AND h.closed_on IS NULL
                    WHERE h.village_code = \(bind: village) AND h.number = '0005'
                    """).first().map { (try $0.decode(column: "resident_id", as: String.self), try $0.decode(column: "number", as: String.self)) }
            })
            let stranger = ImportPageTests.check("11010519491231002")
            let signals = { try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM monitoring_signals WHERE source = 'department'").first(decodingColumn: "n", as: Int.self) ?? 0
            } }
            let before = try await signals()
            // the inbox links the upload page, whose form takes a department, a file and a dry run
            #expect(try await browser.get("/divisions/\(village)/monitoring").text.contains("href=\"/divisions/\(village)/monitoring/departments\""))
            let page = try await browser.get("/divisions/\(village)/monitoring/departments")
            #expect(page.status == .ok && page.text.contains("enctype=\"multipart/form-data\"") && page.text.contains("name=\"dryRun\""))
            let action = try #require(page.text.firstMatch(of: #/action="([^"?]+)\?_csrf=/#).map { String($0.1) })
            let file = "身份证号,结算日期,诊断,个人自付\n\(resident),2026-11-20,恶性肿瘤住院,\"48,600.00\"\n\(stranger),2026-11-21,骨折,1200\n"
            // when: it is previewed
            let preview = try await browser.upload(action, file: ("医保.csv", Array(file.utf8)), fields: [("source", "medical"), ("sheet", ""), ("dryRun", "1")])
            // then: it says what would happen, the unmatched row listed with its ID masked, and writes nothing
            #expect(preview.status == .ok && preview.text.contains("预览（未写入）：共 2 行，新开预警 1 行") && preview.text.contains("未匹配 1 行"))
            #expect(preview.text.contains(">\(number)</a>") && preview.text.contains("户籍信息中无此身份证号"))
            #expect(preview.text.contains(String(stranger.prefix(6)) + "********") && !preview.text.contains(stranger) && !preview.text.contains(resident))
            #expect(try await signals() == before)
            // a file with a bad row is refused whole, naming the row and the column
            let bad = "身份证号,结算日期,诊断\n\(resident),2026-11-20,住院\n123456789012345678,2026-11-20,住院\n"
            let refused = try await browser.upload(action, file: ("医保.csv", Array(bad.utf8)), fields: [("source", "medical"), ("sheet", "")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("文件中的问题") && refused.text.contains("<td data-label=\"行号\" class=\"num\">3</td><td data-label=\"列\">身份证号</td>"))
            #expect(try await signals() == before)
            // when: it is imported
            let imported = try await browser.upload(action, file: ("医保.csv", Array(file.utf8)), fields: [("source", "medical"), ("sheet", "")])
            #expect(imported.status == .ok && imported.text.contains("已导入：共 2 行，新开预警 1 行"))
            #expect(try await signals() == before + 1)
            #expect(try await browser.get("/divisions/\(village)/monitoring?source=department").text.contains("恶性肿瘤住院"))
            // the API takes the same row as a record: recorded already; a bad ID is refused naming the row and field
            let again = try await json(&browser, .post, "/api/v1/divisions/\(village)/monitoring/department-warnings", """
                {"source":"medical","rows":[{"residentId":"\(resident)","foundOn":"2026-11-20","detail":"恶性肿瘤住院","amountFen":4860000}]}
                """)
            let answer = try JSONSerialization.jsonObject(with: Data(again.text.utf8)) as? [String: Any]
            #expect(again.status == .ok && answer?["alreadyRecorded"] as? Int == 1 && !again.text.contains(resident))
            let wrong = try await json(&browser, .post, "/api/v1/divisions/\(village)/monitoring/department-warnings", """
                {"source":"medical","rows":[{"residentId":"\(resident)","foundOn":"2026-11-20","detail":"住院"},{"residentId":"110105194912310021","foundOn":"2026-11-20","detail":"住院"}]}
                """)
            #expect(wrong.status == .badRequest && wrong.text.contains("rows[1].residentId"))
            #expect(try await signals() == before + 1)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anAdministratorSetsAProvincesRuleShareAndTheRulesReadIt(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { signedIn, database, _ in
            var admin = signedIn
            // given: the parameters page lists the seeded rule parameters with their units
            let page = try await admin.get("/admin/parameters")
            #expect(page.status == .ok && page.text.contains("收入大幅下降：预警比例") && page.text.contains("30 %") && page.text.contains("5 个工作日"))
            // and the village's figures are cached
            let cached = { try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM figures_cache WHERE division_code LIKE '41%'").first(decodingColumn: "n", as: Int.self) ?? 0
            } }
            #expect(try await admin.get("/divisions/411324104201?year=2025").status == .ok)
            #expect(try await cached() > 0)
            // when: the rule form the page renders sets Henan's rigid-spending share from 2025
            var form = try #require(RenderedForm.all(in: page.text).first { $0.action == "/admin/parameters/rules" })
            form["scope"] = "41"
            form["year"] = "2025"
            form["rule"] = "rigid_spending"
            form["value"] = "40"
            form["source"] = "河南省防返贫监测实施细则（测试）"
            #expect(try await admin.submit(form).status == .seeOther)
            // then: the province's cached figures are dropped, to be counted again under the new parameter
            #expect(try await cached() == 0)
            // the scan of 2025 in a Henan village reads it, and the years before keep the nationwide row
            let monitoring = MonitoringRepository(database: database)
            let scan2025 = try await monitoring.scan(LiangshuiquanDemo.villageCode, year: 2025, today: "2026-01-10", dryRun: true, by: .system)
            #expect(scan2025.thresholds.rigidSpending == DatedThreshold(value: 4_000, origin: ParameterOrigin(scope: "41", year: 2025)))
            let scan2024 = try await monitoring.scan(LiangshuiquanDemo.villageCode, year: 2024, today: "2026-01-10", dryRun: true, by: .system)
            #expect(scan2024.thresholds.rigidSpending?.value == 5_000)
            #expect(try await admin.get("/admin/parameters").text.contains("河南省防返贫监测实施细则（测试）"))
            // an unknown name, a value outside its unit's range and a row without a source are refused, naming the field
            form["rule"] = "rigid_spend"
            let unknown = try await admin.submit(form)
            #expect(unknown.status == .badRequest && unknown.text.contains("没有名为“rigid_spend”的监测参数"))
            let api = "/api/v1/rule-parameters"
            let noSource = try await json(&admin, .put, api, #"{"scope":"41","year":2025,"rule":"deadline_home_check","value":7,"source":" "}"#)
            #expect(noSource.status == .badRequest && noSource.text.contains("source"))
            let tooLong = try await json(&admin, .put, api, #"{"scope":"41","year":2025,"rule":"deadline_home_check","value":251,"source":"x"}"#)
            #expect(tooLong.status == .badRequest && tooLong.text.contains("value"))
            let bogus = try await json(&admin, .put, api, #"{"scope":"41","year":2025,"rule":"lottery","value":7,"source":"x"}"#)
            #expect(bogus.status == .badRequest && bogus.text.contains("lottery"))
            let saved = try await json(&admin, .put, api, #"{"scope":"41","year":2025,"rule":"deadline_home_check","value":7,"source":"河南省细则（测试）"}"#)
            let rows = try #require((try JSONSerialization.jsonObject(with: Data(saved.text.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(saved.status == .ok && rows.contains { $0["rule"] as? String == "deadline_home_check" && $0["scope"] as? String == "41" && $0["unit"] as? String == "working_days" })
            let audit = try await AuditLog(database: database).entries(AuditFilter(username: "admin"))
            #expect(audit.contains { $0.entity == "monitoring_rule_parameters" && $0.entityKey == "41/2025/rigid_spending" })
        }
    }

    @Test func aViewerSeesTheInboxWithoutTheScanForm() async throws {
        try await withDemoApp(.sqlite, as: "lsq.viewer") { signedIn, _, _ in
            var browser = signedIn
            let inbox = try await browser.get("/divisions/411324104201/monitoring")
            #expect(inbox.status == .ok && inbox.text.contains("女儿考入大学") && !inbox.text.contains("monitoring/scan"))
            #expect(try await browser.postForm("/divisions/411324104201/monitoring/scan", [("year", "2021")]).status == .forbidden)
            #expect(!inbox.text.contains("monitoring/departments"))
            let upload = try await browser.get("/divisions/411324104201/monitoring/departments")
            #expect(upload.status == .forbidden)
        }
    }
}
