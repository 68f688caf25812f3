import Foundation
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingStore
import ZhenxingTestSupport

/// Roll-ups add up cached village figures; a write to any record the figures read must make them count again.
@Suite struct FiguresCacheTests {
    private func stamp(_ village: DivisionCode, _ database: Database) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT counter FROM village_stamps WHERE village_code = \(bind: village.rawValue)")
                .first(decodingColumn: "counter", as: Int.self) ?? 0
        }
    }

    @Test(arguments: TestDatabases.engines)
    func everyTableTheFiguresReadStampsItsVillage(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the demo village, whose records fill every table the figures read
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let village = LiangshuiquanDemo.villageCode
            try await RegistryRepository(database: database).enterPopulation(village, year: 2015, population: 900, source: "test",
                                                                             by: .system)
            // The tables the figures' SQL reads (GovernanceRepository, RegistryRepository, PlanRepository, VisitRepository,
            // PartyRepository, CommunityRepository and MonitoringRepository `figures`, and `firstStatus`), listed here apart from the triggers'
            // own list: a table the figures read that M0013 forgot fails here.
            let read = ["activities", "activity_attendees", "collective_income", "enterprises", "grid_households", "grids", "honour_types",
                        "households", "issue_events", "issues", "land_contracts", "measures", "meeting_outcomes", "meetings", "memberships",
                        "monitoring_signals", "monitoring_steps", "monitoring_warnings", "nominations", "party_branch_households", "party_branches", "party_members", "people", "plans", "population_counts",
                        "project_jobs", "projects", "status_events", "visits", "work_records"]
            let triggered = Dictionary(uniqueKeysWithValues: (M0013_AddFiguresCache.sources + [M0017_AddWorkRecords.source] + M0022_AddMonitoringStamps.sources).map { ($0.table, $0.villages) })
            for table in read {
                let villages = try #require(triggered[table], "the figures read \(table), which has no stamp trigger")
                let column = try #require(villages.firstMatch(of: /ROW\.(\w+)/)?.output.1)
                let rows = try await database.read { sql in
                    try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0
                }
                #expect(rows > 0, "the demo has no \(table)")
                let before = try await stamp(village, database)
                // when: every row of the table is written (to the same values)
                try await database.transaction { sql in
                    try await sql.raw("UPDATE \(ident: table) SET \(ident: String(column)) = \(ident: String(column))").run()
                }
                // then
                #expect(try await stamp(village, database) > before, "an update of \(table) left the village's stamp as it was")
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aCachedRollUpStaysEqualToOneCountedAfresh(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the county's and the township's documents computed once, so every level is cached
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let query = FiguresQuery(database: database)
            let county = try DivisionCode(validating: "411324000000"), township = try DivisionCode(validating: "411324104000")
            _ = try await query.document(township, year: 2020)
            let writes: [SQLQueryString] = [
                "UPDATE collective_income SET amount_fen = amount_fen + 100 WHERE id = (SELECT min(id) FROM collective_income WHERE year = 2020)",
                """
                DELETE FROM activity_attendees WHERE activity_id = (SELECT min(a.id) FROM activities a
                    WHERE a.held_on BETWEEN '2020-01-01' AND '2020-12-31' AND EXISTS (SELECT 1 FROM activity_attendees x WHERE x.activity_id = a.id))
                """,
                "UPDATE memberships SET to_date = '2020-06-30' WHERE id = (SELECT min(id) FROM memberships WHERE to_date IS NULL AND relation <> 'head')",
            ]
            for write in writes {
                let before = try await query.document(county, year: 2020)
                // when
                try await database.transaction { sql in try await sql.raw(write).run() }
                let cached = try await query.document(county, year: 2020)
                try await database.transaction { sql in try await sql.raw("DELETE FROM figures_cache").run() }
                let counted = try await query.document(county, year: 2020)
                // then: the change shows at once, and the sum of cached parts is what a fresh count gives
                #expect(cached != before)
                #expect(cached == counted)
            }
            #expect(try await query.document(township, year: 2020).registry == query.document(county, year: 2020).registry)
            // a cached row this code cannot read (written by another version of it) is counted again, not an error
            let expected = try await query.document(county, year: 2020)
            try await database.transaction { sql in try await sql.raw("UPDATE figures_cache SET parts = '{}'").run() }
            #expect(try await query.document(county, year: 2020) == expected)
        }
    }

    /// Many requests on a cold cache for the same village-years share one count per village-year, and every one of them
    /// gets the document a lone request gets.
    @Test(arguments: TestDatabases.engines)
    func concurrentRequestsOnAColdCacheGetTheSameDocuments(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let query = FiguresQuery(database: database)
            let village = try DivisionCode(validating: "411324104201")
            let years = Array(2014...2021)
            try await database.transaction { sql in try await sql.raw("DELETE FROM figures_cache").run() }
            let together = try await withThrowingTaskGroup(of: [Int: FiguresDocument].self) { group in
                for _ in 0..<16 { group.addTask { try await query.documents(village, years: years) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await database.transaction { sql in try await sql.raw("DELETE FROM figures_cache").run() }
            let alone = try await query.documents(village, years: years)
            #expect(together.count == 16)
            #expect(together.allSatisfy { $0 == alone })
            #expect(alone[2016]?.registry.poorHouseholds == 76)
        }
    }

    /// A cached row's text decodes to the parts it holds, again from the memo; a row that does not decode is counted
    /// again; a full memo starts over and still answers.
    @Test func decodedRowsAreKeptByTheirText() throws {
        let memo = DecodedParts(capacity: 1)
        let first = String(decoding: try JSONEncoder().encode(FigureParts.zero(asOf: "2020-12-31")), as: UTF8.self)
        let second = String(decoding: try JSONEncoder().encode(FigureParts.zero(asOf: "2021-06-30")), as: UTF8.self)
        #expect(memo.parts(of: first)?.asOf == "2020-12-31")
        #expect(memo.parts(of: first)?.asOf == "2020-12-31")
        #expect(memo.parts(of: second)?.asOf == "2021-06-30")
        #expect(memo.parts(of: first)?.asOf == "2020-12-31")
        #expect(memo.parts(of: #"{"asOf":"2020-12-31"}"#) == nil)
    }
}
