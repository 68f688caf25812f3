import Foundation
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

/// A village's exit (出列) is a decision on record, taken when the year's incidence allows it.
@Suite struct VillageExitTests {
    @Test(arguments: TestDatabases.engines)
    func theDemoVillageExitedIn2018AndTheFiguresShowTheDecision(engine: Database.Engine) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode, county = try DivisionCode(validating: "411324000000")
            let query = FiguresQuery(database: database)
            let exits = VillageExitRepository(database: database, figures: query)
            // then: FACTS.md — the village leaves the list in 2018, decided by the county
            let y2017 = try await query.document(village, year: 2017), y2018 = try await query.document(village, year: 2018)
            #expect(y2017.villageExitDecision == nil && y2017.villagesExited == 0)
            #expect(y2018.villageExitDecision == VillageExitDecision(decidedOn: "2018-12-28", decidedBy: "镇平县人民政府"))
            #expect(y2018.villageExit?.eligible == true && y2018.villagesExited == 1)
            #expect(try await query.document(county, year: 2018).villagesExited == 1)
            #expect(try await query.document(county, year: 2017).villagesExited == 0)
            #expect(try await query.document(county, year: 2018).villageExitDecision == nil)
            // bad input: a second decision, a township: refused, nothing stored
            let again = await #expect(throws: ValidationFailure.self) {
                try await exits.record(VillageExitDecision(decidedOn: "2019-01-10", decidedBy: "镇平县人民政府"), village: village, today: "2026-12-03", by: .system)
            }
            #expect(again?.issues[0].message.zh.contains("本村已于 2018-12-28 出列") == true)
            await #expect(throws: ValidationFailure.self) {
                try await exits.record(VillageExitDecision(decidedOn: "2019-01-10", decidedBy: "镇平县人民政府"),
                                       village: DivisionCode(validating: "411324104000"), today: "2026-12-03", by: .system)
            }
            #expect(try await exits.exit(of: village)?.decidedOn == "2018-12-28")
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anExitTheIncidenceDoesNotSupportNeedsAReason(engine: Database.Engine) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let query = FiguresQuery(database: database)
            let exits = VillageExitRepository(database: database, figures: query)
            try await database.transaction { sql in try await VillageExitRepository.clearVillage(village, in: sql) }
            // given: 2016, when 238 of 941 were poor (25.3 %)
            #expect(try await query.document(village, year: 2016).villageExit?.eligible == false)
            let decision = VillageExitDecision(decidedOn: "2016-12-20", decidedBy: "镇平县人民政府")
            // when: recorded without a reason, then with one
            let refused = await #expect(throws: ValidationFailure.self) {
                try await exits.record(decision, village: village, today: "2026-12-03", by: .system)
            }
            #expect(refused?.issues.map(\.field) == ["override"] && refused?.issues[0].message.zh.contains("2016 年本村贫困发生率未低于出列标准") == true)
            #expect(try await exits.exit(of: village) == nil)
            var reasoned = decision
            reasoned.override = "省级专项评估认定"
            try await exits.record(reasoned, village: village, today: "2026-12-03", by: .system)
            // then: the decision and its reason are on record, and the audit log has it
            #expect(try await exits.exit(of: village)?.override == "省级专项评估认定")
            let audit = try await AuditLog(database: database).entries(AuditFilter(action: .statusChange))
            #expect(audit.contains { $0.entity == "village_exit" && $0.afterJson?.contains("省级专项评估认定") == true })
        }
    }
}
