import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingStore
import ZhenxingTestSupport

/// The monitoring rules over the records: what a scan raises, once, into one open warning per household.
@Suite struct MonitoringTests {
    /// The demo with its monitoring as the January 2022 scan of the 2021 assessments left it: one open warning.
    static func withRuleWarning(_ engine: Database.Engine, _ body: (Database) async throws -> Void) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            try await database.transaction { sql in try await MonitoringRepository.clearVillage(LiangshuiquanDemo.villageCode, in: sql) }
            _ = try await MonitoringRepository(database: database).scan(LiangshuiquanDemo.villageCode, year: 2021, today: "2022-01-10", dryRun: false, by: .system)
            try await body(database)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aScanRaisesEachFindingOnceIntoTheHouseholdsOpenWarning(engine: Database.Engine) async throws {
        try await Self.withRuleWarning(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database)
            // given: the demo's January 2022 scan of 2021 found one household under the 6,000 yuan threshold
            let demo = try await monitoring.openWarnings(in: village)
            #expect(demo.count == 1 && demo[0].openedOn == "2022-01-10" && demo[0].signals.map(\.finding?.rule) == [.incomeBelowThreshold])
            #expect(demo[0].signals[0].explanation.zh.hasSuffix("< 监测标准 6,000 元（2021，全国）"))
            // when: the 2021 assessments are corrected: the warned household's house and another's are found unsafe
            let scanned = try await database.read { sql in
                try await sql.raw("""
                    SELECT a.household_id FROM assessments a JOIN households h ON h.id = a.household_id
                    WHERE a.year = 2021 AND h.village_code = \(bind: village.rawValue) ORDER BY h.number
                    """).all(decodingColumn: "household_id", as: Int.self)
            }
            #expect(scanned.count == 3)
            let others = scanned.filter { $0 != demo[0].householdID }
            try await database.transaction { sql in
                try await sql.raw("UPDATE assessments SET housing = \(bind: false) WHERE household_id = \(bind: others[0]) AND year = 2021").run()
                try await sql.raw("UPDATE assessments SET housing = \(bind: false) WHERE household_id = \(bind: demo[0].householdID) AND year = 2021").run()
            }
            // then: a dry run says what would happen and writes nothing
            let preview = try await monitoring.scan(village, year: 2021, today: "2022-03-01", dryRun: true, by: .system)
            #expect(preview.householdsScanned == 3 && preview.opened == 1 && preview.added == 1 && preview.lines.count == 3)
            #expect(try await monitoring.openWarnings(in: village).count == 1)
            // the scan opens the new household's warning and adds the unsafe house to the one open
            let scan = try await monitoring.scan(village, year: 2021, today: "2022-03-01", dryRun: false, by: .system)
            #expect(scan.lines.map(\.disposition).sorted { "\($0)" < "\($1)" } == [.addsToWarning(demo[0].id), .alreadyRecorded, .opensWarning])
            let open = try await monitoring.openWarnings(in: village)
            #expect(open.count == 2 && open.first { $0.id == demo[0].id }?.signals.map(\.finding?.rule) == [.incomeBelowThreshold, .housingUnsafe])
            #expect(open.first { $0.householdID == others[0] }?.signals.map(\.riskType) == ["housing"])
            // a second run finds the same and records nothing new
            let again = try await monitoring.scan(village, year: 2021, today: "2022-03-02", dryRun: false, by: .system)
            #expect(again.lines.allSatisfy { $0.disposition == .alreadyRecorded } && again.opened == 0)
            let signals = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM monitoring_signals").first(decodingColumn: "n", as: Int.self)
            }
            #expect(signals == 3)
            // the county sees the village's warnings; a year outside the records' range is refused
            #expect(try await monitoring.openWarnings(in: try DivisionCode(validating: "411324000000")).count == 2)
            await #expect(throws: ValidationFailure.self) { try await monitoring.scan(village, year: 1999, today: "2022-03-01", dryRun: true, by: .system) }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theRulesFindHeavyRigidSpendingAndTheLossOfTheOnlyWorker(engine: Database.Engine) async throws {
        try await Self.withRuleWarning(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database), registry = RegistryRepository(database: database)
            let warned = try await monitoring.openWarnings(in: village)[0].householdID
            let others = try await database.read { sql in
                try await sql.raw("""
                    SELECT a.household_id FROM assessments a JOIN households h ON h.id = a.household_id
                    WHERE a.year = 2021 AND h.village_code = \(bind: village.rawValue) AND a.household_id <> \(bind: warned) ORDER BY h.number
                    """).all(decodingColumn: "household_id", as: Int.self)
            }
            // given: one household's 2021 assessment records medical bills of 80 % of its net income
            let file = try await registry.file(others[0])
            var assessment = try #require(file.assessments.first { $0.year == 2021 })
            assessment.spending = RigidSpending(medical: assessment.income.netIncome * 8 / 10, schooling: 0)
            try await registry.saveAssessment(assessment, household: others[0], expectedVersion: assessment.version, by: .system)
            // and another's only worker left in June 2021: its other members cannot work
            let second = try await registry.file(others[1])
            let current = second.members.filter { $0.toDate == nil }
            try await database.transaction { sql in
                for member in current.dropFirst() {
                    try await sql.raw("UPDATE work_records SET labour = '无劳动力' WHERE person_id = \(bind: member.personId)").run()
                }
                try await sql.raw("UPDATE work_records SET labour = '普通劳动力' WHERE person_id = \(bind: current[0].personId)").run()
                try await RegistryRepository.endMembership(person: current[0].personId, on: "2021-06-30", reason: "死亡", in: sql)
            }
            // when: the rules run over 2021
            let scan = try await monitoring.scan(village, year: 2021, today: "2022-03-01", dryRun: false, by: .system)
            // then: each household gets a warning saying what was found, with the share and the parameter row
            #expect(scan.lines.filter { $0.householdID == others[0] }.map(\.finding.rule) == [.rigidSpending])
            #expect(scan.lines.filter { $0.householdID == others[1] }.map(\.finding.rule) == [.lostOnlyWorker])
            let rigid = try #require(scan.lines.first { $0.householdID == others[0] })
            #expect(rigid.finding.observed == 8_000 && rigid.disposition == .opensWarning)
            #expect(rigid.finding.explanation.zh == "2021年医疗、教育刚性支出占家庭纯收入 80 % > 预警比例 50 %（2021，全国）")
            #expect(scan.lines.first { $0.householdID == others[1] }?.disposition == .opensWarning)
            #expect(try await registry.file(others[0]).assessments.first { $0.year == 2021 }?.spending.medical == assessment.spending.medical)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func whatIfCountsWhoWouldBeUnderAnotherThreshold(engine: Database.Engine) async throws {
        try await Self.withRuleWarning(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database)
            // at the threshold in force the rule's one household; at 7,000 yuan all three assessed in 2021 (5,000–6,500 a head)
            let inForce = try await monitoring.whatIf(village, year: 2021, thresholdFen: 600_000)
            let warned = try await monitoring.openWarnings(in: village).map(\.householdID)
            #expect(inForce.householdsRead == 3 && inForce.households.map(\.householdID) == warned)
            let higher = try await monitoring.whatIf(try DivisionCode(validating: "411324000000"), year: 2021, thresholdFen: 700_000)
            #expect(higher.households.count == 3 && higher.households.allSatisfy { $0.perCapitaFen < 700_000 })
            #expect(higher.byVillage.count == 1 && higher.byVillage[0].village == village && higher.byVillage[0].people == higher.people)
            // nothing was written: the inbox is as it was
            #expect(try await monitoring.openWarnings(in: village).map(\.householdID) == warned)
            // a threshold of nothing, or a year out of range, is refused naming the field
            let refusal = await #expect(throws: ValidationFailure.self) { try await monitoring.whatIf(village, year: 1999, thresholdFen: 0) }
            #expect(refusal?.issues.map(\.field) == ["year", "threshold"])
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aReportJoinsTheOpenWarningOrOpensOneAndBadReportsAreRefused(engine: Database.Engine) async throws {
        try await Self.withRuleWarning(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database)
            let warned = try #require(try await monitoring.openWarnings(in: village).first)
            // a household's own report joins its open warning, with who reported it and the figures given
            let joined = try await monitoring.report(RiskReport(source: .selfReport, riskType: "illness", detail: "户主住院手术", reportedBy: "户主本人",
                                                                foundOn: "2022-03-01", spendingFen: 3_500_000), household: warned.householdID,
                                                     today: "2022-03-02", by: .system)
            #expect(joined == warned.id)
            let signal = try #require(try await monitoring.warnings(ofHousehold: warned.householdID).first?.signals.last)
            #expect(signal.source == .selfReport && signal.explanation.zh == "户主住院手术（申报人/排查人：户主本人；支出 35,000 元）")
            // a visit's finding for a household without a warning opens one on that day
            let other = try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = \(bind: village.rawValue) AND id <> \(bind: warned.householdID) ORDER BY id LIMIT 1")
                    .first(decodingColumn: "id", as: Int.self)!
            }
            let opened = try await monitoring.report(RiskReport(source: .visit, riskType: "disaster", detail: "暴雨冲毁院墙", reportedBy: "驻村工作队",
                                                                foundOn: "2022-07-20"), household: other, today: "2022-07-21", by: .system)
            let openedWarning = try await monitoring.openWarnings(in: village).first { $0.id == opened }
            #expect(opened != warned.id && openedWarning?.openedOn == "2022-07-20")
            // refused: a rule's source, an unknown risk type, no detail, no reporter, a future day, a negative amount; nothing written
            let refusal = await #expect(throws: ValidationFailure.self) {
                try await monitoring.report(RiskReport(source: .rule, riskType: "luck", detail: " ", reportedBy: "", foundOn: "2022-08-01", incomeFen: -1),
                                            household: other, today: "2022-07-21", by: .system)
            }
            #expect(refusal?.issues.map(\.field) == ["source", "riskType", "detail", "reportedBy", "foundOn", "income"])
            #expect(try await monitoring.warnings(ofHousehold: other).flatMap(\.signals).count == 1)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theCalendarHoldsTheStateCouncilsSchedules(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            let calendar = try await MonitoringRepository(database: database).calendar()
            // Spring Festival 2024: 10–17 February off, Sundays 4 and 18 February worked
            #expect(!calendar.isWorkingDay("2024-02-16") && calendar.isWorkingDay("2024-02-04") && calendar.isWorkingDay("2024-02-18"))
            // a warning on Thursday 8 February 2024 is due for its home check (5 working days) on Wednesday 21 February
            #expect(calendar.adding(workingDays: 5, to: "2024-02-08") == "2024-02-21")
            // 2023's New Year holiday began on 31 December 2022
            #expect(!calendar.isWorkingDay("2023-01-02") && calendar.isWorkingDay("2023-01-03"))
        }
    }
}
