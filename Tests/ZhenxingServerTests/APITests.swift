import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import ZhenxingDemo
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct DivisionAPITests {
    struct DivisionJSON: Decodable, Equatable { let code: String; let name: String; let level: String; let parentCode: String? }
    struct ListJSON: Decodable { let items: [DivisionJSON] }
    struct DetailJSON: Decodable { let division: DivisionJSON; let chain: [DivisionJSON]; let children: [DivisionJSON] }
    struct ProblemJSON: Decodable { let title: String; let status: Int; let errors: [FieldJSON]? }
    struct FieldJSON: Decodable { let field: String; let message: String }

    @Test(arguments: TestDatabases.engines)
    func listsChildrenAndDetails(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, _, _ in
            var client = browser
            // when
            let provinces = try JSONDecoder().decode(ListJSON.self, from: try await client.get("/api/v1/divisions").body)
            let townships = try JSONDecoder().decode(ListJSON.self, from: try await client.get("/api/v1/divisions?parent=411324000000").body)
            let village = try JSONDecoder().decode(DetailJSON.self, from: try await client.get("/api/v1/divisions/411324104201").body)
            // then
            #expect(provinces.items == [DivisionJSON(code: "410000000000", name: "河南省", level: "province", parentCode: nil)])
            #expect(townships.items.map(\.name) == ["老庄镇"])
            #expect(village.division.level == "village" && village.division.parentCode == "411324104000")
            #expect(village.chain.map(\.name) == ["河南省", "南阳市", "镇平县", "老庄镇"])
        }
    }

    @Test func badAndUnknownCodesAreProblems() async throws {
        try await withDemoApp(.sqlite, as: "admin") { browser, _, _ in
            var client = browser
            let malformed = try await client.get("/api/v1/divisions/4113?lang=en")
            let unknown = try await client.get("/api/v1/divisions?parent=419900000000")
            #expect(malformed.status == .badRequest)
            #expect(malformed.headers[.contentType] == "application/problem+json; charset=utf-8")
            let problem = try JSONDecoder().decode(ProblemJSON.self, from: malformed.body)
            #expect(problem.errors?.first?.message == "A division code has 12 digits; this one has 4")
            #expect(unknown.status == .notFound)
            // the browser remembers ?lang=en from the request before
            #expect(try JSONDecoder().decode(ProblemJSON.self, from: unknown.body).title == "Division 419900000000 does not exist")
        }
    }

    @Test func theDocumentIsServed() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let document = try await client.get("/api/openapi.yaml")
            #expect(document.status == .ok)
            #expect(document.text.hasPrefix("openapi: 3.1.0"))
            #expect(document.text.contains("operationId: updateVillageProfile"))
        }
    }
}

@Suite struct VillageProfileAPITests {
    let path = "/api/v1/divisions/411324104201/profile"

    struct ProfileJSON: Codable {
        var code: String?
        var name: String?
        var version: Int
        var areaSquareMetres: Int
        var farmlandMuHundredths: Int
        var mountainLandMuHundredths: Int
        var designations: [String]
        var honours: [Honour]
        var groups: [Group]
        var naturalVillages: [Named]
        struct Honour: Codable { let year: Int; let title: String }
        struct Group: Codable { let number: Int; let name: String }
        struct Named: Codable { let name: String }
    }

    func put(_ client: inout Browser, _ body: ProfileJSON) async throws -> TestResponse {
        try await client.sendJSON(.put, path, body)
    }

    @Test(arguments: TestDatabases.engines)
    func readsAndUpdatesWithVersions(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // given
            var profile = try JSONDecoder().decode(ProfileJSON.self, from: try await client.get(path).body)
            #expect(profile.groups.count == 10 && profile.naturalVillages.count == 14 && profile.areaSquareMetres == 4_870_000)
            profile.farmlandMuHundredths = 80_000
            // when
            let saved = try await put(&client, profile)
            let stale = try await put(&client, profile)
            // then
            #expect(saved.status == .ok)
            #expect(try JSONDecoder().decode(ProfileJSON.self, from: saved.body).version == profile.version + 1)
            #expect(stale.status == .conflict)
            let stored = try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode)
            #expect(stored.profile.farmlandMuHundredths == 80_000)
        }
    }

    @Test func invalidBodiesAreRefusedWithTheirFields() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            // given
            var profile = try JSONDecoder().decode(ProfileJSON.self, from: try await client.get(path).body)
            profile.mountainLandMuHundredths = -5
            profile.groups.append(.init(number: 3, name: "重复的三组"))
            // when
            let invalid = try await put(&client, profile)
            let malformed = try await client.send(
                .put, path, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: client.csrf],
                body: ByteBuffer(string: #"{"version": "one"}"#))
            // then
            #expect(invalid.status == .badRequest)
            let fields = try JSONDecoder().decode(DivisionAPITests.ProblemJSON.self, from: invalid.body).errors?.map(\.field)
            #expect(fields == ["mountainLandMuHundredths", "groups[10].number"])
            #expect(malformed.status == .badRequest)
            #expect(malformed.text.contains("version"))
        }
    }
}
