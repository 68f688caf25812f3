import Foundation
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

/// The village page records the village's exit (出列) for those who approve status changes; the API does the same.
@Suite struct VillageExitPageTests {
    @Test(arguments: TestDatabases.engines)
    func anOfficerRecordsTheExitOnTheVillagePageAndTheAPIRefusesASecond(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, database, passwords in
            try await database.transaction { sql in try await VillageExitRepository.clearVillage(LiangshuiquanDemo.villageCode, in: sql) }
            var officer = try await anonymous.signIn("zhenping.officer", passwords["zhenping.officer"]!)
            var secretary = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            // given: the village's 2018 page offers the form to the officer only, and says the village meets the limit
            let page = try await officer.get("/divisions/411324104201?year=2018").text
            #expect(page.contains(#"action="/divisions/411324104201/exit""#) && page.contains("达标"))
            #expect(!(try await secretary.get("/divisions/411324104201?year=2018").text.contains("/divisions/411324104201/exit")))
            // when: the officer submits the form the page renders
            let names = page.matches(of: #/<input name="(decidedOn|decidedBy|document|override)"/#).map { String($0.output.1) }
            #expect(names == ["decidedOn", "decidedBy", "document", "override"])
            let values = ["decidedOn": "2018-12-30", "decidedBy": "镇平县人民政府", "document": "镇政〔2018〕测试号", "override": ""]
            let empty = try await officer.postForm("/divisions/411324104201/exit", names.map { ($0, $0 == "decidedBy" ? "" : values[$0]!) })
            #expect(empty.status == .badRequest && empty.text.contains("请填写决定机关"))
            let saved = try await officer.postForm("/divisions/411324104201/exit", names.map { ($0, values[$0]!) })
            #expect(saved.status == .seeOther)
            // then: the page shows the decision and no longer offers the form; the county counts one village exited
            let after = try await officer.get("/divisions/411324104201?year=2018").text
            #expect(after.contains("已出列") && after.contains("2018-12-30，镇平县人民政府，镇政〔2018〕测试号") && !after.contains("/exit\""))
            #expect(try await officer.get("/divisions/411324104201?year=2017").text.contains("未达标"))
            struct Figures: Decodable { let villagesExited: Int; let villageExitDecision: VillageExitDecision? }
            let county = try JSONDecoder().decode(Figures.self, from: try await officer.get("/api/v1/divisions/411324000000/figures?year=2018").body)
            #expect(county.villagesExited == 1 && county.villageExitDecision == nil)
            // the API: the secretary may not, a second decision is refused
            let body = #"{"decidedOn":"2019-01-05","decidedBy":"镇平县人民政府"}"#
            #expect(try await json(&secretary, .post, "/api/v1/divisions/411324104201/exit", body).status == .forbidden)
            let second = try await json(&officer, .post, "/api/v1/divisions/411324104201/exit", body)
            #expect(second.status == .badRequest && second.text.contains("本村已于 2018-12-30 出列"))
            #expect(try await json(&officer, .post, "/api/v1/divisions/411324104000/exit", body).status == .notFound)
        }
    }

    @Test func theAPIRecordsAnExitWithItsReason() async throws {
        try await withDemoApp(.sqlite, as: "zhenping.officer") { browser, database, _ in
            var officer = browser
            try await database.transaction { sql in try await VillageExitRepository.clearVillage(LiangshuiquanDemo.villageCode, in: sql) }
            let early = #"{"decidedOn":"2016-12-20","decidedBy":"镇平县人民政府"}"#
            let refused = try await json(&officer, .post, "/api/v1/divisions/411324104201/exit", early)
            #expect(refused.status == .badRequest && refused.text.contains("override"))
            let reasoned = #"{"decidedOn":"2016-12-20","decidedBy":"镇平县人民政府","override":"省级专项评估认定"}"#
            let saved = try await json(&officer, .post, "/api/v1/divisions/411324104201/exit", reasoned)
            #expect(saved.status == .ok && saved.text.contains("省级专项评估认定"))
            struct Figures: Decodable { let villagesExited: Int; let villageExitDecision: VillageExitDecision? }
            let village = try JSONDecoder().decode(Figures.self, from: try await officer.get("/api/v1/divisions/411324104201/figures?year=2016").body)
            #expect(village.villagesExited == 1
                && village.villageExitDecision == VillageExitDecision(decidedOn: "2016-12-20", decidedBy: "镇平县人民政府", override: "省级专项评估认定"))
        }
    }
}
