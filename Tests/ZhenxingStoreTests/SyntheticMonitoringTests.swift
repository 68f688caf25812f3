import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

/// The synthetic county carries its warnings through the monitoring procedures at the rates of real counties, so every
/// monitoring figure has data: 1–3 % of the people monitored, households entered and cleared, a median of working days
/// to the decision within the guidance's 20, steps overdue, plans for the monitored, warnings from every source.
@Suite struct SyntheticMonitoringTests {
    @Test(arguments: TestDatabases.engines)
    func aSyntheticCountysMonitoringFiguresAllHaveData(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            let county = try DivisionCode(validating: "411325000000")
            // when
            let summary = try await SyntheticCounty.generate(county: county, people: 10_000, seed: 7, into: database)
            let documents = try await FiguresQuery(database: database).documents(county, years: [2022, 2023])
            // then
            let year2022 = try #require(documents[2022]), year2023 = try #require(documents[2023])
            let figures = year2022.monitoring, later = year2023.monitoring
            let share = Double(figures.monitored.people) / Double(year2022.registry.population)
            #expect((0.01...0.03).contains(share), "monitored \(figures.monitored.people) of \(year2022.registry.population)")
            #expect(Set(figures.byCategory.keys) == ["unstable_exited", "marginal", "sudden_hardship"])
            #expect(figures.byRiskType.count >= 4)
            #expect(figures.entered > 0 && later.cleared > 0 && later.entered > 0)
            #expect(figures.cleared + later.cleared == summary.monitoring.cleared)
            #expect(figures.medianWorkingDaysToDecision.map { (10...20).contains($0) } == true)
            #expect(figures.stepsOverdue > 0)
            #expect(figures.planShare == 1)
            #expect(Set(figures.warningsBySource.keys).union(later.warningsBySource.keys) == Set(WarningSource.allCases.map(\.rawValue)))
            let notEntered = Double(summary.monitoring.notEntered) / Double(summary.monitoring.warnings)
            #expect((0.05...0.15).contains(notEntered))
            // the registry's status events agree with the procedures' decisions
            #expect(year2022.registry.monitoredHouseholds == figures.monitored.households)
            // the repository reads the stalled warnings as open and overdue, and the monitored households with their plans
            let monitoring = MonitoringRepository(database: database)
            let overdue = try await monitoring.openWarnings(in: county, filter: .init(overdueOn: "2023-12-31"))
            #expect(overdue.count == summary.monitoring.stalled && !overdue.isEmpty)
            let monitored = try await monitoring.monitored(in: county)
            #expect(!monitored.isEmpty && monitored.allSatisfy { household in !household.planYears.isEmpty && !household.planOverdue(today: "2023-12-31") })
        }
    }
}
