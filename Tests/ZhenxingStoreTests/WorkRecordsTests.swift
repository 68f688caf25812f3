import Foundation
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingStore
import ZhenxingTestSupport

/// Labour ability and work are dated: a year's figures read the record in force at its end.
@Suite struct WorkRecordsTests {
    static func withDemo(_ engine: Database.Engine, _ body: (Database) async throws -> Void) async throws {
        try await TestDatabases.withCopy(of: "store-demo", engine, prepare: { database in
            _ = try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
        }) { database, _ in try await body(database) }
    }

    @Test(arguments: TestDatabases.engines)
    func theDemosEmploymentGrowsWithTheProjectsThatHiredPeople(engine: Database.Engine) async throws {
        try await Self.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let query = FiguresQuery(database: database)
            // when
            let y2016 = try await query.document(village, year: 2016).community
            let y2018 = try await query.document(village, year: 2018).community
            let y2020 = try await query.document(village, year: 2020).community
            // then: nobody works in the workshop before it opened (2018-09-01); its first 40 are there at the end of 2018,
            // everyone it hired by 2019; FACTS.md's 全就业 holds in 2020 and not in 2016
            #expect(y2016.employment["扶贫车间"] == nil && y2018.employment["扶贫车间"] == 40)
            #expect(y2020.employment["扶贫车间"] == 185)
            #expect(y2020.employmentRate == 1)
            let rate2016 = try #require(y2016.employmentRate)
            #expect(y2016.employed == 521 && y2016.ableToWork == 735 && rate2016 < 0.71)
            // the list of those without work at the end of 2016 is the figures' gap, and empty in 2020
            let idle2016 = try await CommunityRepository(database: database).notEmployed(in: village, on: "2016-12-31", limit: 1_000)
            #expect(idle2016.count == y2016.ableToWork - y2016.employed)
            #expect(try await CommunityRepository(database: database).notEmployed(in: village, on: "2020-12-31").isEmpty)
            let listed = try await RegistryRepository(database: database).people(
                in: village, work: .unemployed, search: nil, asOf: "2016-12-31", after: nil, limit: 1_000)
            #expect(listed.count == idle2016.count && listed.allSatisfy { $0.employment == "务农" })
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aChangeOfWorkIsRecordedFromItsDayAndEarlierYearsKeepTheirs(engine: Database.Engine) async throws {
        try await Self.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let registry = RegistryRepository(database: database), people = PersonRepository(database: database)
            let query = FiguresQuery(database: database)
            // given: a villager who works outside the county
            let row = try #require(try await registry.people(in: village, work: .employed, search: nil, asOf: "2024-12-31", after: nil, limit: 1_000)
                .first { $0.employment == "外出务工" })
            let person = try await people.person(row.id)
            let before2023 = try await query.document(village, year: 2023).community
            let before2025 = try await query.document(village, year: 2025).community
            var facts = person.facts
            facts.employment = "无"
            facts.monthsWorked = 0
            // bad input: a day before the birth, a day after today, not a day: refused by field, nothing stored
            for (since, message) in [("1900-01-01", "早于出生日期"), ("2026-12-04", "不能晚于今天"), ("2025-02-30", "请填写 1900 到 2100 年之间的日期")] {
                let failure = await #expect(throws: ValidationFailure.self) {
                    try await people.update(row.id, to: facts, workSince: since, today: "2026-12-03", expectedVersion: person.version,
                                            division: village, by: .system)
                }
                #expect(failure?.issues.map(\.field) == ["workSince"] && failure?.issues[0].message.zh.contains(message) == true)
            }
            #expect(try await people.person(row.id).work == person.work)
            // when: they came home on 2025-03-01
            try await people.update(row.id, to: facts, workSince: "2025-03-01", today: "2026-12-03", expectedVersion: person.version,
                                    division: village, by: .system)
            // then: the history has both, the facts the latest; 2025 counts one fewer employed, 2023 as before
            let after = try await people.person(row.id)
            #expect(after.work.count == person.work.count + 1 && after.work.last == WorkRecord(since: "2025-03-01", labour: person.facts.labour, employment: "无", monthsWorked: 0))
            #expect(after.facts.employment == "无" && after.facts.monthsWorked == 0)
            #expect(try await query.document(village, year: 2023).community == before2023)
            let after2025 = try await query.document(village, year: 2025).community
            #expect(after2025.employed == before2025.employed - 1 && after2025.ableToWork == before2025.ableToWork)
            // a change of other facts only records no work
            var renamed = after.facts
            renamed.phone = "13700000000"
            try await people.update(row.id, to: renamed, workSince: "2026-12-03", today: "2026-12-03", expectedVersion: after.version,
                                    division: village, by: .system)
            #expect(try await people.person(row.id).work == after.work)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func peopleRecordedBeforeWorkWasDatedGetOneRecordFromTheirFirstMembership(engine: Database.Engine) async throws {
        try await Self.withDemo(engine) { database in
            // given: the people as an earlier version kept them, without work records
            try await database.transaction { sql in try await sql.raw("DELETE FROM work_records").run() }
            // when: M0017 fills the table
            try await database.transaction { sql in
                try await sql.raw(M0017_AddWorkRecords.migration.statements(SchemaDialect(engine: engine))[1]).run()
            }
            // then: one record per person, from the start of their first membership, with the values they had
            struct Check: Decodable { let people: Int; let records: Int; let matching: Int }
            let check = try await database.read { sql in
                try await sql.raw("""
                    SELECT (SELECT count(*) FROM people) AS people, (SELECT count(*) FROM work_records) AS records,
                           (SELECT count(*) FROM work_records w JOIN people p ON p.id = w.person_id
                            WHERE w.labour = p.labour AND w.employment = p.employment AND w.months_worked = p.months_worked
                              AND w.since = (SELECT min(m.from_date) FROM memberships m WHERE m.person_id = p.id)) AS matching
                    """).first(decoding: Check.self)
            }
            #expect(check?.people == check?.records && check?.records == check?.matching && (check?.people ?? 0) > 900)
        }
    }
}
