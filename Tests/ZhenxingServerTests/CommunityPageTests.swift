import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct CommunityPageTests {
    @Test(arguments: TestDatabases.engines)
    func aCadreRecordsALectureWithItsListRunsAnHonourAndAProjectAndTheFiguresFollow(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            // given: the demo's 2020 on the division page
            let division = try await browser.get("/divisions/411324104201?year=2020").text
            #expect(division.contains("讲习") && division.contains("639") && division.contains("500,000.00") && division.contains("100.0"))
            // when: a lecture is recorded with two villagers on its list
            let names = try await database.read { sql in
                try await sql.raw("""
                    SELECT p.name FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL JOIN households h ON h.id = m.household_id
                    WHERE h.village_code = '411324104201' GROUP BY p.name HAVING count(*) = 1 ORDER BY p.name LIMIT 2
                    """).all(decodingColumn: "name", as: String.self)
            }
            let created = try await browser.postForm("/divisions/411324104201/activities", [
                ("kind", "lecture"), ("title", "乡村振兴政策宣讲"), ("date", "2027-01-10"), ("place", "村党群服务中心"), ("organiser", "联合党总支"),
                ("partner", ""), ("speaker", "第一书记 周立新"), ("speakerType", "cadre"), ("classroom", "secretary"),
                ("attendees", names.joined(separator: "、")), ("counted", ""), ("parties", ""), ("outcome", ""),
            ])
            #expect(created.status == .seeOther)
            let activity = try await browser.get(try #require(created.headers[.location])).text
            #expect(activity.contains(names[0]) && activity.contains(names[1]) && activity.contains("干部讲政策"))
            let listed = try await browser.get("/divisions/411324104201/activities?year=2027&kind=lecture").text
            #expect(listed.contains("乡村振兴政策宣讲") && listed.contains("<td class=\"num\">2</td>"))
            // bad input: an unknown name, a lecture in the future
            let unknown = try await browser.postForm("/divisions/411324104201/activities", [
                ("kind", "lecture"), ("title", "讲习"), ("date", "2027-01-10"), ("attendees", "查无此人"), ("counted", ""),
            ])
            #expect(unknown.status == .badRequest && unknown.text.contains("本村没有：查无此人"))
            let future = try await browser.postForm("/divisions/411324104201/activities", [("kind", "lecture"), ("title", "讲习"), ("date", "2027-03-01")])
            #expect(future.status == .badRequest && future.text.contains("活动举办后再登记"))
            // an honour round: nominate, vote, announce; a vote after it is refused
            let types = try await CommunityRepository(database: database).honourTypes()
            let worthy = try #require(types.first { $0.name == "新乡贤" })
            #expect(try await browser.postForm("/divisions/411324104201/honours/nominations?year=2026", [
                ("type", String(worthy.id)), ("nominee", names[0]), ("nominatedBy", "村民代表"), ("reason", "热心公益"),
            ]).status == .seeOther)
            let honours = try await browser.get("/divisions/411324104201/honours?year=2026").text
            let nomination = String(try #require(honours.firstMatch(of: #/name="winner\[\]" value="(\d+)"/#)).output.1)
            #expect(try await browser.postForm("/divisions/411324104201/honours/votes?year=2026", [("nomination", nomination), ("votes", "88")]).status == .seeOther)
            #expect(try await browser.postForm("/divisions/411324104201/honours/announce?year=2026", [("type", String(worthy.id)), ("winner[]", nomination)]).status == .seeOther)
            let late = try await browser.postForm("/divisions/411324104201/honours/votes?year=2026", [("nomination", nomination), ("votes", "1")])
            #expect(late.status == .badRequest && late.text.contains("公布结果，不能再推荐或投票"))
            #expect(try await browser.get("/divisions/411324104201/honours?year=2026").text.contains("<td data-label=\"票数\" class=\"num\">88</td>"))
            // a project with a land contract; a bad contract is refused with the reasons
            let project = try await browser.postForm("/divisions/411324104201/projects", [
                ("name", "光伏电站"), ("kind", "energy"), ("partner", "国家电投"), ("status", "building"), ("started", "2026-03-01"), ("description", ""),
            ])
            let projectPath = try #require(project.headers[.location])
            #expect(try await browser.postForm(projectPath + "/entries", [
                ("entry", "land"), ("lessor", "村集体"), ("household", ""), ("area", "12.5"), ("start", "2026-03-01"), ("end", "2046-02-28"), ("rent", "6000"),
            ]).status == .seeOther)
            let bad = try await browser.postForm(projectPath + "/entries", [
                ("entry", "land"), ("lessor", "村集体"), ("household", ""), ("area", "-3"), ("start", "2026-03-01"), ("end", "2025-02-28"), ("rent", "0"),
            ])
            #expect(bad.status == .badRequest && bad.text.contains("流转面积应大于 0 亩") && bad.text.contains("合同结束日期不能早于开始日期"))
            #expect(try await browser.get(projectPath).text.contains("12.5"))
            // the projects list and the meetings exported as CSV with a BOM, Chinese headers
            let projects = try await browser.get("/divisions/411324104201/projects/export?format=csv")
            #expect(projects.text.hasPrefix("\u{FEFF}村代码,项目,类型") && projects.text.contains("光伏电站") && projects.text.contains("10 万只蛋鸡养殖场"))
            let meetings = try await browser.get("/divisions/411324104201/meetings/export?format=csv")
            #expect(meetings.text.hasPrefix("\u{FEFF}村代码,日期,类型") && meetings.text.split(whereSeparator: \.isNewline).count == 1 + 23)
            // the households list exported with its filters: the 76 households poor at the end of 2016
            let poorList = try await browser.get("/divisions/411324104201/households/export?date=2016-12-31&status=poor&format=csv").text
            #expect(poorList.hasPrefix("\u{FEFF}村代码,户编号,户主") && poorList.split(whereSeparator: \.isNewline).count == 1 + 76)
            let listPage = try await browser.get("/divisions/411324104201/households?date=2016-12-31&status=poor").text
            #expect(listPage.contains("/divisions/411324104201/households/export?date=2016-12-31&amp;status=poor&amp;format=csv"))
            let honoursFile = try await browser.get("/divisions/411324104201/honours/export?year=2020&format=csv").text
            #expect(honoursFile.hasPrefix("\u{FEFF}村代码,年度,评选") && honoursFile.split(whereSeparator: \.isNewline).count == 1 + 12)
            // collective income recorded on the economy page
            #expect(try await browser.postForm("/divisions/411324104201/economy/income", [
                ("date", "2026-12-01"), ("source", "光伏收益"), ("amount", "12345.67"), ("note", ""),
            ]).status == .seeOther)
            #expect(try await browser.get("/divisions/411324104201/economy?year=2026").text.contains("12,345.67"))
            #expect(try await browser.get("/divisions/411324104201/economy/export?year=2026&format=csv").text.contains("光伏收益,12345.67"))
            // the household file of a villager on the list shows the lecture
            let person = try #require(activity.firstMatch(of: #/href="/households/(\d+)"/#)).output.1
            #expect(try await browser.get("/households/\(person)").text.contains("乡村振兴政策宣讲"))
        }
    }

    @Test func activitiesProjectsHonoursAndIncomeThroughTheAPI() async throws {
        try await withDemoApp(.sqlite) { signedIn, database, _ in
            var browser = signedIn
            struct Activities: Decodable { let items: [Activity] }
            struct Activity: Decodable { let kind: String; let personTimes: Int; let counted: Bool }
            struct Nominations: Decodable { let items: [Nomination] }
            struct Nomination: Decodable { let honour: String; let winner: Bool }
            struct Projects: Decodable { let items: [Project] }
            struct Project: Decodable { let id: Int; let name: String }
            struct ProjectFile: Decodable { let sales: [Sale] }
            struct Sale: Decodable { let buyer: String }
            struct Income: Decodable { let totalFen: Int }
            struct Figures: Decodable { let community: Community }
            struct Community: Decodable { let employmentRate: Double?; let collectiveIncomeFen: Int }
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> TestResponse {
                try await browser.send(method, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf],
                                       body: ByteBuffer(string: body))
            }
            let decoder = JSONDecoder()
            let health = try decoder.decode(Activities.self, from: try await browser.get("/api/v1/divisions/411324104201/activities?year=2020&kind=health_check").body)
            #expect(health.items.count == 3 && health.items.allSatisfy(\.counted) && health.items.map(\.personTimes).reduce(0, +) == 206)
            let honours = try decoder.decode(Nominations.self, from: try await browser.get("/api/v1/divisions/411324104201/honours?year=2020").body)
            #expect(honours.items.filter(\.winner).count == 4)
            let projects = try decoder.decode(Projects.self, from: try await browser.get("/api/v1/divisions/411324104201/projects").body)
            let workshop = try #require(projects.items.first { $0.name == "假发加工扶贫车间" })
            let file = try decoder.decode(ProjectFile.self, from: try await browser.get("/api/v1/projects/\(workshop.id)").body)
            #expect(Set(file.sales.map(\.buyer)) == ["南阳市教委", "牧原集团"])
            let figures = try decoder.decode(Figures.self, from: try await browser.get("/api/v1/divisions/411324104201/figures?year=2020").body)
            #expect(figures.community.employmentRate == 1 && figures.community.collectiveIncomeFen == 50_000_000)
            // an activity with a list, and one with a person of another village (refused)
            let person = try await database.read { try await $0.raw("SELECT min(person_id) AS id FROM activity_attendees").first(decodingColumn: "id", as: Int.self)! }
            let created = try await send(.post, "/api/v1/divisions/411324104201/activities",
                                         #"{"kind":"training","title":"电商培训","date":"2026-05-01","attendees":[\#(person)]}"#)
            let recorded = try decoder.decode(Activity.self, from: created.body)
            #expect(created.status == .created && recorded.personTimes == 1)
            #expect(try await send(.post, "/api/v1/divisions/411324104201/activities", #"{"kind":"training","title":"培训","date":"2026-05-01","attendees":[999999]}"#).status == .badRequest)
            let income = try await send(.post, "/api/v1/divisions/411324104201/collective-income", #"{"receivedOn":"2026-06-01","source":"租金","amountFen":100000}"#)
            let entries = try decoder.decode(Income.self, from: income.body)
            #expect(income.status == .created && entries.totalFen == 100_000)
            #expect(try await send(.post, "/api/v1/divisions/411324104201/collective-income", #"{"receivedOn":"2026-06-01","source":"租金","amountFen":-1}"#).status == .badRequest)
            // a project with a land contract; a contract with a negative area or ending before it starts is refused
            let project = try await send(.post, "/api/v1/divisions/411324104201/projects", #"{"name":"光伏电站","kind":"energy","started":"2026-03-01"}"#)
            #expect(project.status == .created)
            struct File: Decodable { let project: Project; let land: [Land] }
            struct Land: Decodable { let areaMuHundredths: Int }
            let id = try decoder.decode(File.self, from: project.body).project.id
            let land = try await send(.post, "/api/v1/projects/\(id)/land", #"{"lessor":"村集体","areaMuHundredths":1250,"start":"2026-03-01","end":"2046-02-28","rentFenPerYear":600000}"#)
            let withLand = try decoder.decode(File.self, from: land.body)
            #expect(land.status == .created && withLand.land.map(\.areaMuHundredths) == [1250])
            let badLand = try await send(.post, "/api/v1/projects/\(id)/land", #"{"lessor":"村集体","areaMuHundredths":-5,"start":"2026-03-01","end":"2025-02-28","rentFenPerYear":0}"#)
            #expect(badLand.status == .badRequest && badLand.text.contains("流转面积应大于 0 亩"))
            // a nomination, votes, the announcement, and a vote after it refused
            let nominated = try await send(.post, "/api/v1/divisions/411324104201/honours",
                                           #"{"honour":"新乡贤","year":2026,"personId":\#(person),"nominatedBy":"村民代表","reason":"热心公益"}"#)
            #expect(nominated.status == .created)
            struct Nominated: Decodable { let items: [Item] }
            struct Item: Decodable { let id: Int; let votes: Int; let winner: Bool }
            let nomination = try #require(try decoder.decode(Nominated.self, from: nominated.body).items.first)
            let voted = try await send(.post, "/api/v1/nominations/\(nomination.id)/votes", #"{"votes":30}"#)
            let afterVote = try decoder.decode(Nominated.self, from: voted.body)
            #expect(voted.status == .ok && afterVote.items.first?.votes == 30)
            let announced = try await send(.post, "/api/v1/divisions/411324104201/honours/announce", #"{"honour":"新乡贤","year":2026,"winners":[\#(nomination.id)]}"#)
            let afterAnnouncement = try decoder.decode(Nominated.self, from: announced.body)
            #expect(announced.status == .ok && afterAnnouncement.items.first?.winner == true)
            let late = try await send(.post, "/api/v1/nominations/\(nomination.id)/votes", #"{"votes":1}"#)
            #expect(late.status == .badRequest && late.text.contains("不能再推荐或投票"))
        }
    }
}
