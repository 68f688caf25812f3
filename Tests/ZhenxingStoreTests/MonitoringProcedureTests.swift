import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingStore
import ZhenxingTestSupport

/// One household carried through the monitoring procedure: warning → home check → undertaking → appraisal →
/// notice → township review → decision, helped, and its risk cleared; deadlines in working days across the 2022
/// Spring Festival; every bad step refused naming its field, with nothing written.
@Suite struct MonitoringProcedureTests {
    @Test(arguments: TestDatabases.engines)
    func aDepartmentsRowsJoinTheirHouseholdsWarningsAndTheUnmatchedAreListed(engine: Database.Engine) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database)
            struct Resident: Decodable { let residentId: String; let householdId: Int }
            let members = try await database.read { sql in
                try await sql.raw("""
                    SELECT p.resident_id AS "residentId", h.id AS "householdId" FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                    JOIN households h ON h.id = m.household_id WHERE h.village_code = \(bind: village.rawValue) AND h.number = '0150' ORDER BY p.id
                    """).all(decoding: Resident.self)
            }
            let household = try #require(members.first?.householdId)
            func row(_ number: Int, _ id: String, _ day: String, _ detail: String) throws -> DepartmentWarning {
                DepartmentWarning(row: number, residentID: try ResidentID(validating: id), source: .medical, foundOn: day, detail: detail, amountFen: 3_850_000)
            }
            let rows = [try row(2, members[0].residentId, "2026-10-12", "脑梗塞住院"), try row(3, "411324199001011234", "2026-10-15", "肺炎住院"),
                        try row(4, members[0].residentId, "2026-10-12", "脑梗塞住院"), try row(5, members[1].residentId, "2026-11-02", "骨折")]
            // a dry run says what would happen and writes nothing
            let dry = try await monitoring.importDepartment(rows, into: village, today: "2026-12-01", dryRun: true, by: .system)
            #expect(dry.map(\.disposition) == [.opensWarning, .unmatched(.notRegistered), .alreadyRecorded, .joinsWarningOpenedAbove])
            #expect(try await monitoring.warnings(ofHousehold: household).allSatisfy { $0.outcome != nil })
            // when: imported into another township, nobody matches, and nothing is dropped
            let elsewhere = try await monitoring.importDepartment(rows, into: try DivisionCode(validating: "411324105000"), today: "2026-12-01",
                                                                  dryRun: false, by: .system)
            #expect(elsewhere.map(\.disposition) == [.unmatched(.notInDivision), .unmatched(.notRegistered), .unmatched(.notInDivision), .unmatched(.notInDivision)])
            // when: imported into the village
            let lines = try await monitoring.importDepartment(rows, into: village, today: "2026-12-01", dryRun: false, by: .system)
            // then: the first row opens the household's warning, the second member's row joins it, the repeated row is recorded once
            let warning = try #require(try await monitoring.warnings(ofHousehold: household).first { $0.outcome == nil })
            #expect(lines.map(\.disposition) == [.opensWarning, .unmatched(.notRegistered), .alreadyRecorded, .addsToWarning(warning.id)])
            #expect(warning.openedOn == "2026-10-12" && warning.signals.map(\.source) == [.department, .department])
            #expect(warning.signals[0].explanation.zh == "脑梗塞住院（数据来源：医保部门；支出 38,500 元）" && warning.signals[0].riskType == "illness")
            // a second import of the same file records nothing new
            let again = try await monitoring.importDepartment(rows, into: village, today: "2026-12-01", dryRun: false, by: .system)
            #expect(again.filter { $0.disposition == .alreadyRecorded }.count == 3)
            #expect(try await monitoring.warnings(ofHousehold: household).first { $0.outcome == nil }?.signals.count == 2)
            // a row dated after today refuses the file, naming the row
            let late = await #expect(throws: ValidationFailure.self) {
                try await monitoring.importDepartment([try row(9, members[0].residentId, "2026-12-05", "复诊")], into: village, today: "2026-12-01",
                                                      dryRun: false, by: .system)
            }
            #expect(late?.issues.map(\.field) == ["row 9"])
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theDemosMonitoringFiguresComeFromItsRecordsAndRollUp(engine: Database.Engine) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode, township = try DivisionCode(validating: "411324104000")
            let figures = FiguresQuery(database: database, today: { "2026-06-30" })
            // 2022: household 0096 entered on 28 January from the rules' warning (unstable after exit, unstable work),
            // 14 working days after it across the Spring Festival, and helped with a plan
            let y2022 = try await figures.document(village, year: 2022).monitoring
            #expect(y2022.monitored == .init(households: 1, people: 4) && y2022.byCategory == ["unstable_exited": .init(households: 1, people: 4)])
            #expect(y2022.byRiskType.keys.sorted() == ["employment"] && y2022.entered == 1 && y2022.cleared == 0 && y2022.warningsBySource == ["rule": 1])
            #expect(y2022.medianWorkingDaysToDecision == 14 && y2022.planShare == 1 && y2022.stepsOverdue == 0 && y2022.underWatch == 0)
            // 2023: 0096 cleared on 20 January; the storm found on a visit to 0030 enters it for disaster and housing
            let y2023 = try await figures.document(village, year: 2023).monitoring
            #expect(y2023.cleared == 1 && y2023.entered == 1 && y2023.warningsBySource == ["visit": 1])
            #expect(y2023.byCategory.keys.sorted() == ["sudden_hardship"] && y2023.byRiskType.keys.sorted() == ["disaster", "housing"])
            // 2025: the rules' income drop (0200) entered, 0121 cleared, 0250's self-report with its appraisal overdue since 1 December
            let y2025 = try await figures.document(village, year: 2025)
            #expect(y2025.monitoring.warningsBySource == ["rule": 1, "self_report": 1] && y2025.monitoring.warnings == 2)
            #expect(y2025.monitoring.entered == 1 && y2025.monitoring.cleared == 1 && y2025.monitoring.stepsOverdue == 1)
            #expect(y2025.monitoring.monitored.households == 1 && y2025.registry.monitoredHouseholds == 1 && y2025.monitoring.byRiskType.keys.sorted() == ["illness"])
            // as of 30 June 2026: 0200 cleared on 23 January and kept under watch; nobody monitored, as the registry says
            let y2026 = try await figures.document(village, year: 2026)
            #expect(y2026.monitoring.monitored.households == 0 && y2026.registry.monitoredHouseholds == 0 && y2026.monitoring.planShare == nil)
            #expect(y2026.monitoring.underWatch == 1 && y2026.monitoring.cleared == 1 && y2026.monitoring.stepsOverdue == 1)
            // the township adds up its villages
            #expect(try await figures.document(township, year: 2025).monitoring == y2025.monitoring)
            // when: 0250's procedure is ended on Monday 15 June 2026 by a decision not to enter
            let household = try #require(try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = \(bind: village.rawValue) AND number = '0250'")
                    .first(decodingColumn: "id", as: Int.self)
            })
            let warning = try #require(try await MonitoringRepository(database: database).warnings(ofHousehold: household).first { $0.outcome == nil })
            _ = try await MonitoringRepository(database: database).recordStep(
                StepRecord(procedure: .entry, step: .decision, day: "2026-06-15", person: "县乡村振兴局", result: .notEntered, detail: "助学贷款已落实，收入可覆盖支出"),
                warning: warning.id, household: household, today: "2026-06-30", by: .system)
            // then: the cached figures count it at once (a step stamps its village), and the year before keeps what it had by its end
            let after = try await figures.document(township, year: 2026).monitoring
            #expect(after.stepsOverdue == 0 && after.entered == 0 && after.workingDaysToDecision.values.reduce(0, +) == 1)
            #expect(try await figures.document(township, year: 2025).monitoring == y2025.monitoring)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aHouseholdIsCarriedFromWarningToDecisionHelpedAndCleared(engine: Database.Engine) async throws {
        try await WorkRecordsTests.withDemo(engine) { database in
            let village = LiangshuiquanDemo.villageCode
            let monitoring = MonitoringRepository(database: database)
            // a household without a warning reports on Monday 10 January 2022 that its migrant workers came home jobless
            let household = try #require(try await database.read { sql in
                try await sql.raw("SELECT id FROM households WHERE village_code = \(bind: village.rawValue) AND number = '0010'")
                    .first(decodingColumn: "id", as: Int.self)
            })
            let today = "2023-03-01"
            let warningID = try await monitoring.report(RiskReport(source: .selfReport, riskType: "employment", detail: "两人务工返乡，收入下降",
                                                                   reportedBy: "户主", foundOn: "2022-01-10"), household: household, today: today, by: .system)
            let opened = try #require(try await monitoring.warnings(ofHousehold: household).first { $0.id == warningID })
            #expect(opened.openedOn == "2022-01-10" && opened.entry.next == .homeCheck)
            // the home check is due 5 working days on (Monday 17 January); the decision 20 working days on, which the
            // Spring Festival (31 January – 6 February off, Saturday 29 and Sunday 30 January worked) moves to 10 February
            #expect(opened.entry.due[.homeCheck] == "2022-01-17" && opened.entry.due[.decision] == "2022-02-10")
            #expect(opened.entry.isOverdue(today: "2022-01-18") && !opened.entry.isOverdue(today: "2022-01-17"))
            let overdue = try await monitoring.openWarnings(in: village, filter: .init(step: .homeCheck, overdueOn: "2022-01-18"))
            #expect(overdue.map(\.id) == [opened.id])
            #expect(try await monitoring.openWarnings(in: village, filter: .init(overdueOn: "2022-01-17")).isEmpty)

            func record(_ step: StepRecord) async throws -> MonitoringWarning {
                try await monitoring.recordStep(step, warning: opened.id, household: household, today: today, by: .system)
            }
            func refusal(_ step: StepRecord) async -> [String] {
                let failure = await #expect(throws: ValidationFailure.self) { try await record(step) }
                return failure?.issues.map(\.field) ?? []
            }
            // out of order: the undertaking before the home check
            #expect(await refusal(StepRecord(procedure: .entry, step: .undertaking, day: "2022-01-12", person: "王某")) == ["step"])
            _ = try await record(StepRecord(procedure: .entry, step: .homeCheck, day: "2022-01-14", person: "李红梅（驻村工作队）", result: .confirmed,
                                            detail: "家中两人务工返乡，收入下降属实"))
            _ = try await record(StepRecord(procedure: .entry, step: .undertaking, day: "2022-01-18", person: "户主王某"))
            // an appraisal without attendance is refused
            #expect(await refusal(StepRecord(procedure: .entry, step: .appraisal, day: "2022-01-21", person: "村支书", result: .agreed)) == ["attendance"])
            _ = try await record(StepRecord(procedure: .entry, step: .appraisal, day: "2022-01-21", person: "村支书", attendance: 23, result: .agreed))
            // a notice without its objection window, and one of 4 working days, are refused
            #expect(await refusal(StepRecord(procedure: .entry, step: .notice, day: "2022-01-25", person: "村委会")) == ["endDay"])
            #expect(await refusal(StepRecord(procedure: .entry, step: .notice, day: "2022-01-25", endDay: "2022-01-28", person: "村委会")) == ["endDay"])
            // 25–29 January is five working days: Saturday 29 January was worked
            _ = try await record(StepRecord(procedure: .entry, step: .notice, day: "2022-01-25", endDay: "2022-01-29", person: "村委会", objections: 0))
            // a decision inside the notice window is refused, even one not to enter
            #expect(await refusal(StepRecord(procedure: .entry, step: .decision, day: "2022-01-28", person: "县乡村振兴局", result: .notEntered,
                                             detail: "核实后不纳入")) == ["day"])
            // the township review on a day of the Spring Festival is refused: not a working day
            #expect(await refusal(StepRecord(procedure: .entry, step: .townshipReview, day: "2022-02-05", person: "镇平乡", result: .agreed)) == ["day"])
            _ = try await record(StepRecord(procedure: .entry, step: .townshipReview, day: "2022-02-07", person: "镇平乡", result: .agreed))
            // a decision to enter needs the category and the risk types of the lists in force
            #expect(await refusal(StepRecord(procedure: .entry, step: .decision, day: "2022-02-08", person: "县乡村振兴局", result: .entered,
                                             detail: "收入低于监测标准")) == ["category", "riskTypes"])
            // nothing of the refusals was written: the warning is open, the household has no monitored status
            #expect(try await monitoring.openWarnings(in: village).first { $0.id == opened.id }?.entry.next == .decision)
            let entered = try await record(StepRecord(procedure: .entry, step: .decision, day: "2022-02-08", person: "县乡村振兴局", result: .entered,
                                                      category: "marginal", riskTypes: ["employment"], detail: "务工收入下降，人均纯收入低于监测标准"))
            #expect(entered.closedOn == "2022-02-08" && entered.outcome == .entered && entered.pending == nil && entered.entry.late.isEmpty)
            #expect(entered.entry.workingDaysToDecision(try await monitoring.calendar()) == 18)
            #expect(try await monitoring.openWarnings(in: village).allSatisfy { $0.id != opened.id })
            let file = try await RegistryRepository(database: database).file(household)
            #expect(file.statusChanges.last.map { ($0.date, $0.status, $0.monitoringKind) } ?? ("", .poor, nil) == ("2022-02-08", .monitored, .marginal))

            // help: the board lists it without a plan, due 10 working days after entering (22 February)
            var board = try await monitoring.monitored(in: village)
            var mine = try #require(board.first { $0.warning.id == opened.id })
            #expect(mine.planDue == "2022-02-22" && mine.planOverdue(today: "2022-02-23"))
            _ = try await PlanRepository(database: database).save(household: household, year: 2022, measures: [
                MeasureDraft(category: .employment, content: "推荐到县城扶贫车间务工", amountFen: 0, funding: "就业帮扶", start: "2022-02-20", end: "2022-12-31"),
            ], by: .system)
            board = try await monitoring.monitored(in: try DivisionCode(validating: "411324000000"))
            mine = try #require(board.first { $0.warning.id == opened.id })
            #expect(mine.planYears == [2022] && mine.measures == 1 && !mine.planOverdue(today: "2022-02-23"))

            // clearance: too early, and without an assessment since entering, it cannot be proposed
            let early = try await monitoring.clearanceProblems(entered, on: "2022-06-01")
            #expect(early.map(\.field) == ["day", "assessment"])
            #expect(await refusal(StepRecord(procedure: .clearance, step: .proposal, day: "2022-06-01", person: "李红梅")) == ["day", "assessment"])
            try await database.transaction { sql in
                try await RegistryRepository.saveAssessment(Assessment(
                    year: 2022, members: 2, income: IncomeSheet(wages: 1_800_000, production: 200_000, property: 0, transfers: 0, productionCosts: 0),
                    guarantees: Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true)), household: household, in: sql)
            }
            #expect(try await monitoring.clearanceProblems(entered, on: "2023-01-16").isEmpty)
            _ = try await record(StepRecord(procedure: .clearance, step: .proposal, day: "2023-01-16", person: "李红梅", detail: "稳定务工，收入超过监测标准"))
            _ = try await record(StepRecord(procedure: .clearance, step: .appraisal, day: "2023-01-17", person: "村支书", attendance: 21, result: .agreed))
            _ = try await record(StepRecord(procedure: .clearance, step: .notice, day: "2023-01-18", endDay: "2023-01-30", person: "村委会"))
            _ = try await record(StepRecord(procedure: .clearance, step: .townshipReview, day: "2023-01-31", person: "镇平乡", result: .agreed))
            let cleared = try await record(StepRecord(procedure: .clearance, step: .decision, day: "2023-02-01", person: "县乡村振兴局", result: .clearedWatch,
                                                      detail: "收入稳定超过监测标准"))
            #expect(cleared.clearance?.decision?.result == .clearedWatch && cleared.pending == nil && cleared.nextClearanceRound == nil)
            // cleared as stable and kept under watch: it stays on the board, and its history holds both decisions
            #expect(try await monitoring.monitored(in: village).first { $0.warning.id == opened.id }?.underWatch == true)
            let history = try await RegistryRepository(database: database).file(household).statusChanges.suffix(2).map(\.status)
            #expect(history == [.monitored, .riskEliminated])
            // a step of a decided procedure is refused
            #expect(await refusal(StepRecord(procedure: .entry, step: .decision, day: "2023-02-02", person: "县", result: .entered, detail: "再次")) == ["step"])
        }
    }
}
