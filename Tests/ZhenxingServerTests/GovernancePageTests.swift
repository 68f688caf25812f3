import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct GovernancePageTests {
    @Test(arguments: TestDatabases.engines)
    func aCadreRecordsAnIssueAnswersItAssignsItAndClosesIt(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, _, _ in
            var browser = signedIn
            // given: the board shows the demo ledger
            let board = try await browser.get("/divisions/411324104201/issues")
            #expect(board.status == .ok && board.text.contains("当场解决 <strong>9</strong>") && board.text.contains("已销号 <strong>3</strong>"))
            // when: an issue is recorded for household 0001
            let created = try await browser.postForm("/divisions/411324104201/issues", [
                ("title", "门前路灯不亮"), ("description", "晚上出行不便"), ("source", "household"), ("raisedBy", "马宇航"), ("household", "0001"),
                ("grid", ""), ("meeting", ""), ("category", "用电"), ("raisedOn", "2026-11-20"),
            ])
            #expect(created.status == .seeOther)
            let issue = try #require(created.headers[.location])
            // then: closing straight away is refused with the reason, and nothing changes
            let refused = try await browser.postForm(issue + "/transition", [("to", "closed"), ("date", "2026-11-21"), ("response", "好")])
            #expect(refused.status == .badRequest && refused.text.contains("不能改为"))
            // when: assigned, then closed without a result, then with one
            #expect(try await browser.postForm(issue + "/transition", [
                ("to", "assigned"), ("date", "2026-11-21"), ("response", "已交电工"), ("owner", "村电工"), ("deadline", "2026-11-25"),
            ]).status == .seeOther)
            let noResult = try await browser.postForm(issue + "/transition", [("to", "closed"), ("date", "2026-11-24"), ("response", "修好了")])
            #expect(noResult.status == .badRequest && noResult.text.contains("销号须写明办理结果"))
            #expect(try await browser.postForm(issue + "/transition", [
                ("to", "closed"), ("date", "2026-11-24"), ("response", "修好了，已上门告知"), ("result", "更换灯泡"), ("evidence", "照片"),
            ]).status == .seeOther)
            // then: the timeline has every step with its answer, and the household file lists the issue
            let page = try await browser.get(issue).text
            #expect(page.contains("已收集") && page.contains("已交办") && page.contains("已销号") && page.contains("已交电工") && page.contains("更换灯泡"))
            let households = try await browser.get("/divisions/411324104201/households?q=0001").text
            let file = try #require(households.firstMatch(of: #/href="(/households/\d+)"/#)).output.1
            #expect(try await browser.get(String(file)).text.contains("门前路灯不亮"))
        }
    }

    @Test func meetingsGridsListsAndTheLedgerExportRender() async throws {
        try await withDemoApp(.sqlite, as: "lsq.viewer") { signedIn, _, _ in
            var browser = signedIn
            let meetings = try await browser.get("/divisions/411324104201/meetings")
            #expect(meetings.status == .ok && meetings.text.contains("全域党建推进会") && meetings.text.contains("联合党总支联席会议（2021年第4季度）"))
            let push = try #require(meetings.text.firstMatch(of: #/href="(/meetings/\d+)">全域党建推进会/#)).output.1
            let pushPage = try await browser.get(String(push)).text
            #expect(pushPage.matches(of: #/<strong>思路</strong>/#).count == 6)
            let grids = try await browser.get("/divisions/411324104201/grids")
            #expect(grids.status == .ok && grids.text.contains("第十网格") && !grids.text.contains("尚未划入网格"))
            let lists = try await browser.get("/divisions/411324104201/lists?year=2018")
            #expect(lists.text.contains("资源清单") && lists.text.contains("可流转荒山 40 余亩"))
            let division = try await browser.get("/divisions/411324104201?year=2017").text
            #expect(division.contains("提出发展思路") && division.contains("<span class=\"fact-value\">6</span>"))
            let export = try await browser.get("/divisions/411324104201/issues/export?format=csv")
            #expect(export.status == .ok && export.text.split(separator: "\r\n").count == 13)
            // the board's filter goes with its export link, and the file holds what the board shows
            let solvedBoard = try await browser.get("/divisions/411324104201/issues?state=solved").text
            #expect(solvedBoard.contains("/divisions/411324104201/issues/export?state=solved&amp;format=csv"))
            let solved = try await browser.get("/divisions/411324104201/issues/export?state=solved&format=csv").text.split(separator: "\r\n").dropFirst()
            #expect(solved.count == 9 && solved.allSatisfy { $0.contains(",当场解决,") })
            // a viewer reads but is not offered the forms, and cannot post
            #expect(!pushPage.contains("name=\"text\""))
            #expect(try await browser.postForm("/divisions/411324104201/issues", [("title", "x")]).status == .forbidden)
        }
    }

    @Test func theLedgerThroughTheAPI() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            struct List: Decodable { let items: [Item] }
            struct Item: Decodable { let id: Int; let state: String; let overdue: Bool }
            struct File: Decodable { let issue: Item; let version: Int; let events: [Event] }
            struct Event: Decodable { let toState: String; let response: String }
            struct Figures: Decodable { let ledger: Ledger }
            struct Ledger: Decodable { let collected: Int; let solvedOnTheSpot: Int; let referredToMeeting: Int; let ideas: Int; let meetings: [String: Int] }
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> TestResponse {
                try await browser.send(method, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf],
                                       body: ByteBuffer(string: body))
            }
            let closed = try JSONDecoder().decode(List.self, from: try await browser.get("/api/v1/divisions/411324104201/issues?state=closed").body)
            #expect(closed.items.count == 3)
            let created = try await send(.post, "/api/v1/divisions/411324104201/issues",
                                         #"{"title":"水管破裂","source":"hotline","raisedBy":"热线","category":"饮水","raisedOn":"2026-11-01"}"#)
            #expect(created.status == .created)
            let file = try JSONDecoder().decode(File.self, from: created.body)
            let moved = try await send(.post, "/api/v1/issues/\(file.issue.id)/transitions",
                                       #"{"to":"assigned","date":"2026-11-02","response":"已派人","owner":"水管员","deadline":"2026-11-05","version":\#(file.version)}"#)
            let after = try JSONDecoder().decode(File.self, from: moved.body)
            #expect(after.issue.state == "assigned" && after.issue.overdue && after.events.map(\.toState) == ["collected", "assigned"])
            let stale = try await send(.post, "/api/v1/issues/\(file.issue.id)/transitions",
                                       #"{"to":"closed","date":"2026-11-03","response":"好","result":"修好","version":\#(file.version)}"#)
            #expect(stale.status == .conflict)
            let nonsense = try await send(.post, "/api/v1/issues/\(file.issue.id)/transitions",
                                          #"{"to":"referred","date":"2026-11-03","response":"再议"}"#)
            #expect(nonsense.status == .badRequest)
            let figures = try JSONDecoder().decode(Figures.self, from: try await browser.get("/api/v1/divisions/411324104201/figures?year=2017").body)
            #expect(figures.ledger.collected == 12 && figures.ledger.solvedOnTheSpot == 9 && figures.ledger.referredToMeeting == 3)
            #expect(figures.ledger.ideas == 6 && figures.ledger.meetings["joint"] == 4)
        }
    }

    @Test func meetingsGridsAndListsThroughTheAPI() async throws {
        try await withDemoApp(.sqlite) { signedIn, database, _ in
            var browser = signedIn
            struct Meetings: Decodable { let items: [Meeting] }
            struct Meeting: Decodable { let id: Int; let kind: String; let title: String }
            struct MeetingFile: Decodable { let meeting: Meeting; let outcomes: [Outcome]; let received: [Issue]; let handled: [Handled]; let attendees: [Attendee] }
            struct Outcome: Decodable { let kind: String }
            struct Issue: Decodable { let state: String }
            struct Handled: Decodable { let issue: Issue }
            struct Attendee: Decodable { let personId: Int }
            struct Grids: Decodable { let items: [Grid] }
            struct Grid: Decodable { let id: Int; let households: Int }
            struct Lists: Decodable { let target: String?; let items: [Item] }
            struct Item: Decodable { let list: String }
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> TestResponse {
                try await browser.send(method, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf],
                                       body: ByteBuffer(string: body))
            }
            let meetings = try JSONDecoder().decode(Meetings.self, from: try await browser.get("/api/v1/divisions/411324104201/meetings").body)
            #expect(meetings.items.count == 23)
            let first = try #require(meetings.items.first { $0.title.contains("2017年4月") })
            let file = try JSONDecoder().decode(MeetingFile.self, from: try await browser.get("/api/v1/meetings/\(first.id)").body)
            #expect(file.received.count == 12 && file.handled.count == 12 && file.attendees.count == 12)
            let created = try await send(.post, "/api/v1/divisions/411324104201/meetings", """
                {"kind":"forum","title":"产业座谈会","date":"2026-11-10","place":"村部","chair":"周立新","attendees":[\(file.attendees[0].personId)],
                 "outcomes":[{"kind":"idea","text":"发展林下经济"}]}
                """)
            #expect(created.status == .created)
            let refused = try await send(.post, "/api/v1/divisions/411324104201/meetings",
                                         #"{"kind":"forum","title":"座谈会","date":"2026-11-10","place":"村部","chair":"周","attendees":[99999999]}"#)
            #expect(refused.status == .badRequest && refused.text.contains("attendees"))
            let grids = try JSONDecoder().decode(Grids.self, from: try await browser.get("/api/v1/divisions/411324104201/grids").body)
            #expect(grids.items.count == 10 && grids.items.map(\.households).reduce(0, +) == 289)
            let household = try await GovernanceRepository(database: database).grid(grids.items[0].id, today: "2026-11-29").households[0].id
            let twice = try await send(.post, "/api/v1/grids/\(grids.items[1].id)/households", #"{"households":[\#(household)]}"#)
            #expect(twice.status == .badRequest && twice.text.contains("一户只能属于一个网格"))
            let lists = try JSONDecoder().decode(Lists.self, from: try await browser.get("/api/v1/divisions/411324104201/lists?year=2018").body)
            #expect(lists.target != nil && Set(lists.items.map(\.list)).count == 4)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func visitsWithPromisesShowWhenTheyAreDueOrOverdueAndOnTheGridPage(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, _, _ in
            var browser = signedIn
            let households = try await browser.get("/divisions/411324104201/households?q=0001").text
            let file = String(try #require(households.firstMatch(of: #/href="(/households/\d+)"/#)).output.1)
            // a visit in the future, and a follow-up before the visit, are refused with their reasons
            let future = try await browser.postForm(file + "/visits", [("date", "2099-01-01"), ("visitor", "刘志强"), ("seen", "在家")])
            #expect(future.status == .badRequest && future.text.contains("走访日期不能晚于今天"))
            let early = try await browser.postForm(file + "/visits", [("date", "2020-05-01"), ("visitor", "刘志强"), ("seen", "在家"),
                                                                      ("promised", "联系就业"), ("followUp", "2020-04-01")])
            #expect(early.status == .badRequest && early.text.contains("回访日期不能早于走访日期"))
            // a promise whose follow-up date has passed stands out until it is marked done
            #expect(try await browser.postForm(file + "/visits", [("date", "2020-05-01"), ("visitor", "刘志强"), ("seen", "屋顶漏雨"),
                                                                  ("promised", "联系维修"), ("followUp", "2020-05-10")]).status == .seeOther)
            let page = try await browser.get(file).text
            #expect(page.contains("屋顶漏雨") && page.contains("回访逾期"))
            let done = try #require(page.firstMatch(of: #/action="(/households/\d+/visits/\d+/done)"/#)).output.1
            #expect(try await browser.postForm(String(done), []).status == .seeOther)
            #expect(!(try await browser.get(file).text.contains("回访逾期")))
            // the grid of household 0001 lists the visit among its recent ones
            let gridHref = String(try #require(try await browser.get(file).text.firstMatch(of: #/href="(/grids/\d+)"/#)).output.1)
            #expect(try await browser.get(gridHref).text.contains("屋顶漏雨"))
        }
    }

    @Test func gridPartyGroupsAndListItemsAreEditedFromTheirPages() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            let grids = try await browser.get("/divisions/411324104201/grids").text
            let first = String(try #require(grids.firstMatch(of: #/href="(/grids/\d+)">第一网格/#)).output.1)
            #expect(try await browser.get(first).text.contains("党小组长"))
            let unknown = try await browser.postForm(first + "/party-members", [("name", "查无此人"), ("role", "")])
            #expect(unknown.status == .badRequest && unknown.text.contains("本村没有名叫“查无此人”的人"))
            let lists = "/divisions/411324104201/lists"
            let refused = try await browser.postForm(lists, [("year", "2026"), ("list", "needs"), ("title", "村内路灯"), ("owner", "村委"),
                                                             ("status", "open"), ("issue", "999999"), ("meeting", "")])
            #expect(refused.status == .badRequest && refused.text.contains("不是本村问题：999999"))
            #expect(try await browser.postForm(lists, [("year", "2026"), ("list", "needs"), ("title", "村内路灯"), ("owner", "村委"),
                                                       ("status", "open"), ("issue", "1"), ("meeting", "")]).status == .seeOther)
            let page = try await browser.get(lists + "?year=2026").text
            #expect(page.contains("村内路灯") && page.contains("href=\"/issues/1\""))
        }
    }

    @Test func aMeasureIsAddedToTheYearsPlanAsANewVersion() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            let poor = try await browser.get("/divisions/411324104201/households?status=poor&date=2016-12-31").text
            let file = String(try #require(poor.firstMatch(of: #/href="(/households/\d+)"/#)).output.1)
            let page = try await browser.get(file).text
            #expect(page.contains("入股蛋鸡养殖场，享受分红") && page.contains("2016 年度"))
            let negative = try await browser.postForm(file + "/plans/2016/measures", [
                ("category", "housing"), ("content", "危房改造"), ("amount", "-100"), ("funding", "财政"), ("start", "2016-05-01"), ("end", "2016-10-01"),
                ("status", "planned"), ("result", ""),
            ])
            #expect(negative.status == .badRequest && negative.text.contains("金额应在 0 到"))
            #expect(try await browser.postForm(file + "/plans/2016/measures", [
                ("category", "housing"), ("content", "危房改造"), ("amount", "12,000.50"), ("funding", "财政"), ("start", "2016-05-01"),
                ("end", "2016-10-01"), ("status", "done"), ("result", "已入住"),
            ]).status == .seeOther)
            let after = try await browser.get(file).text
            #expect(after.contains("危房改造") && after.contains("12,000.50") && after.contains("历史版本"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func helpersAreAssignedWithinTheirVillageAndSeeTheirHouseholds(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            // the first secretary's work links their helper page, which lists the households the demo assigned to them
            let mine = try await browser.get("/my").text
            let helperHref = String(try #require(mine.firstMatch(of: #/<a href="(/helpers/\d+)">我的帮扶户</a>/#)).output.1)
            let page = try await browser.get(helperHref).text
            #expect(page.contains("周立新") && page.contains("河南省市场监督管理局") && page.matches(of: #/href="/households/\d+"/#).count > 10)
            // a new helper of another village cannot be paired with a household here
            let other = try DivisionCode(validating: "411324104202")
            try await database.transaction { sql in try await DivisionRepository.save(Division(code: other, name: "邻村"), in: sql) }
            let stranger = try await HelperRepository(database: database).create(
                HelperDraft(name: "外村干部", unit: "邻村村委", role: .villageCadre, from: "2024-01-01"), village: other, by: .system)
            let households = try await browser.get("/divisions/411324104201/households?q=0001").text
            let file = String(try #require(households.firstMatch(of: #/href="(/households/\d+)"/#)).output.1)
            let refused = try await browser.postForm(file + "/helpers", [("helper", String(stranger)), ("from", "2024-02-01")])
            #expect(refused.status == .badRequest && refused.text.contains("不能结对"))
            // a helper of this village is paired, shown on the file, and the pairing ended keeps its history
            let created = try await browser.postForm("/divisions/411324104201/helpers", [
                ("name", "新队员"), ("unit", "镇平县农业农村局"), ("role", "team_member"), ("phone", "13800000000"), ("from", "2024-01-01"), ("username", ""),
            ])
            let helper = try #require(created.headers[.location]).split(separator: "/").last.map(String.init)!
            #expect(try await browser.postForm(file + "/helpers", [("helper", helper), ("from", "2024-02-01")]).status == .seeOther)
            let withHelper = try await browser.get(file).text
            #expect(withHelper.contains("新队员") && withHelper.contains("结束帮扶"))
            let end = String(try #require(withHelper.firstMatch(of: #/action="(/households/\d+/helpers/\d+/end)"/#)).output.1)
            #expect(try await browser.postForm(end, []).status == .seeOther)
            let helperPage = try await browser.get("/helpers/\(helper)").text
            #expect(helperPage.contains("帮扶过的户"))
        }
    }

    @Test func helpersPlansAndVisitsThroughTheAPI() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            struct Helpers: Decodable { let items: [Helper] }
            struct Helper: Decodable { let name: String; let households: Int }
            struct Plans: Decodable { let items: [Plan] }
            struct Plan: Decodable { let year: Int; let version: Int; let measures: [Measure] }
            struct Measure: Decodable { let category: String; let amountFen: Int }
            struct Visits: Decodable { let items: [Visit] }
            struct Visit: Decodable { let seen: String; let followUpState: String? }
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> TestResponse {
                try await browser.send(method, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf],
                                       body: ByteBuffer(string: body))
            }
            let helpers = try JSONDecoder().decode(Helpers.self, from: try await browser.get("/api/v1/divisions/411324104201/helpers").body)
            #expect(helpers.items.count == 10 && helpers.items.map(\.households).reduce(0, +) == 152)
            let poor = try await browser.get("/divisions/411324104201/households?status=poor&date=2016-12-31").text
            let household = try #require(poor.firstMatch(of: #/href="/households/(\d+)"/#)).output.1
            let plans = try JSONDecoder().decode(Plans.self, from: try await browser.get("/api/v1/households/\(household)/plans").body)
            #expect(plans.items.first?.year == 2016 && plans.items.first?.measures.count == 2)
            let measure = #"{"category":"water","content":"自来水入户","amountFen":80000,"funding":"财政","start":"2024-03-01","end":"2024-06-30","status":"planned","result":""}"#
            let saved = try await send(.put, "/api/v1/households/\(household)/plans/2024", #"{"measures":[\#(measure)]}"#)
            #expect(saved.status == .ok)
            let newest = try #require(try JSONDecoder().decode(Plans.self, from: saved.body).items.first)
            #expect(newest.year == 2024 && newest.version == 1 && newest.measures[0].amountFen == 80_000)
            let negative = try await send(.put, "/api/v1/households/\(household)/plans/2024",
                                          #"{"measures":[\#(measure.replacingOccurrences(of: "80000", with: "-1"))]}"#)
            #expect(negative.status == .badRequest)
            let visit = try await send(.post, "/api/v1/households/\(household)/visits",
                                       #"{"date":"2024-03-02","visitor":"刘志强","seen":"水管已通","promised":"回访水质","followUp":"2024-03-09"}"#)
            #expect(visit.status == .created)
            let visits = try JSONDecoder().decode(Visits.self, from: visit.body)
            #expect(visits.items.first?.seen == "水管已通" && visits.items.first?.followUpState == "overdue")
        }
    }
}
