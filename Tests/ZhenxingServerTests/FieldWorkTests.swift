import Foundation
import HTTPTypes
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport
@testable import ZhenxingServer

@Suite struct MyWorkPageTests {
    static let village = "411324104201"

    /// The numbers of the open households of `village` that `where` picks (a condition on `h`).
    static func numbers(_ database: Database, _ condition: String) async throws -> Set<String> {
        try await database.read { sql in
            Set(try await sql.raw("SELECT h.number FROM households h WHERE h.closed_on IS NULL AND \(unsafeRaw: condition)")
                .all(decodingColumn: "number", as: String.self))
        }
    }

    /// The household numbers a work page lists in its households table.
    static func listed(_ page: String) -> Set<String> {
        let table = page.split(separator: "id=\"households\"").last.map(String.init) ?? ""
        return Set(table.matches(of: #/<td class="mono"[^>]*><a href="/households/\d+">(\d+)</a></td>/#).map { String($0.output.1) })
    }

    @Test(arguments: TestDatabases.engines)
    func aGridLeaderLandsOnTheHouseholdsOfTheirGridAndEveryLinkOfTheirNavigationAnswers(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.grid") { signedIn, database, _ in
            var browser = signedIn
            // when
            let home = try await browser.get("/")
            let page = try await browser.get("/my")
            // then: the grid leader starts on their work, which lists exactly the households of the grid they lead
            #expect(home.status == .seeOther && home.headers[.location] == "/my")
            #expect(page.status == .ok && page.text.contains("我的工作 · 王秀兰") && page.text.contains("第一网格"))
            let grid = try await Self.numbers(database, """
                h.id IN (SELECT gh.household_id FROM grid_households gh JOIN grids g ON g.id = gh.grid_id
                         JOIN users u ON u.id = g.leader_user_id WHERE u.username = 'lsq.grid')
                """)
            #expect(!grid.isEmpty && Self.listed(page.text) == grid)
            // and nothing in the navigation is a dead end
            let nav = try #require(page.text.firstMatch(of: #/<nav[\s\S]*?</nav>/#)).output
            let links = nav.matches(of: #/href="(/[^"#]*)"/#).map { String($0.output.1) }
            #expect(links.contains("/my"))
            for link in links {
                #expect(try await browser.get(link).status == .ok, "\(link)")
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aHelpersWorkShowsOverduePromisesOpenIssuesAndMonitoringStepsOfTheirHouseholdsOnly(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let helped = try await Self.numbers(database, """
                h.id IN (SELECT a.household_id FROM helper_assignments a JOIN helpers p ON p.id = a.helper_id
                         WHERE p.username = 'lsq.secretary' AND a.to_date IS NULL)
                """)
            let before = try await browser.get("/my").text
            #expect(Self.listed(before).isSuperset(of: helped) && !helped.isEmpty)
            // given: a promise past its day and an issue at one of the helper's households, an issue at a household of no one's
            let mine = try #require(helped.sorted().first)
            let other = try #require(try await Self.numbers(database, "h.village_code = '\(Self.village)'").subtracting(Self.listed(before)).sorted().first)
            let id = { (number: String) in
                try await database.read { sql in
                    try await sql.raw("SELECT id FROM households WHERE village_code = '411324104201' AND number = \(bind: number)")
                        .first(decodingColumn: "id", as: Int.self)!
                }
            }
            let file = "/households/\(try await id(mine))"
            #expect(try await browser.postForm(file + "/visits", [("date", "2026-10-01"), ("visitor", "周立新"), ("seen", "屋顶漏雨"),
                                                                  ("promised", "联系维修"), ("followUp", "2026-10-15")]).status == .seeOther)
            let governance = GovernanceRepository(database: database)
            let village = try DivisionCode(validating: Self.village)
            for (number, title) in [(mine, "自来水管冻裂"), (other, "别户的路灯坏了")] {
                let draft = IssueDraft(title: title, description: "", source: .household, raisedBy: "户主", householdID: try await id(number),
                                       category: "基础设施", raisedOn: "2026-11-01")
                _ = try await governance.createIssue(draft, village: village, today: "2026-12-01", by: .system)
            }
            let reported = try await browser.postForm(file + "/monitoring/reports", [
                ("source", "self_report"), ("riskType", "illness"), ("detail", "户主住院"), ("reportedBy", "户主"), ("foundOn", "2026-11-20"),
                ("spending", "35000"), ("income", ""),
            ])
            #expect(reported.status == .seeOther)
            // when
            let page = try await browser.get("/my").text
            // then
            #expect(page.contains("我帮扶的户和我负责的网格"))
            let followUps = try #require(page.split(separator: "id=\"follow-ups\"").last?.split(separator: "id=\"steps\"").first)
            #expect(followUps.contains("屋顶漏雨") && followUps.contains("回访逾期"))
            let steps = try #require(page.split(separator: "id=\"steps\"").last?.split(separator: "id=\"issues\"").first)
            #expect(steps.contains(">\(mine)</a>"))
            let issues = try #require(page.split(separator: "id=\"issues\"").last?.split(separator: "id=\"households\"").first)
            #expect(issues.contains("自来水管冻裂") && !issues.contains("别户的路灯坏了"))
            // the same households, the visited one with its latest visit
            #expect(Self.listed(page) == Self.listed(before))
            let households = try #require(page.split(separator: "id=\"households\"").last)
            let row = try #require(households.firstMatch(of: try Regex("<a href=\"\(file)\">\(mine)</a></td>.*?</tr>")))
            #expect(String(households[row.range]).contains("2026-1"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aUserWhoIsNeitherHelperNorGridLeaderSeesTheVillageAndOfficersStartOnTheDivisions(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.viewer") { signedIn, database, _ in
            var browser = signedIn
            let page = try await browser.get("/my?lang=en").text
            let open = try await Self.numbers(database, "h.village_code = '\(Self.village)'")
            #expect(page.contains("My work") && page.contains("Every household of the village"))
            #expect(Self.listed(page).count == min(open.count, 200) && Self.listed(page).isSubset(of: open))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anOfficerSeesTheDivisionsBelowRankedByWhatIsOverdue(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "zhenping.officer") { signedIn, database, _ in
            var browser = signedIn
            // given: in the county's one township, an issue of the demo village past its deadline, and a neighbouring
            // township with nothing overdue
            let township = try DivisionCode(validating: "411324104000"), quiet = try DivisionCode(validating: "411324105000")
            try await database.transaction { sql in try await DivisionRepository.save(Division(code: quiet, name: "安静镇"), in: sql) }
            let village = try DivisionCode(validating: Self.village)
            let draft = IssueDraft(title: "路灯不亮", description: "", source: .grid, raisedBy: "网格员", category: "用电", raisedOn: "2026-01-05")
            let issue = try await GovernanceRepository(database: database).createIssue(draft, village: village, today: "2026-01-05", by: .system)
            try await database.transaction { sql in try await sql.raw("UPDATE issues SET deadline = '2026-02-01' WHERE id = \(bind: issue)").run() }
            let overdue = try await GovernanceRepository(database: database).overdueIssues(under: try DivisionCode(validating: "411324000000"), today: "2027-01-15")
            // when
            let home = try await browser.get("/")
            let page = try await browser.get("/my").text
            // then: the officer starts on their work; the township with overdue items comes first, its issues counted
            #expect(home.headers[.location] == "/my")
            #expect((overdue[township] ?? 0) >= 1 && overdue[quiet] == nil)
            let first = try #require(page.range(of: "/divisions/\(township)\""))
            let second = try #require(page.range(of: "/divisions/\(quiet)\""))
            #expect(first.lowerBound < second.lowerBound)
            #expect(page.contains("href=\"/divisions/\(township)/issues?overdue=1\">\(overdue[township]!)</a>"))
            #expect(try await browser.get("/divisions/\(township)/issues?overdue=1").text.contains("路灯不亮"))
        }
    }
}

@Suite struct ConfirmAndUndoTests {
    @Test(arguments: TestDatabases.engines)
    func takingAHouseholdOutOfAGridAsksFirstSaysWhatItDidAndIsUndone(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let grids = try await browser.get("/divisions/411324104201/grids").text
            let grid = String(try #require(grids.firstMatch(of: #/href="(/grids/\d+)"/#)).output.1)
            let page = try await browser.get(grid).text
            // the step is behind its question: the form with the one button sits inside a closed <details>
            let form = try #require(RenderedForm.all(in: page).first { $0.action.hasSuffix("/release") })
            #expect(page.contains("<details class=\"confirm\"><summary>移出网格</summary><form method=\"post\" action=\"\(form.action)\">"))
            #expect(page.contains("把这一户移出本网格？"))
            // when: it is confirmed
            let released = try await browser.submit(form)
            let household = try #require(form.action.firstMatch(of: #/households/(\d+)/release/#)).output.1
            #expect(released.status == .seeOther && released.headers[.location] == "\(grid)?released=\(household)")
            let after = try await browser.get(try #require(released.headers[.location])).text
            let number = try #require(page.firstMatch(of: try Regex("<a href=\"/households/\(household)\">(\\d+)</a>"))?.output[1].substring)
            // then: the page says what was done and offers to undo it
            #expect(after.contains("已将 \(number) 移出第一网格。"))
            let undo = try #require(RenderedForm.all(in: after).first { $0["numbers"] == String(number) })
            #expect(try await browser.submit(undo).status == .seeOther)
            let back = try await browser.get("\(grid)?released=\(household)").text
            #expect(back.contains("<a href=\"/households/\(household)\">\(number)</a>") && !back.contains("已将"))
            // a household of another grid named in the address says nothing
            let other = try #require(try await database.read { sql in
                try await sql.raw("""
                    SELECT gh.household_id AS id FROM grid_households gh WHERE gh.grid_id <> \(bind: Int(grid.split(separator: "/").last!)!) LIMIT 1
                    """).first(decodingColumn: "id", as: Int.self)
            })
            #expect(!(try await browser.get("\(grid)?released=\(other)").text.contains("已将")))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func endingAPairingAsksFirstSaysWhatItDidAndIsUndone(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let file = try await firstHouseholdOfMyWork(&browser)
            let page = try await browser.get(file).text
            let form = try #require(RenderedForm.all(in: page).first { $0.action.contains("/helpers/") && $0.action.hasSuffix("/end") })
            #expect(page.contains("<details class=\"confirm\"><summary>结束帮扶</summary><form method=\"post\" action=\"\(form.action)\">"))
            let assignment = Int(try #require(form.action.firstMatch(of: #/helpers/(\d+)/end/#)).output.1)!
            // when: it is confirmed, the file says who no longer helps and offers to undo it
            let ended = try await browser.submit(form)
            #expect(ended.headers[.location] == "\(file)?ended=\(assignment)")
            let after = try await browser.get(try #require(ended.headers[.location])).text
            let helper = try #require(after.firstMatch(of: #/已结束(\p{Han}+)对本户的结对帮扶。/#)).output.1
            #expect(page.contains(">\(helper)</a>"))
            let undo = try #require(RenderedForm.all(in: after).first { $0.action.hasSuffix("/helpers/\(assignment)/resume") })
            #expect(try await browser.submit(undo).status == .seeOther)
            // then: the pairing runs on, unended, and the notice is gone
            let toDate = try await database.read { sql in
                try await sql.raw("SELECT to_date FROM helper_assignments WHERE id = \(bind: assignment)").first(decodingColumn: "to_date", as: String?.self)
            }
            #expect(toDate == .some(nil))
            let again = try await browser.get("\(file)?ended=\(assignment)").text
            #expect(!again.contains("已结束") && again.contains("action=\"\(form.action)\""))
            // a second undo of the same pairing is refused with its reason
            #expect(try await browser.submit(undo).status == .badRequest)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aMemberRecordedAsLeavingIsBroughtBackByTheUndo(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let file = try await firstHouseholdOfMyWork(&browser)
            var form = try #require(RenderedForm.all(in: try await browser.get(file).text).first { $0.action.hasSuffix("/end") && $0.action.contains("/members/") })
            let person = Int(try #require(form.action.firstMatch(of: #/members/(\d+)/end/#)).output.1)!
            form["reason"] = "迁出"
            let left = try await browser.submit(form)
            #expect(left.headers[.location] == "\(file)?left=\(person)")
            let after = try await browser.get(try #require(left.headers[.location])).text
            #expect(after.contains("离开本户。"))
            let undo = try #require(RenderedForm.all(in: after).first { $0.action == "\(file)/members/\(person)/resume" })
            #expect(try await browser.submit(undo).status == .seeOther)
            let open = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM memberships WHERE person_id = \(bind: person) AND to_date IS NULL")
                    .first(decodingColumn: "n", as: Int.self)
            }
            #expect(open == 1)
            #expect(!(try await browser.get("\(file)?left=\(person)").text.contains("离开本户。")))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aClosedHouseholdIsReopenedByTheUndo(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            // given: a household whose members have all left, as closing needs
            let registry = RegistryRepository(database: database)
            let household = try await registry.households(in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(search: "0084"), asOf: "2026-11-30",
                                                          after: nil, limit: 1)[0]
            for member in try await registry.file(household.id).members where member.toDate == nil {
                try await registry.endMember(person: member.personId, household: household.id, on: "2026-11-30", reason: "迁出", by: .system)
            }
            var form = try #require(RenderedForm.all(in: try await browser.get("/households/\(household.id)").text).first { $0.action.hasSuffix("/close") })
            form["reason"] = "全户迁往县城"
            let closed = try await browser.submit(form)
            #expect(closed.headers[.location] == "/households/\(household.id)?closed=1")
            let after = try await browser.get(try #require(closed.headers[.location])).text
            #expect(after.contains("注销。"))
            let undo = try #require(RenderedForm.all(in: after).first { $0.action == "/households/\(household.id)/reopen" })
            #expect(try await browser.submit(undo).status == .seeOther)
            #expect(try await registry.file(household.id).closed == nil)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aMemberTakenOffThePartyRollIsPutBackByTheUndo(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let page = try await browser.get("/divisions/411324104201/party").text
            let form = try #require(RenderedForm.all(in: page).first { $0.action.hasSuffix("/end") })
            let member = Int(try #require(form.action.firstMatch(of: #/members/(\d+)/end/#)).output.1)!
            let ended = try await browser.submit(form)
            #expect(ended.headers[.location] == "/divisions/411324104201/party?left=\(member)")
            let after = try await browser.get(try #require(ended.headers[.location])).text
            #expect(after.contains("转出。"))
            let undo = try #require(RenderedForm.all(in: after).first { $0.action.hasSuffix("/members/\(member)/restore") })
            #expect(try await browser.submit(undo).status == .seeOther)
            let leftOn = try await database.read { sql in
                try await sql.raw("SELECT left_on FROM party_members WHERE id = \(bind: member)").first(decodingColumn: "left_on", as: String?.self)
            }
            #expect(leftOn == .some(nil))
            #expect(!(try await browser.get("/divisions/411324104201/party?left=\(member)").text.contains("转出。")))
        }
    }
}

@Suite struct FieldIssueFilingTests {
    @Test(arguments: TestDatabases.engines)
    func aGridLeaderFilesAnIssueFromAHouseholdOfTheirGridWithTheFormFilledIn(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.grid") { signedIn, database, _ in
            var browser = signedIn
            let file = try await firstHouseholdOfMyWork(&browser)
            let household = try await browser.get(file).text
            let link = try #require(household.firstMatch(of: #/href="(/divisions/411324104201/issues/new\?household=(\d+))"/#))
            // when: the grid leader follows 登记问题 from the household's file
            let page = try await browser.get(String(link.output.1)).text
            var form = try #require(RenderedForm.all(in: page).first { $0.action == "/divisions/411324104201/issues" })
            // then: the household, its head and its grid are filled in, and the fields offer the village's choices
            #expect(form["household"] == String(link.output.2) && form["raisedBy"]?.isEmpty == false && form["grid"]?.isEmpty == false)
            #expect(page.contains("<datalist id=\"f-household-choices\">") && page.contains("<datalist id=\"f-category-choices\">"))
            form["title"] = "水管冻裂"
            form["category"] = "饮水"
            let filed = try await browser.submit(form)
            #expect(filed.status == .seeOther)
            #expect(try await browser.get("/my").text.contains("水管冻裂"))
            // a household outside the grid leader's grids, or none, is refused, naming the field; nothing is stored
            let outside = try #require(try await database.read { sql in
                try await sql.raw("""
                    SELECT h.number FROM households h WHERE h.village_code = '411324104201' AND h.id NOT IN (
                      SELECT gh.household_id FROM grid_households gh JOIN grids g ON g.id = gh.grid_id JOIN users u ON u.id = g.leader_user_id
                      WHERE u.username = 'lsq.grid') LIMIT 1
                    """).first(decodingColumn: "number", as: String.self)
            })
            form["household"] = outside
            form["grid"] = ""
            form["title"] = "别人网格的事"
            let refused = try await browser.submit(form)
            #expect(refused.status == .badRequest && refused.text.contains("网格员登记问题须写明本人所负责网格内的户编号"))
            let api = try await json(&browser, .post, "/api/v1/divisions/411324104201/issues",
                                     #"{"title":"无户问题","source":"other","raisedBy":"某","category":"其他","raisedOn":"2026-12-01"}"#)
            #expect(api.status == .badRequest && api.text.contains("householdId"))
            let stored = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM issues WHERE title IN ('别人网格的事', '无户问题')").first(decodingColumn: "n", as: Int.self)
            }
            #expect(stored == 0)
        }
    }
}

@Suite struct NamesNotCodesTests {
    @Test func theUsersAndTheAccountNameTheirDivisions() async throws {
        try await withDemoApp(.sqlite, as: "zhenping.officer") { signedIn, _, _ in
            var browser = signedIn
            let users = try await browser.get("/admin/users").text
            let account = try await browser.get("/account").text
            #expect(users.contains(">凉水泉村 <span class=\"meta mono\">411324104201</span></td>"))
            #expect(account.contains("<dd>镇平县 <span class=\"meta mono\">411324000000</span></dd>"))
        }
    }
}

@Suite struct AuditInWordsTests {
    @Test func aChangeIsShownFieldByFieldInTheUsersLanguageWithMoneyInYuan() {
        let change = AuditPages.changes(before: #"{"reason":"旧","amountFen":12345,"title":"同"}"#,
                                        after: #"{"reason":"新","amountFen":12345,"title":"同","owner":"张三"}"#, language: .chinese)
        #expect(change == "+ 责任人：张三\n原因：旧 → 新")
        let created = AuditPages.changes(before: nil, after: #"{"source":"电网改造资金","amountFen":90000000,"entry":"investment"}"#, language: .english)
        #expect(created == "Amount: 900,000.00 yuan\nEntry: investment\nSource: 电网改造资金")
        #expect(AuditPages.changes(before: nil, after: #"[{"category":"health"}]"#, language: .chinese) == #"+ [{"category":"health"}]"#)
        #expect(AuditPages.changes(before: #"{"active":true}"#, after: #"{"active":false}"#, language: .chinese) == "启用：是 → 否")
        // a count of 1 is a number, not "yes"; a list reads as its items
        #expect(AuditPages.changes(before: nil, after: #"{"winners":1,"votes":0,"riskTypes":[],"households":["3","4"]}"#, language: .chinese)
                == "农户：3、4\n风险类型：—\n票数：0\n当选人数：1")
    }

    @Test func recordKindsAndFixedValuesReadInWordsAndARecordLinksToItsPage() {
        for entity in AuditEntity.allCases {
            let words = Strings.table["entity_" + entity.rawValue]
            #expect(words != nil && words!.text(.chinese) != words!.text(.english), "\(entity)")
        }
        #expect(AuditPages.changes(before: nil, after: #"{"source":"visit","title":"水管坏了"}"#, language: .chinese).contains("入户走访"))
        #expect(AuditPages.changes(before: #"{"status":"poor"}"#, after: #"{"status":"exited"}"#, language: .english)
                == "Status: \(PovertyStatus.poor.title.text(.english)) → \(PovertyStatus.exited.title.text(.english))")
        #expect(AuditPages.pages["household"] == "households")
    }

    @Test(arguments: TestDatabases.engines)
    func aProjectEntryIsAuditedByItsFields(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { _, database, _ in
            let community = CommunityRepository(database: database)
            let project = try #require(try await community.projects(in: try DivisionCode(validating: "411324104201")).first)
            try await community.record(.investment(source: "县财政", amountFen: 500_000), project: project.id, by: .system)
            let entry = try #require(try await AuditLog(database: database).entries(AuditFilter(), before: nil, limit: 1).first)
            #expect(entry.entity == "project" && entry.afterJson?.contains(#""source":"县财政""#) == true && entry.afterJson?.contains(#""amountFen":"500000""#) == true)
            #expect(AuditPages.changes(before: entry.beforeJson, after: entry.afterJson, language: .chinese).contains("金额：5,000.00 元"))
        }
    }
}

@Suite struct PhoneLayoutTests {
    /// On a phone the lists become cards that name each value by its column: every cell of a card list carries the
    /// heading of its column.
    /// Every list of four columns or more on every page is such a card list.
    @Test func everyCellOfACardListIsNamedByItsColumn() async throws {
        try await withDemoApp(.sqlite, as: "admin") { signedIn, _, _ in
            var browser = signedIn
            var lists = 0
            for (path, page) in try await PageCrawl.pages(&browser) {
                for table in page.matches(of: #/<table class="list( cards)?[^"]*">([\s\S]*?)</table>/#) {
                    let body = String(table.output.2)
                    guard let rows = body.firstMatch(of: #/<tbody>[\s\S]*?<tr[\s\S]*?</tr>/#) else { continue }
                    let headings = body.matches(of: #/<th scope="col"[^>]*>([^<]*)</th>/#).map { String($0.output.1) }
                    guard headings.count >= 4 else { continue }
                    lists += 1
                    let labels = Set(String(rows.output).matches(of: #/<t[dh][^>]* data-label="([^"]*)"/#).map { String($0.output.1) })
                    #expect(table.output.1 != nil && labels == Set(headings.filter { !$0.isEmpty }), "\(path): \(labels) vs \(headings)")
                }
            }
            #expect(lists > 30)
        }
    }
}

@Suite struct OfflineCaptureTests {
    @Test(arguments: TestDatabases.engines)
    func aVisitSentAgainWithItsKeyIsRecordedOnceAndLeadsToTheSamePage(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let work = try await browser.get("/my").text
            let file = String(try #require(work.firstMatch(of: #/<td class="mono" data-label="[^"]*"><a href="(/households/\d+)">/#)).output.1)
            let page = try await browser.get(file).text
            // the visit form is the one a phone keeps while offline, and the worker that keeps pages may look after all of them
            var form = try #require(RenderedForm.all(in: page).first { $0.action == file + "/visits" })
            #expect(page.contains("action=\"\(file)/visits\" data-offline=\"登记走访\""))
            // records kept offline are sent in their maker's session only: the page names whose it is
            let me = try #require(try await UserRepository(database: database).credentials(username: "lsq.secretary")?.0.id)
            #expect(page.contains("<main id=\"main\" data-user=\"\(me)\">"))
            let worker = try await browser.get("/static/sw.js")
            #expect(worker.status == .ok && worker.headers[HTTPField.Name("Service-Worker-Allowed")!] == "/"
                    && worker.headers[.contentType] == "text/javascript; charset=utf-8")
            // when: the phone, back online, sends the form it kept — twice, its first answer having been lost
            form["date"] = "2026-12-01"
            form["visitor"] = "周立新"
            form["seen"] = "断网时走访，屋里漏雨"
            let key = UUID().uuidString
            let first = try await browser.submit(form, headers: [HTTPField.Name("Idempotency-Key")!: key])
            let again = try await browser.submit(form, headers: [HTTPField.Name("Idempotency-Key")!: key])
            // then: one visit, and both answers lead back to the file
            #expect(first.status == .seeOther && again.status == .seeOther && again.headers[.location] == first.headers[.location])
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let stored = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM visits WHERE seen = '断网时走访，屋里漏雨'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(stored == 1)
            // signing out empties what the phone kept
            let out = try await browser.postForm("/signout", [])
            #expect(out.headers[HTTPField.Name("Clear-Site-Data")!] == "\"cache\"")
        }
    }
}

@Suite struct EnglishVocabularyTests {
    /// Every page reachable by links, in English, as an administrator and as the village's secretary: no Han character
    /// but in text the users typed or the demo stored (names, issues, notes), and no full-width punctuation beside English.
    @Test func theCrawlFindsChineseInterfaceTextAndFullWidthMarksButNotStoredText() {
        let stored = "林天佑户在例会上反映\u{1}党员"
        #expect(PageCrawl.untranslated(in: "<td>林天佑户在例会上反映</td><td>党员</td><a class=\"lang\" lang=\"zh\">中文</a>", stored: stored).isEmpty)
        #expect(PageCrawl.untranslated(in: "<p>Export the list：<a>xlsx</a></p>", stored: stored).count == 1)
        #expect(PageCrawl.untranslated(in: "<td>受益户</td>", stored: stored).count == 1)
        #expect(PageCrawl.untranslated(in: "<input placeholder=\"种植养殖党支部\">", stored: stored).count == 1)
    }

    @Test(arguments: ["admin", "lsq.secretary"])
    func everyPageReadsInEnglishButWhatUsersTyped(user: String) async throws {
        try await withDemoApp(.sqlite, as: user) { signedIn, database, _ in
            var browser = signedIn
            let stored = try await PageCrawl.storedText(database)
            _ = try await browser.get("/my?lang=en")
            let pages = try await PageCrawl.pages(&browser)
            let failures = pages.flatMap { path, page in PageCrawl.untranslated(in: page, stored: stored).map { "\(path): \($0)" } }
            #expect(pages.count > 60, "the crawl reached \(pages.count) pages")
            #expect(failures.isEmpty, "\(failures.prefix(30).joined(separator: "\n"))")
        }
    }

    @Test func theRegistrysFixedValuesReadInEnglishWhenEnglishIsChosen() async throws {
        try await withDemoApp(.sqlite) { signedIn, database, _ in
            var browser = signedIn
            let household = try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(search: "0084"), asOf: "2027-01-15", after: nil, limit: 1)[0]
            let english = try await browser.get("/households/\(household.id)?lang=en").text
            // the members' health and labour, why they joined, and the reasons to leave offered by the form
            #expect(english.contains(">Healthy</td>") && english.contains(">Ordinary labour</td>") && english.contains("Registered"))
            #expect(english.contains("<option value=\"死亡\">Death</option>"))
            #expect(!english.contains(">健康</td>") && !english.contains(">普通劳动力</td>"))
            let chinese = try await browser.get("/households/\(household.id)?lang=zh").text
            #expect(chinese.contains(">健康</td>") && chinese.contains("<option value=\"死亡\">死亡</option>"))
            let dashboard = try await browser.get("/divisions/411324104201/dashboard?year=2020&lang=en").text
            #expect(dashboard.contains("Migrant work") && !dashboard.contains(">外出务工<"))
        }
    }
}

enum PageCrawl {
    /// Links not to follow: downloads, the API, the other language, signing out, photos.
    static let skipped = ["export", "/api/", "lang=", "/signout", ".csv", ".xlsx", "/photos/", "format="]

    /// The HTML pages reachable by links from "my work" and the village page, two of each kind (paths alike but for their numbers).
    static func pages(_ browser: inout Browser) async throws -> [(path: String, page: String)] {
        var queue = ["/my", "/divisions/411324104201"], seen = Set(queue), shapes: [String: Int] = [:], pages: [(String, String)] = []
        while !queue.isEmpty {
            let path = queue.removeFirst()
            let shape = String(path.split(separator: "?")[0]).replacing(#/\d+/#, with: "N")
            guard shapes[shape, default: 0] < 2 else { continue }
            shapes[shape, default: 0] += 1
            let response = try await browser.get(path)
            guard response.status == .ok, response.headers[.contentType]?.hasPrefix("text/html") == true else { continue }
            let page = response.text
            for match in page.matches(of: #/href="(/[^"#]*)/#) {
                let link = String(match.output.1).replacingOccurrences(of: "&amp;", with: "&")
                guard !skipped.contains(where: link.contains), seen.insert(link).inserted else { continue }
                queue.append(link)
            }
            pages.append((path, page))
        }
        return pages
    }

    /// Every text value the database holds: what users typed or the demo stored may be Chinese on an English page.
    static func storedText(_ database: Database) async throws -> String {
        try await database.read { sql in
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all(decodingColumn: "name", as: String.self)
            var texts: [String] = []
            for table in tables {
                for row in try await sql.raw("SELECT * FROM \(ident: table)").all() {
                    texts += row.allColumns.compactMap { try? row.decode(column: $0, as: String?.self) }.compactMap { $0 }
                        .filter { $0.unicodeScalars.contains(where: isChinese) }
                }
            }
            return texts.joined(separator: "\u{1}")
        }
    }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(scalar.value) || (0x3000...0x303F).contains(scalar.value) || (0xFF00...0xFFEF).contains(scalar.value)
    }

    /// The runs of Chinese characters and full-width punctuation on a page's visible text and its placeholders, titles and
    /// labels that are not part of a stored value, each with the text around it. A link marked `lang="zh"` (the
    /// language switch) is Chinese on purpose.
    static func untranslated(in page: String, stored: String) -> [String] {
        var text = page.replacing(#/<script.*?</script>|<style.*?</style>|<a [^>]*lang="zh"[^>]*>.*?</a>/#.dotMatchesNewlines(), with: " ")
        let attributes = text.matches(of: #/(?:placeholder|title|aria-label|data-label|data-offline)="([^"]*)"/#).map { String($0.output.1) }
        text = text.replacing(#/<[^>]*>/#, with: "\n") + "\n" + attributes.joined(separator: "\n")
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        let scalars = Array(text.unicodeScalars)
        var found: [String] = []
        var index = 0
        while index < scalars.count {
            guard isChinese(scalars[index]) else { index += 1; continue }
            var end = index
            while end < scalars.count, isChinese(scalars[end]) { end += 1 }
            let run = String(String.UnicodeScalarView(scalars[index..<end]))
            let han = run.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
            let latin = { (i: Int) in i >= 0 && i < scalars.count && (scalars[i].properties.isAlphabetic && scalars[i].isASCII || ("0"..."9").contains(scalars[i])) }
            if han ? !stored.contains(run) : (latin(index - 1) || latin(end)) {
                found.append(String(String.UnicodeScalarView(scalars[max(0, index - 20)..<min(scalars.count, end + 20)])).replacingOccurrences(of: "\n", with: " "))
            }
            index = end
        }
        return found
    }
}

/// The first household listed on the signed-in user's work page.
func firstHouseholdOfMyWork(_ browser: inout Browser) async throws -> String {
    let work = try await browser.get("/my").text
    return String(try #require(work.firstMatch(of: #/<td class="mono"[^>]*><a href="(/households/\d+)">/#)).output.1)
}
