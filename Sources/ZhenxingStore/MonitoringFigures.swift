import SQLKit
import ZhenxingDomain

/// The monitoring figures (防返贫监测) of a division for a year, counted from the warnings and their steps: who was in
/// monitoring on the figures' day, and what was found, decided and cleared in the year. Additive, so a township's,
/// county's or province's are the sums of their villages'.
public struct MonitoringFigures: Sendable, Hashable, Codable {
    /// Households and their members.
    public struct Count: Sendable, Hashable, Codable {
        public var households = 0
        public var people = 0

        mutating func add(_ other: Count) {
            households += other.households
            people += other.people
        }
    }

    /// Households entered and not cleared on the figures' day, with their members that day.
    public var monitored = Count()
    /// The same by the category of the entry decision (a code of the dated list).
    public var byCategory: [String: Count] = [:]
    /// The same by risk type (a code of the dated list): a household counts under each of its types.
    public var byRiskType: [String: Count] = [:]
    /// Households whose risk was cleared as stable but that stay under watch, on the figures' day.
    public var underWatch = 0
    /// Monitored households with an assistance plan of a year from their entering on.
    public var monitoredWithPlan = 0
    /// Households entered in the year.
    public var entered = 0
    /// Households whose risk was cleared in the year (kept under watch or not).
    public var cleared = 0
    /// Warnings opened in the year, by the source of the signal that opened them.
    public var warningsBySource: [String: Int] = [:]
    /// Entry decisions of the year by the working days from the warning to the decision.
    public var workingDaysToDecision: [Int: Int] = [:]
    /// Procedures under way whose next step was past its due day on the figures' day.
    public var stepsOverdue = 0

    public init() {}

    /// Warnings opened in the year.
    public var warnings: Int { warningsBySource.values.reduce(0, +) }
    /// The median working days from warning to entry decision, of the year's decisions.
    public var medianWorkingDaysToDecision: Double? { LedgerFigures.median(workingDaysToDecision) }
    /// The share of monitored households with a plan, a ratio; nil without monitored households.
    public var planShare: Double? { monitored.households > 0 ? Double(monitoredWithPlan) / Double(monitored.households) : nil }

    /// Adds another division's figures.
    mutating func add(_ other: MonitoringFigures) {
        monitored.add(other.monitored)
        for (code, count) in other.byCategory { byCategory[code, default: Count()].add(count) }
        for (code, count) in other.byRiskType { byRiskType[code, default: Count()].add(count) }
        underWatch += other.underWatch
        monitoredWithPlan += other.monitoredWithPlan
        entered += other.entered
        cleared += other.cleared
        warningsBySource.merge(other.warningsBySource, uniquingKeysWith: +)
        workingDaysToDecision.merge(other.workingDaysToDecision, uniquingKeysWith: +)
        stepsOverdue += other.stepsOverdue
    }
}

extension MonitoringRepository {
    /// The monitoring figures of `village` for `year` as they stood at the end of `asOf` (the year's last day, or
    /// today while the year runs): only the steps recorded by then count.
    func figures(_ village: DivisionCode, year: Int, asOf: String) async throws -> MonitoringFigures {
        try await database.read { sql in
            let warnings = try await Self.warnings(
                where: "w.village_code = \(bind: village.rawValue) AND w.opened_on <= \(bind: asOf)", limit: 1_000_000, in: sql)
            var figures = MonitoringFigures()
            guard !warnings.isEmpty else { return figures }
            let calendar = try await Self.calendar(in: sql)
            let yearStart = "\(year)-01-01"
            var monitored: [(household: Int, decision: StepRecord)] = []
            for warning in warnings {
                if warning.openedOn >= yearStart, let source = warning.signals.first?.source {
                    figures.warningsBySource[source.rawValue, default: 0] += 1
                }
                let entry = warning.entry.asOf(asOf)
                guard let decision = entry.decision else {
                    if entry.isOverdue(today: asOf) { figures.stepsOverdue += 1 }
                    continue
                }
                if decision.day >= yearStart {
                    if let days = entry.workingDaysToDecision(calendar) { figures.workingDaysToDecision[days, default: 0] += 1 }
                    if decision.result == .entered { figures.entered += 1 }
                }
                guard decision.result == .entered else { continue }
                if let clearance = warning.clearance, clearance.start <= asOf {
                    let then = clearance.asOf(asOf)
                    if let cleared = then.decision?.result, cleared == .cleared || cleared == .clearedWatch {
                        if then.decision!.day >= yearStart { figures.cleared += 1 }
                        if cleared == .clearedWatch { figures.underWatch += 1 }
                        continue
                    }
                    if then.isOverdue(today: asOf) { figures.stepsOverdue += 1 }
                }
                monitored.append((warning.householdID, decision))
            }
            guard !monitored.isEmpty else { return figures }
            let households = monitored.map(\.household)
            struct Size: Decodable { let householdId: Int; let people: Int }
            let sizes = Dictionary(try await sql.raw("""
                SELECT household_id, COUNT(*) AS people FROM memberships WHERE household_id IN (\(binds: households))
                AND from_date <= \(bind: asOf) AND (to_date IS NULL OR to_date > \(bind: asOf)) GROUP BY household_id
                """).all(decoding: Size.self, keyDecodingStrategy: .convertFromSnakeCase).map { ($0.householdId, $0.people) }, uniquingKeysWith: +)
            struct PlanYear: Decodable { let householdId: Int; let year: Int }
            let plans = Dictionary(grouping: try await sql.raw("""
                SELECT DISTINCT household_id, year FROM plans WHERE household_id IN (\(binds: households)) AND year <= \(bind: year)
                """).all(decoding: PlanYear.self, keyDecodingStrategy: .convertFromSnakeCase), by: \.householdId)
            for (household, decision) in monitored {
                let count = MonitoringFigures.Count(households: 1, people: sizes[household] ?? 0)
                figures.monitored.add(count)
                if let category = decision.category { figures.byCategory[category, default: .init()].add(count) }
                for type in decision.riskTypes { figures.byRiskType[type, default: .init()].add(count) }
                let entered = Int(decision.day.prefix(4)) ?? year
                if plans[household]?.contains(where: { $0.year >= entered }) == true { figures.monitoredWithPlan += 1 }
            }
            return figures
        }
    }
}
