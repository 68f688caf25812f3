import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct RegistryPageTests {
    @Test(arguments: TestDatabases.engines)
    func theVillagePageShowsTheYearsFigures(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, _, _ in
            var client = browser
            let y2016 = try await client.get("/divisions/411324104201?year=2016").text
            let y2018 = try await client.get("/divisions/411324104201?year=2018").text
            #expect(y2016.contains(">930<") && y2016.contains(">76<") && y2016.contains(">238<") && y2016.contains(">25.59<"))
            #expect(y2016.contains("未达标"))
            // 2018: the village met the limit and its exit is on record
            #expect(y2018.contains(">941<") && y2018.contains(">0.85<") && y2018.contains(">已出列<") && y2018.contains("2018-12-28，镇平县人民政府"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theHouseholdListFiltersSearchesAndPages(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let list = "/divisions/411324104201/households"
            let total = try await RegistryRepository(database: database).householdCount(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2027-01-15")
            let pages = (total + 49) / 50
            // when
            let poor2018 = try await client.get(list + "?status=poor&date=2018-12-31").text
            let firstPage = try await client.get(list).text
            let next = try #require(firstPage.firstMatch(of: #/href="(/divisions/411324104201/households\?page=2)" rel="next"/#).map { String($0.output.1) })
            let secondPage = try await client.get(next).text
            let last = try await client.get(list + "?page=\(pages)").text
            let beyond = try await client.get(list + "?page=9999").text
            let byNumber = try await client.get(list + "?q=0004").text
            // then: 50 a page, the total and where one stands, a way back and on, the numbered pages
            #expect(total > 100 && poor2018.matches(of: #/href="/households/\d+"/#).count == 3)
            #expect(firstPage.matches(of: #/href="/households/\d+"/#).count == 50 && firstPage.contains("共 \(total) 户 · 第 1 / \(pages) 页"))
            #expect(firstPage.contains(">0001<") && !firstPage.contains(">0051<") && !firstPage.contains("rel=\"prev\""))
            #expect(firstPage.contains("<a href=\"/divisions/411324104201/households?page=\(pages)\">\(pages)</a>"))
            #expect(secondPage.contains(">0051<") && !secondPage.contains(">0050<"))
            #expect(secondPage.contains("<a class=\"button secondary\" href=\"/divisions/411324104201/households\" rel=\"prev\">"))
            #expect(last.matches(of: #/href="/households/\d+"/#).count == total - 50 * (pages - 1) && !last.contains("rel=\"next\""))
            #expect(beyond.contains("第 \(pages) / \(pages) 页"))
            #expect(byNumber.matches(of: #/href="/households/\d+"/#).count == 1 && byNumber.contains("共 1 户"))
            // the columns a cadre needs: the main cause, the helpers, the latest visit
            #expect(firstPage.contains("主要致贫原因") && firstPage.contains("帮扶责任人") && firstPage.contains("最近走访"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theFileMasksIDsUntilARightfulUserAsksAndAuditsIt(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // given
            let registry = RegistryRepository(database: database)
            let household = try await registry.households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(status: .poor), asOf: "2016-12-31", after: nil, limit: 1)[0]
            let file = try await registry.file(household.id)
            let head = file.members[0]
            // when
            let page = try await client.get("/households/\(household.id)").text
            let revealed = try await client.postForm("/people/\(head.personId)/full-id", [])
            // then
            #expect(!page.contains(head.residentId))
            #expect(page.contains(String(head.residentId.prefix(6)) + "************") && !page.contains(String(head.residentId.suffix(4)) + "<"))
            #expect(page.contains("达到脱贫标准") && page.contains("建档立卡精准识别"))
            #expect(revealed.status == .ok && revealed.text.contains(head.residentId))
            #expect(!revealed.text.contains("<title>") || !revealed.text.split(separator: "</title>")[0].contains(head.residentId))
            let audit = try await AuditLog(database: database).entries(AuditFilter(action: .viewFullID))
            #expect(audit.count == 1 && audit[0].entityKey == String(head.personId) && audit[0].username == "lsq.secretary")
        }
    }

    @Test func viewersSeeMaskedIDsOnlyAndOthersVillagesAreHidden() async throws {
        try await withDemoApp(.sqlite, as: "lsq.viewer") { browser, database, _ in
            var viewer = browser
            let registry = RegistryRepository(database: database)
            let household = try await registry.households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2020-01-01", after: nil, limit: 1)[0]
            let head = try await registry.file(household.id).members[0]
            let page = try await viewer.get("/households/\(household.id)").text
            let refused = try await viewer.postForm("/people/\(head.personId)/full-id", [])
            let guessed = try await viewer.get("/households/999999")
            #expect(!page.contains("显示完整号码") && !page.contains(head.residentId))
            #expect(refused.status == .forbidden)
            #expect(guessed.status == .notFound)
        }
    }

    @Test func theFiguresAPIMatchesTheArticle() async throws {
        try await withDemoApp(.sqlite, as: "zhenping.officer") { browser, _, _ in
            var officer = browser
            struct Figures: Decodable {
                let population: Int; let poorPeople: Int; let poorHouseholds: Int; let povertyIncidence: Double?
                struct Exit: Decodable { let eligible: Bool; let limit: Double }
                let villageExit: Exit?
            }
            let village = try JSONDecoder().decode(Figures.self, from: try await officer.get("/api/v1/divisions/411324104201/figures?year=2018").body)
            let county = try JSONDecoder().decode(Figures.self, from: try await officer.get("/api/v1/divisions/411324000000/figures?year=2016").body)
            let badYear = try await officer.get("/api/v1/divisions/411324104201/figures?year=1999")
            let missingYear = try await officer.get("/api/v1/divisions/411324104201/figures")
            #expect(village.population == 941 && village.poorPeople == 8 && village.villageExit?.eligible == true && village.villageExit?.limit == 0.02)
            #expect(county.poorHouseholds == 76 && county.poorPeople == 238 && county.population == 930 && county.villageExit == nil)
            #expect(badYear.status == .badRequest && badYear.text.contains("2000"))
            #expect(missingYear.status == .badRequest)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anAdministratorsNewPovertyLineChangesTheExitCheck(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, database, _ in
            var admin = browser
            // given: household 1's 2021 check against the 4,000 line carried from 2020
            let refused = try await admin.postForm("/admin/parameters", [("scope", "41"), ("year", "20x"), ("povertyLine", "abc"), ("source", "")])
            let saved = try await admin.postForm("/admin/parameters", [
                ("scope", "41"), ("year", "2021"), ("povertyLine", "99999"), ("source", "测试：省定2021年标准"),
            ])
            // then
            #expect(refused.status == .badRequest && refused.text.contains("请填写数字"))
            #expect(saved.status == .seeOther)
            let parameters = try await RegistryRepository(database: database).parameters(for: LiangshuiquanDemo.villageCode, year: 2022)
            #expect(parameters.povertyLineFen == 9_999_900 && parameters.povertyLineSource.hasPrefix("2021: 测试"))
            let list = try await admin.get("/admin/parameters").text
            #expect(list.contains("99,999.00") && list.contains("测试：省定2021年标准"))
            let audit = try await AuditLog(database: database).entries(AuditFilter(username: "admin", action: .create))
            #expect(audit.contains { $0.entity == "policy_parameters" && $0.entityKey == "41/2021" })
        }
    }

    @Test func theHouseholdFileOnPaperSaysWhereItLivesItsHeadTheDayAndHasSignatureLines() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            let household = try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(search: "0084"), asOf: "2027-01-15", after: nil, limit: 1)[0]
            let page = try await client.get("/households/\(household.id)").text
            let head = try #require(page.firstMatch(of: #/<dl class="print-only print-head">(.*?)</dl>/#)).output.1
            #expect(head.contains("<dd>镇平县 老庄镇 凉水泉村</dd>") && head.contains("<dd>\(household.headName!)</dd>") && head.contains("<dd>2027-01-15</dd>"))
            #expect(page.contains("户主签字") && page.contains("帮扶责任人签字"))
            // the village's annual report on paper says the same of where it is from and when it was printed
            let report = try await client.get("/divisions/411324104201/dashboard?year=2020").text
            let reportHead = try #require(report.firstMatch(of: #/<dl class="print-only print-head">(.*?)</dl>/#)).output.1
            #expect(reportHead.contains("<dd>镇平县 老庄镇 凉水泉村</dd>") && reportHead.contains("<dd>2027-01-15</dd>"))
        }
    }

    @Test func theVillageListSortsByHeadNameInPinyinOrder() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            // the pages in turn, 50 heads a page, continue one order
            var heads: [String] = []
            for number in 1...6 {
                let page = try await client.get("/divisions/411324104201/households?sort=name&page=\(number)").text
                heads += page.matches(of: #/<td class="mono"[^>]*><a href="/households/\d+">[^<]+</a></td><td class="nowrap"[^>]*>([^<]+)</td>/#).map { String($0.output.1) }
            }
            #expect(heads.count == 289)
            let chinese = Locale(identifier: "zh_Hans_CN")
            #expect(heads == heads.sorted { $0.compare($1, locale: chinese) == .orderedAscending })
            #expect(heads.first?.hasPrefix("陈") == true && heads.last?.hasPrefix("朱") == true)  // chen … zhu
        }
    }
}
