import SQLKit
import ZhenxingDomain

/// A household in monitoring (监测对象) as the village and township boards list it: entered and not yet cleared,
/// or cleared as stable but kept under watch; with its help.
public struct MonitoredHousehold: Sendable, Hashable {
    /// The warning it entered through, with its steps.
    public let warning: MonitoringWarning
    /// The entry decision.
    public let decision: StepRecord
    /// The years of entering and after with an assistance plan, newest first.
    public let planYears: [Int]
    /// The measures of the newest of those plans.
    public let measures: Int
    /// Visits since entering.
    public let visits: Int
    /// The day the assistance plan falls due.
    public let planDue: String?

    /// Whether the household is still without a plan past its due day on `today`.
    public func planOverdue(today: String) -> Bool { planYears.isEmpty && (planDue.map { today > $0 } ?? false) }

    /// Whether it was cleared as stable and stays under watch.
    public var underWatch: Bool { warning.clearance?.decision?.result == .clearedWatch }
}

/// The monitoring procedures, step by step.
extension MonitoringRepository {
    /// Records the next step of warning `id` of household `household` on `today`, in one transaction: checked
    /// against the steps before, the working-day calendar and the dated lists and parameters. A decision closes
    /// the entry (and records the household's `monitored` status) or clears the risk (`risk_eliminated`). Returns
    /// the warning as it now stands. Audited.
    public func recordStep(_ record: StepRecord, warning id: Int, household: Int, today: String, by actor: AuditActor) async throws -> MonitoringWarning {
        try await database.transaction { sql in
            let condition: SQLQueryString = "w.id = \(bind: id) AND w.household_id = \(bind: household)"
            guard let warning = try await Self.warnings(where: condition, limit: 1, in: sql).first else { throw StoreError.notFound("warning \(id)") }
            let village = warning.villageCode
            let calendar = try await Self.calendar(in: sql)
            var round = 1
            let progress: ProcedureProgress
            switch record.procedure {
            case .entry:
                progress = warning.entry
            case .clearance:
                if let clearance = warning.clearance, clearance.next != nil {
                    progress = clearance
                    round = warning.steps.filter { $0.record.procedure == .clearance }.map(\.round).max() ?? 1
                } else if let next = warning.nextClearanceRound {
                    round = next
                    let parameters = try await Self.procedureParameters(for: village, year: Int(record.day.prefix(4)) ?? 0, in: sql)
                    progress = ProcedureProgress(procedure: .clearance, start: record.day, done: [], parameters: parameters, calendar: calendar)
                } else {
                    throw ValidationFailure([FieldIssue(field: "procedure", message: warning.outcome == .entered
                        ? LocalizedText(zh: "本户风险已消除", en: "The risk is already cleared")
                        : LocalizedText(zh: "本户尚未审定纳入监测，不能提出风险消除", en: "The household is not entered into monitoring, so nothing can be cleared"))])
                }
            }
            let year = Int(progress.start.prefix(4)) ?? 2021
            let parameters = try await Self.procedureParameters(for: village, year: year, in: sql)
            let termYear = Int(record.day.prefix(4)).flatMap { FieldIssue.years.contains($0) ? $0 : nil } ?? year
            var problems = progress.problems(
                recording: record, today: today, calendar: calendar, parameters: parameters,
                categories: Set(try await Self.terms(.category, for: village, year: termYear, in: sql).keys),
                riskTypes: Set(try await Self.terms(.riskType, for: village, year: termYear, in: sql).keys))
            if problems.isEmpty, record.step == .proposal {
                problems = try await Self.clearanceProblems(warning, on: record.day, parameters: parameters, in: sql)
            }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let trimmed = { (text: String) in text.trimmingCharacters(in: .whitespacesAndNewlines) }
            _ = try await BulkInsert.row(into: "monitoring_steps", columns: [
                "warning_id", "household_id", "procedure", "round", "step", "day", "end_day", "person", "attendance", "objections", "result", "category",
                "risk_types", "detail", "recorded_by", "recorded_at",
            ], values: [
                id, household, record.procedure.rawValue, round, record.step.rawValue, record.day, record.step == .notice ? record.endDay : nil,
                trimmed(record.person), record.step == .appraisal ? record.attendance : nil, record.step == .notice ? (record.objections ?? 0) : nil,
                record.result?.rawValue, record.result == .entered ? record.category : nil,
                record.result == .entered ? record.riskTypes.joined(separator: ",") : "", trimmed(record.detail), actor.username, Timestamp.now(),
            ], in: sql)
            if record.step == .decision, let result = record.result {
                try await Self.decide(result, record, warning: warning, by: actor, in: sql)
            }
            try await AuditLog.record(.create, entity: .monitoringStep, key: "\(id)/\(record.procedure.rawValue)/\(round)/\(record.step.rawValue)",
                                      division: village, after: record, by: actor, in: sql)
            return try await Self.warnings(where: condition, limit: 1, in: sql)[0]
        }
    }

    /// What a decision changes besides its step: the entry closes the warning; entering and clearing are status
    /// events of the household's history, with who decided and why.
    private static func decide(_ result: StepResult, _ record: StepRecord, warning: MonitoringWarning, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        let reason = record.detail.trimmingCharacters(in: .whitespacesAndNewlines), decidedBy = record.person.trimmingCharacters(in: .whitespaces)
        if record.procedure == .entry {
            try await sql.raw("""
                UPDATE monitoring_warnings SET closed_on = \(bind: record.day), outcome = \(bind: result.rawValue), version = version + 1
                WHERE id = \(bind: warning.id) AND closed_on IS NULL
                """).run()
        }
        let change: StatusChange? = switch result {
        case .entered:
            StatusChange(date: record.day, status: .monitored, monitoringKind: record.category.flatMap(MonitoringKind.init), reason: reason, decidedBy: decidedBy)
        case .cleared, .clearedWatch:
            StatusChange(date: record.day, status: .riskEliminated, reason: result == .clearedWatch ? "\(reason)（\(result.title.zh)）" : reason,
                         decidedBy: decidedBy)
        default:
            nil
        }
        if let change {
            try await RegistryRepository.recordStatus(change, household: warning.householdID, division: warning.villageCode, by: actor, in: sql)
        }
    }

    /// Why the risk of an entered `warning` cannot be proposed for clearance on `day` (nothing when it can): the
    /// months in monitoring, and the newest assessment since entering against its year's monitoring threshold.
    public func clearanceProblems(_ warning: MonitoringWarning, on day: String) async throws -> [FieldIssue] {
        try await database.read { sql in
            let year = Int(warning.entry.decision?.day.prefix(4) ?? "") ?? 2021
            let parameters = try await Self.procedureParameters(for: warning.villageCode, year: year, in: sql)
            return try await Self.clearanceProblems(warning, on: day, parameters: parameters, in: sql)
        }
    }

    private static func clearanceProblems(_ warning: MonitoringWarning, on day: String, parameters: ProcedureParameters,
                                          in sql: any SQLDatabase) async throws -> [FieldIssue] {
        guard let entered = warning.entry.decision?.day else { return [] }
        let file = try await RegistryRepository.file(warning.householdID, in: sql)
        let assessment = file.assessments.first { $0.year >= Int(entered.prefix(4))! }
        var threshold: DatedThreshold?
        if let assessment {
            threshold = try await RegistryRepository.parameters(for: warning.villageCode, years: [assessment.year], in: sql)[assessment.year]?.monitoringThreshold
        }
        return ClearanceRules.problems(enteredOn: entered, today: day, months: parameters.clearanceMonths, assessment: assessment, threshold: threshold)
    }

    /// The households of `division` (any level) in monitoring: entered and not cleared, or cleared and kept under
    /// watch; newest entry first, at most `limit`, each with its plans and visits since entering.
    public func monitored(in division: DivisionCode, limit: Int = 500) async throws -> [MonitoredHousehold] {
        try await database.read { sql in
            let condition: SQLQueryString = """
                w.outcome = 'entered' AND \(division.covers("w.village_code")) AND NOT EXISTS (SELECT 1 FROM monitoring_steps c
                WHERE c.warning_id = w.id AND c.procedure = 'clearance' AND c.step = 'decision' AND c.result = 'cleared')
                """
            let warnings = try await Self.warnings(where: condition, limit: limit, in: sql)
            guard !warnings.isEmpty else { return [] }
            let households = warnings.map(\.householdID)
            struct PlanRow: Decodable { let householdId: Int; let year: Int; let version: Int; let measures: Int }
            let plans = try await sql.raw("""
                SELECT p.household_id, p.year, p.version, (SELECT COUNT(*) FROM measures m WHERE m.plan_id = p.id) AS measures
                FROM plans p WHERE p.household_id IN (\(binds: households)) ORDER BY p.year DESC, p.version DESC
                """).all(decoding: PlanRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            struct VisitRow: Decodable { let householdId: Int; let visitedOn: String }
            let visits = Dictionary(grouping: try await sql.raw("""
                SELECT household_id, visited_on FROM visits WHERE household_id IN (\(binds: households))
                """).all(decoding: VisitRow.self, keyDecodingStrategy: .convertFromSnakeCase), by: \.householdId)
            let calendar = try await Self.calendar(in: sql)
            var parameters: [String: ProcedureParameters] = [:]
            var result: [MonitoredHousehold] = []
            for warning in warnings {
                guard let decision = warning.entry.decision else { continue }
                let year = Int(decision.day.prefix(4))!
                let own = plans.filter { $0.householdId == warning.householdID && $0.year >= year }
                let key = "\(warning.villageCode.rawValue.prefix(2))/\(year)"
                if parameters[key] == nil { parameters[key] = try await Self.procedureParameters(for: warning.villageCode, year: year, in: sql) }
                let planDays = parameters[key]!.planWorkingDays
                result.append(MonitoredHousehold(
                    warning: warning, decision: decision, planYears: Array(Set(own.map(\.year))).sorted(by: >), measures: own.first?.measures ?? 0,
                    visits: visits[warning.householdID]?.filter { $0.visitedOn >= decision.day }.count ?? 0,
                    planDue: planDays > 0 ? calendar.adding(workingDays: planDays, to: decision.day) : nil))
            }
            return result
        }
    }
}
