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

@Suite struct AssistancePageTests {
    @Test(arguments: TestDatabases.engines)
    func thePartyPageCountsMembersAtADateAndBranchesTakeHouseholdsInTheirCare(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, _, _ in
            var browser = signedIn
            // given: the demo's 27 members before the joint committee and 93 with it, in four branches
            #expect(try await browser.get("/divisions/411324104201/party?on=2016-12-31").text.contains("2016-12-31 党员 27 名"))
            let overview = try await browser.get("/divisions/411324104201/party?on=2018-12-31").text
            #expect(overview.contains("2018-12-31 党员 93 名") && overview.contains("南阳中联水泥党支部 21") && overview.contains("兜底保障党支部"))
            // when: a branch of the village's own is formed, takes two households and a member
            let formed = try await browser.postForm("/divisions/411324104201/party/branches", [
                ("name", "电商服务党支部"), ("kind", "other"), ("formed", "2024-05-01"), ("secretary", "周立新"),
            ])
            #expect(formed.status == .seeOther)
            let branch = try #require(formed.headers[.location])
            #expect(try await browser.postForm(branch + "/households", [("numbers", "0001、0002"), ("since", "2024-05-01")]).status == .seeOther)
            let page = try await browser.get(branch).text
            let member = String(try #require(page.firstMatch(of: #/<option value="(\d+)">/#)).output.1)
            #expect(try await browser.postForm(branch + "/members", [("member", member)]).status == .seeOther)
            // then: the branch page and the household file show them
            let after = try await browser.get(branch).text
            #expect(after.contains("0001") && after.contains("0002") && after.matches(of: #/<td class="mono">\d{4}-\d{2}-\d{2}</td></tr>/#).count >= 2)
            let households = try await browser.get("/divisions/411324104201/households?q=0001").text
            let file = String(try #require(households.firstMatch(of: #/href="(/households/\d+)"/#)).output.1)
            #expect(try await browser.get(file).text.contains("电商服务党支部"))
            // when: a member from outside the village registers, then transfers out
            #expect(try await browser.postForm("/divisions/411324104201/party/members", [
                ("person", ""), ("name", "新党员"), ("organisation", "镇平新联会党支部"), ("joined", "2024-01-01"),
            ]).status == .seeOther)
            let withNew = try await browser.get("/divisions/411324104201/party").text
            #expect(withNew.contains("党员 94 名") && withNew.contains("新党员"))
            let end = String(try #require(withNew.firstMatch(of: #/action="(/divisions/411324104201/party/members/\d+/end)"/#)).output.1)
            #expect(try await browser.postForm(end, []).status == .seeOther)
            #expect(try await browser.get("/divisions/411324104201/party").text.contains("党员 93 名"))
            // bad input: an unknown household number, a member without organisation: the reason, nothing stored
            let unknown = try await browser.postForm(branch + "/households", [("numbers", "0001 9999"), ("since", "2024-06-01")])
            #expect(unknown.status == .badRequest && unknown.text.contains("本村没有这些户编号：9999"))
            let noOrganisation = try await browser.postForm("/divisions/411324104201/party/members", [
                ("person", ""), ("name", "某"), ("organisation", ""), ("joined", "2024-01-01"),
            ])
            #expect(noOrganisation.status == .badRequest && noOrganisation.text.contains("请写明所在党组织"))
            #expect(try await browser.get("/divisions/411324104201/party").text.contains("党员 93 名"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func visitPhotosAreCheckedByContentKeptAndShownAsThumbnails(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { signedIn, database, _ in
            var browser = signedIn
            let households = try await browser.get("/divisions/411324104201/households?q=0001").text
            let file = String(try #require(households.firstMatch(of: #/href="(/households/\d+)"/#)).output.1)
            // given: a visit by a registered helper
            let helper = try await HelperRepository(database: database).helpers(in: LiangshuiquanDemo.villageCode).first { $0.name == "刘志强" }!
            #expect(try await browser.postForm(file + "/visits", [
                ("date", "2027-01-10"), ("helper", String(helper.id)), ("visitor", ""), ("seen", "新房已入住"), ("promised", ""), ("followUp", ""),
            ]).status == .seeOther)
            let page = try await browser.get(file).text
            #expect(page.contains("<a href=\"/helpers/\(helper.id)\">河南省市场监督管理局 刘志强</a>"))
            let upload = String(try #require(page.firstMatch(of: #/action="(/visits/\d+/photos)\?/#)).output.1)
            // when: a PNG photo is uploaded
            let png = TestImages.png(width: 800, height: 600)
            #expect(try await browser.upload(upload, file: ("新房.png", png), fields: []).status == .seeOther)
            // then: the page shows its thumbnail, a JPEG at most 320 px wide; the photo itself comes back unchanged
            let shown = try await browser.get(file).text
            let photo = String(try #require(shown.firstMatch(of: #/href="(/photos/\d+)"><img src="/photos/\d+/thumbnail"/#)).output.1)
            let thumbnail = try await browser.get(photo + "/thumbnail")
            #expect(thumbnail.headers[.contentType] == "image/jpeg" && Array(thumbnail.body.readableBytesView.prefix(2)) == [0xFF, 0xD8])
            #expect(thumbnail.headers[.cacheControl]?.hasPrefix("private") == true)
            let original = try await browser.get(photo)
            #expect(original.headers[.contentType] == "image/png" && Array(original.body.readableBytesView) == png)
            // bad input: a PDF renamed .jpg, an empty file, a truncated PNG: refused with the reason, nothing stored
            let pdf = Array("%PDF-1.7\n1 0 obj << >> endobj\n".utf8)
            let refused = try await browser.upload(upload, file: ("照片.jpg", pdf), fields: [])
            #expect(refused.status == .badRequest && refused.text.contains("不是 JPEG 或 PNG 照片"))
            #expect(try await browser.upload(upload, file: ("空.jpg", []), fields: []).text.contains("照片文件是空的"))
            #expect(try await browser.upload(upload, file: ("半张.png", Array(png.prefix(png.count / 2))), fields: []).text.contains("已损坏或不完整"))
            let oversized = try await browser.upload(upload, file: ("大.png", png + [UInt8](repeating: 0, count: 11 << 20)), fields: [])
            #expect(oversized.status == .contentTooLarge && oversized.text.contains("照片超过 10 MB 上限"))
            let stored = try await database.read { try await $0.raw("SELECT count(*) AS n FROM visit_photos").first(decodingColumn: "n", as: Int.self) }
            #expect(stored == 1)
            // a viewer of the county sees it, nobody signed out does; removing it takes it off the page
            var anonymous = try await Browser.anonymous(browser.client)
            #expect(try await anonymous.get(photo).status == .seeOther)
            let remove = String(try #require(shown.firstMatch(of: #/action="(/visits/\d+/photos/\d+/remove)"/#)).output.1)
            #expect(try await browser.postForm(remove, []).status == .seeOther)
            #expect(try await browser.get(photo).status == .notFound)
        }
    }

    @Test func measuresAreListedByCategoryAndExportedWithTheListsFilters() async throws {
        try await withDemoApp(.sqlite) { signedIn, _, _ in
            var browser = signedIn
            let page = try await browser.get("/divisions/411324104201/measures?year=2016").text
            #expect(page.contains("发展生产") && page.contains("<td class=\"num\">76</td>"))
            let all = try await browser.get("/divisions/411324104201/measures/export?year=2016&format=csv")
            #expect(all.status == .ok && all.text.split(whereSeparator: \.isNewline).count == 1 + 152 && all.text.hasPrefix("\u{FEFF}村代码,户编号"))
            let health = try await browser.get("/divisions/411324104201/measures/export?year=2016&category=production&format=csv").text
            #expect(health.split(whereSeparator: \.isNewline).count == 1 + 76 && !health.contains("雨露计划"))
            #expect(try await browser.get("/divisions/411324104201/measures?year=2016&category=nope").status == .badRequest)
            // the year's visits: listed with their follow-ups, exported whole
            let visits = try await browser.get("/divisions/411324104201/visits?year=2016").text
            #expect(visits.contains("已回访") && visits.matches(of: #/<tr class="follow-done">/#).count > 50)
            let visitFile = try await browser.get("/divisions/411324104201/visits/export?year=2016&format=csv").text
            #expect(visitFile.hasPrefix("\u{FEFF}走访日期,户编号") && visitFile.split(whereSeparator: \.isNewline).count == 1 + 152)
        }
    }

    @Test func helpersThePartyAndMeasuresThroughTheAPI() async throws {
        try await withDemoApp(.sqlite) { signedIn, database, _ in
            var browser = signedIn
            struct Party: Decodable { let members: Int; let organisations: [Organisation]; let branches: [Branch] }
            struct Organisation: Decodable { let organisation: String; let members: Int }
            struct Branch: Decodable { let kind: String; let households: Int }
            struct Helper: Decodable { let id: Int; let name: String }
            struct Assignments: Decodable { let items: [Assignment] }
            struct Assignment: Decodable { let helperName: String; let to: String? }
            struct Measures: Decodable { let items: [Row] }
            struct Row: Decodable { let householdNumber: String; let measure: Measure }
            struct Measure: Decodable { let category: String }
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws -> TestResponse {
                try await browser.send(method, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf],
                                       body: ByteBuffer(string: body))
            }
            let before = try JSONDecoder().decode(Party.self, from: try await browser.get("/api/v1/divisions/411324104201/party?on=2016-12-31").body)
            #expect(before.members == 27 && before.organisations.map(\.organisation) == ["凉水泉村党支部"])
            let after = try JSONDecoder().decode(Party.self, from: try await browser.get("/api/v1/divisions/411324104201/party?on=2018-12-31").body)
            #expect(after.members == 93 && after.organisations.count == 6 && after.branches.map(\.households).reduce(0, +) == 289)
            #expect(try await browser.get("/api/v1/divisions/411324104201/party?on=2018-02-30").status == .badRequest)
            // a helper registered and paired through the API; one of another village is refused
            let created = try await send(.post, "/api/v1/divisions/411324104201/helpers",
                                         #"{"name":"新帮扶人","unit":"镇平县人社局","role":"paired_helper","phone":"13800000001","from":"2024-01-01"}"#)
            #expect(created.status == .created)
            let helper = try JSONDecoder().decode(Helper.self, from: created.body)
            let household = try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2024-01-01", after: nil, limit: 1)[0].id
            let paired = try await send(.post, "/api/v1/households/\(household)/helpers", #"{"helperId":\#(helper.id),"from":"2024-02-01"}"#)
            #expect(paired.status == .created)
            #expect(try JSONDecoder().decode(Assignments.self, from: paired.body).items.contains { $0.helperName == "新帮扶人" && $0.to == nil })
            let other = try DivisionCode(validating: "411324104202")
            try await database.transaction { sql in try await DivisionRepository.save(Division(code: other, name: "邻村"), in: sql) }
            let stranger = try await HelperRepository(database: database).create(
                HelperDraft(name: "外村干部", unit: "邻村村委", role: .villageCadre, from: "2024-01-01"), village: other, by: .system)
            #expect(try await send(.post, "/api/v1/households/\(household)/helpers", #"{"helperId":\#(stranger),"from":"2024-02-01"}"#).status == .badRequest)
            #expect(try await send(.post, "/api/v1/divisions/411324104201/helpers", #"{"name":"","unit":"某","role":"boss","from":"2024-01-01"}"#).status == .badRequest)
            // a visit by that helper, and the measures of one category
            let visit = try await send(.post, "/api/v1/households/\(household)/visits", #"{"date":"2024-03-02","helperId":\#(helper.id),"seen":"看望"}"#)
            #expect(visit.status == .created && visit.text.contains("镇平县人社局 新帮扶人"))
            let measures = try JSONDecoder().decode(Measures.self, from: try await browser.get("/api/v1/divisions/411324104201/measures?year=2016&category=health").body)
            #expect(!measures.items.isEmpty && measures.items.allSatisfy { $0.measure.category == "health" })
        }
    }
}
