import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct RegistryAPITests {
    struct Page: Decodable { let items: [Summary]; let next: String? }
    struct Summary: Decodable { let id: Int; let number: String; let members: Int; let status: String }
    struct File: Decodable {
        let id: Int; let status: String; let members: [Member]; let statusEvents: [Event]; let assessments: [Assessment]
        struct Member: Decodable { let personId: Int; let residentIdMasked: String }
        struct Event: Decodable { let date: String; let status: String }
        struct Assessment: Decodable { let year: Int; let perCapitaNetIncome: Int?; let meetsExitStandard: Bool? }
    }

    @Test(arguments: TestDatabases.engines)
    func householdsPageAndFilesKeepIDsMasked(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // when
            let poor = try JSONDecoder().decode(Page.self, from: try await client.get(
                "/api/v1/divisions/411324104201/households?status=poor&asOf=2018-12-31").body)
            let first = try JSONDecoder().decode(Page.self, from: try await client.get("/api/v1/divisions/411324104201/households?limit=10").body)
            let second = try JSONDecoder().decode(Page.self, from: try await client.get(
                "/api/v1/divisions/411324104201/households?limit=10&after=\(first.next!)").body)
            let fileResponse = try await client.get("/api/v1/households/\(poor.items[0].id)")
            let file = try JSONDecoder().decode(File.self, from: fileResponse.body)
            // then
            #expect(poor.items.count == 3 && poor.items.map(\.members).reduce(0, +) == 8)
            #expect(first.items.count == 10 && second.items.first!.number > first.items.last!.number)
            #expect(file.status == "exited" && file.statusEvents.map(\.status) == ["poor", "exited"])
            #expect(file.assessments.first?.meetsExitStandard == true && file.assessments.last?.meetsExitStandard == false)
            let full = try await RegistryRepository(database: database).file(poor.items[0].id).members.map(\.residentId)
            #expect(full.allSatisfy { !fileResponse.text.contains($0) })
            #expect(file.members.allSatisfy { $0.residentIdMasked.contains("********") })
        }
    }

    @Test(arguments: TestDatabases.engines)
    func statusEventsNeedTheRightToApprove(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, _, passwords in
            var secretary = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            var officer = try await anonymous.signIn("zhenping.officer", passwords["zhenping.officer"]!)
            let event = #"{"date":"2026-03-01","status":"monitored","monitoringKind":"marginal","reason":"收入低于监测线","decidedBy":"镇平县人民政府"}"#
            let missingKind = #"{"date":"2026-03-01","status":"monitored","reason":"x","decidedBy":"y"}"#
            #expect(try await json(&secretary, .post, "/api/v1/households/1/status-events", event).status == .forbidden)
            let bad = try await json(&officer, .post, "/api/v1/households/1/status-events", missingKind)
            #expect(bad.status == .badRequest && bad.text.contains("monitoringKind"))
            let saved = try await json(&officer, .post, "/api/v1/households/1/status-events", event)
            #expect(saved.status == .ok)
            #expect(try JSONDecoder().decode(File.self, from: saved.body).status == "monitored")
            #expect(try await officer.get("/api/v1/households/999999").status == .notFound)
        }
    }

    @Test func assessmentsAndParametersThroughTheAPI() async throws {
        try await withDemoApp(.sqlite, as: nil) { anonymous, _, passwords in
            var secretary = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            var admin = try await anonymous.signIn("admin", passwords["admin"]!)
            let assessment = #"{"members":2,"wages":600000,"production":300000,"property":0,"transfers":50000,"productionCosts":50000,"foodAndClothing":true,"education":true,"medical":true,"housing":true,"water":true}"#
            let saved = try await json(&secretary, .put, "/api/v1/households/1/assessments/2026", assessment)
            #expect(saved.status == .ok)
            let file = try JSONDecoder().decode(File.self, from: saved.body)
            #expect(file.assessments.first { $0.year == 2026 }?.perCapitaNetIncome == 450_000)
            let negative = try await json(&secretary, .put, "/api/v1/households/1/assessments/2026", assessment.replacingOccurrences(of: "600000", with: "-1"))
            #expect(negative.status == .badRequest)
            let row = #"{"scope":"41","year":2026,"monitoringThresholdFen":900000,"source":"河南省2026年监测标准（测试）"}"#
            #expect(try await json(&secretary, .put, "/api/v1/parameters", row).status == .forbidden)
            let put = try await json(&admin, .put, "/api/v1/parameters", row)
            #expect(put.status == .ok && put.text.contains("河南省2026年监测标准"))
            #expect(try await secretary.get("/api/v1/parameters").text.contains("\"scope\" : \"41\""))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func peopleAreReadMaskedAndEditedWithVersions(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let head = try await RegistryRepository(database: database).file(1).members[0]
            let read = try await client.get("/api/v1/people/\(head.personId)")
            #expect(read.status == .ok && !read.text.contains(head.residentId) && read.text.contains("********"))
            struct Person: Decodable { struct Facts: Codable { var version: Int; var name: String; var phone: String; var monthsWorked: Int
                var ethnicity: String; var education: String; var health: String; var labour: String; var employment: String
                var medicalInsurance: Bool; var pensionInsurance: Bool; var partyMember: Bool }
                let facts: Facts }
            var facts = try JSONDecoder().decode(Person.self, from: read.body).facts
            facts.phone = "13700000000"
            facts.employment = "公益岗位"
            var body = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            body.insert(contentsOf: #""workSince":"2024-03-01","#, at: body.index(after: body.startIndex))
            let saved = try await json(&client, .put, "/api/v1/people/\(head.personId)", body)
            #expect(saved.status == .ok)
            // the change of work is recorded from its day, after the first record
            struct Work: Decodable { let since: String; let employment: String }
            struct Saved: Decodable { let work: [Work] }
            let work = try JSONDecoder().decode(Saved.self, from: saved.body).work
            #expect(work.first?.since == "2014-01-01" && work.last?.since == "2024-03-01" && work.last?.employment == "公益岗位")
            #expect(try await json(&client, .put, "/api/v1/people/\(head.personId)", body).status == .conflict)
            #expect(try await client.get("/api/v1/people/999999").status == .notFound)
        }
    }
}
