import SQLKit
import ZhenxingDomain

/// What raised a signal of a warning, as stored.
public struct MonitoringSignal: Sendable, Hashable {
    /// Row id.
    public let id: Int
    /// How the risk was found.
    public let source: WarningSource
    /// What the rule found, for a rule's signal.
    public let finding: RuleFinding?
    /// The risk type it points to (a code of the dated list).
    public let riskType: String
    /// What was reported (self-report, visit, department file); empty for a rule's.
    public let detail: String
    /// The day it was found.
    public let foundOn: String
    /// Who recorded it (the user who ran the scan for a rule's).
    public let recordedBy: String
    /// Who reported it, for a report.
    public let reportedBy: String?
    /// The spending the report gave, fen.
    public let spendingFen: Int?
    /// The income the report gave, fen.
    public let incomeFen: Int?

    /// What it says: the rule's finding with its values, or the report with who gave it and its figures.
    public var explanation: LocalizedText {
        if let finding { return finding.explanation }
        let fromDepartment = source == .department
        var zh = [reportedBy.map { fromDepartment ? "数据来源：\($0)" : "申报人/排查人：\($0)" }]
        var en = [reportedBy.map { fromDepartment ? "from \($0)" : "reported by \($0)" }]
        if let spendingFen {
            zh.append("支出 \(FixedPoint.format(spendingFen, scale: 2)) 元")
            en.append("spending \(FixedPoint.format(spendingFen, scale: 2)) yuan")
        }
        if let incomeFen {
            zh.append("收入 \(FixedPoint.format(incomeFen, scale: 2)) 元")
            en.append("income \(FixedPoint.format(incomeFen, scale: 2)) yuan")
        }
        let extraZh = zh.compactMap { $0 }.joined(separator: "；"), extraEn = en.compactMap { $0 }.joined(separator: "; ")
        return LocalizedText(zh: extraZh.isEmpty ? detail : "\(detail)（\(extraZh)）", en: extraEn.isEmpty ? detail : "\(detail) (\(extraEn))")
    }
}

/// A household's monitoring warning with every signal that raised it, oldest first.
public struct MonitoringWarning: Sendable, Hashable {
    /// Row id.
    public let id: Int
    /// The household.
    public let householdID: Int
    /// Its number in the village.
    public let householdNumber: String
    /// Its village.
    public let villageCode: DivisionCode
    /// The day the first signal opened it.
    public let openedOn: String
    /// The day it was decided, nil while open.
    public let closedOn: String?
    /// The decision: entered or not.
    public let outcome: StepResult?
    /// The signals.
    public let signals: [MonitoringSignal]
    /// Every step recorded, in the order recorded.
    public let steps: [RecordedStep]
    /// Where the entry procedure stands.
    public let entry: ProcedureProgress
    /// Where the latest round of clearance stands, once proposed.
    public let clearance: ProcedureProgress?

    /// The clearance round a proposal would open: the first, or the next after a clearance refused; nil while the
    /// household is not entered or a round is under way or done.
    public var nextClearanceRound: Int? {
        guard outcome == .entered else { return nil }
        guard let clearance else { return 1 }
        guard clearance.decision?.result == .notCleared else { return nil }
        return (steps.filter { $0.record.procedure == .clearance }.map(\.round).max() ?? 0) + 1
    }

    /// The procedure under way (clearance once proposed), with its next step; nil when nothing is pending.
    public var pending: ProcedureProgress? {
        if let clearance, clearance.next != nil { return clearance }
        return entry.next != nil && outcome == nil ? entry : nil
    }
}

/// A step as stored: the record with its round and who entered it.
public struct RecordedStep: Sendable, Hashable {
    /// Row id.
    public let id: Int
    /// The round (always 1 for entry).
    public let round: Int
    /// What was recorded.
    public let record: StepRecord
    /// Who entered it.
    public let recordedBy: String
}

/// Return-to-poverty monitoring: the warnings, their signals and the working-day calendar (the rules over the records
/// are in `MonitoringRepository+Rules`, the procedures in `+Procedure`, department files in `+Departments`).
public struct MonitoringRepository: Sendable {
    let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    /// The household's open warning `existing`, or a new one opened on `day`; its id.
    static func warning(_ existing: Int?, household: Int, village: DivisionCode, opening day: String, in sql: any SQLDatabase) async throws -> Int {
        if let existing { return existing }
        return try await BulkInsert.row(into: "monitoring_warnings", columns: ["household_id", "village_code", "opened_on", "version"],
                                 values: [household, village.rawValue, day, 1], in: sql)
    }

    /// Adds a signal to a warning: a rule's `finding` with its values, or a person's `report` with its figures.
    static func addSignal(to warning: Int, household: Int, source: WarningSource, finding: RuleFinding? = nil, report: RiskReport? = nil,
                                  riskType: String, foundOn: String, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        _ = try await BulkInsert.row(into: "monitoring_signals", columns: [
            "warning_id", "household_id", "source", "rule", "year", "observed", "threshold", "parameter_scope", "parameter_year", "risk_type", "detail",
            "found_on", "reported_by", "spending_fen", "income_fen", "recorded_by", "recorded_at",
        ], values: [
            warning, household, source.rawValue, finding?.rule.rawValue, finding?.year, finding?.observed, finding?.threshold, finding?.origin?.scope,
            finding?.origin?.year, riskType, report?.detail.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", foundOn,
            report?.reportedBy.trimmingCharacters(in: .whitespaces), report?.spendingFen, report?.incomeFen, actor.username, Timestamp.now(),
        ], in: sql)
    }

    /// Records a risk reported for household `id` (a self-report or what a visit found) on `today`: it opens the
    /// household's warning or joins its open one. Returns the warning's id. Audited.
    public func report(_ report: RiskReport, household id: Int, today: String, by actor: AuditActor) async throws -> Int {
        try await database.transaction { sql in try await Self.report(report, household: id, today: today, by: actor, in: sql) }
    }

    /// Records a visit to household `id` and, when `riskType` is given, the risk it found (干部排查) from the visit's
    /// day, visitor and what was seen, in one transaction: both or neither. Returns the visit's id and the warning's.
    public func recordVisit(_ draft: VisitDraft, risk riskType: String?, household id: Int, today: String,
                            by actor: AuditActor) async throws -> (visit: Int, warning: Int?) {
        let problems = draft.problems(today: today)
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in
            let visit = try await VisitRepository.add(draft, household: id, by: actor, in: sql)
            guard let riskType else { return (visit, nil) }
            let visitor = try await sql.raw("SELECT visitor FROM visits WHERE id = \(bind: visit)").first(decodingColumn: "visitor", as: String.self) ?? ""
            let report = RiskReport(source: .visit, riskType: riskType, detail: draft.seen, reportedBy: visitor, foundOn: draft.date)
            return (visit, try await Self.report(report, household: id, today: today, by: actor, in: sql))
        }
    }

    private static func report(_ report: RiskReport, household id: Int, today: String, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        guard let village = try await sql.raw("SELECT village_code FROM households WHERE id = \(bind: id) AND closed_on IS NULL")
            .first(decodingColumn: "village_code", as: String.self).map({ try DivisionCode(validating: $0) })
        else { throw StoreError.notFound("household \(id)") }
        let year = Int(report.foundOn.prefix(4)).flatMap { FieldIssue.years.contains($0) ? $0 : nil } ?? Int(today.prefix(4))!
        let riskTypes = try await Self.terms(.riskType, for: village, year: year, in: sql)
        let problems = report.problems(today: today, riskTypes: Set(riskTypes.keys))
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let open = try await sql.raw("SELECT id FROM monitoring_warnings WHERE household_id = \(bind: id) AND closed_on IS NULL")
            .first(decodingColumn: "id", as: Int.self)
        let warning = try await Self.warning(open, household: id, village: village, opening: report.foundOn, in: sql)
        try await Self.addSignal(to: warning, household: id, source: report.source, report: report, riskType: report.riskType,
                                 foundOn: report.foundOn, by: actor, in: sql)
        try await AuditLog.record(.create, entity: .monitoringReport, key: String(warning), division: village, after: report, by: actor, in: sql)
        return warning
    }

    /// What the inbox may ask for besides the division.
    public struct WarningFilter: Sendable, Hashable {
        /// Only warnings a signal of this source raised.
        public var source: WarningSource?
        /// Only warnings a finding of this rule raised.
        public var rule: MonitoringRule?
        /// Only warnings whose next step is this one.
        public var step: ProcedureStep?
        /// Only warnings whose next step is past its deadline on this day.
        public var overdueOn: String?

        /// Creates a filter.
        public init(source: WarningSource? = nil, rule: MonitoringRule? = nil, step: ProcedureStep? = nil, overdueOn: String? = nil) {
            self.source = source
            self.rule = rule
            self.step = step
            self.overdueOn = overdueOn
        }
    }

    /// The open warnings of `division` (any level), newest first, at most `limit`, each with its signals and
    /// steps, as `filter` narrows them.
    public func openWarnings(in division: DivisionCode, filter: WarningFilter = WarningFilter(), limit: Int = 500) async throws -> [MonitoringWarning] {
        let bySource: SQLQueryString = filter.source.map {
            "AND EXISTS (SELECT 1 FROM monitoring_signals s WHERE s.warning_id = w.id AND s.source = \(bind: $0.rawValue))"
        } ?? ""
        let byRule: SQLQueryString = filter.rule.map {
            "AND EXISTS (SELECT 1 FROM monitoring_signals s WHERE s.warning_id = w.id AND s.source = 'rule' AND s.rule = \(bind: $0.rawValue))"
        } ?? ""
        var keep: (@Sendable (MonitoringWarning) -> Bool)?
        if filter.step != nil || filter.overdueOn != nil {
            keep = { warning in
                if let step = filter.step, warning.entry.next != step { return false }
                if let day = filter.overdueOn, !warning.entry.isOverdue(today: day) { return false }
                return true
            }
        }
        return try await database.read { sql in
            try await Self.warnings(where: "w.closed_on IS NULL AND \(division.covers("w.village_code")) \(bySource) \(byRule)", limit: limit, keep: keep, in: sql)
        }
    }

    /// Every warning of a household, open or decided, newest first, each with its signals and steps: its
    /// monitoring history.
    public func warnings(ofHousehold id: Int) async throws -> [MonitoringWarning] {
        try await database.read { sql in try await Self.warnings(where: "w.household_id = \(bind: id)", limit: 1_000, in: sql) }
    }

    /// The warnings of `division` (any level) opened in `year`, with their signals and steps, in the order they were
    /// recorded, a page of `limit` after warning `after`: what the monitoring export writes.
    public func warnings(in division: DivisionCode, year: Int, after: Int? = nil, limit: Int) async throws -> [MonitoringWarning] {
        guard FieldIssue.years.contains(year) else { throw ValidationFailure([FieldIssue.yearOutOfRange()]) }
        var condition: SQLQueryString = """
            \(division.covers("w.village_code")) AND w.opened_on BETWEEN \(bind: "\(year)-01-01") AND \(bind: "\(year)-12-31")
            """
        if let after { condition += " AND w.id > \(bind: after)" }
        return try await database.read { sql in try await Self.warnings(where: condition, order: "w.id", limit: limit, in: sql) }
    }

    /// The warnings meeting `condition` (over `w`, the warnings), newest first unless `order` says otherwise, at most
    /// `limit` of those `keep` accepts; `keep` sees each warning's steps and progress but not yet its signals.
    static func warnings(where condition: SQLQueryString, order: SQLQueryString = "w.opened_on DESC, w.id DESC", limit: Int,
                         keep: (@Sendable (MonitoringWarning) -> Bool)? = nil, in sql: any SQLDatabase) async throws -> [MonitoringWarning] {
        // with a filter over the progress every warning of the condition is read, without one only the newest
        let cap: SQLQueryString = keep == nil ? "LIMIT \(literal: limit)" : ""
        let rows = try await sql.raw("""
            SELECT w.id, w.household_id, h.number, w.village_code, w.opened_on, w.closed_on, w.outcome FROM monitoring_warnings w
            JOIN households h ON h.id = w.household_id
            WHERE \(condition) ORDER BY \(order) \(cap)
            """).all(decoding: WarningRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        guard !rows.isEmpty else { return [] }
        let steps = try await Self.steps(where: keep == nil ? "w.id IN (\(binds: rows.map(\.id)))" : condition, in: sql)
        let calendar = try await Self.calendar(in: sql)
        var parameters: [String: ProcedureParameters] = [:]
        var warnings: [MonitoringWarning] = []
        for row in rows {
            let village = try DivisionCode(validating: row.villageCode)
            let recorded = steps[row.id] ?? []
            let latest = recorded.filter { $0.record.procedure == .clearance }.map(\.round).max()
            let proposal = latest.flatMap { round in recorded.first { $0.round == round && $0.record.step == .proposal } }
            var progress: [ProcedureProgress] = []
            for (procedure, round, start) in [(MonitoringProcedure.entry, 1, row.openedOn)] + (proposal.map { [(.clearance, $0.round, $0.record.day)] } ?? []) {
                let key = "\(village.rawValue.prefix(2))/\(start.prefix(4))"
                if parameters[key] == nil { parameters[key] = try await Self.procedureParameters(for: village, year: Int(start.prefix(4)) ?? 2021, in: sql) }
                let done = recorded.filter { $0.record.procedure == procedure && $0.round == round }.map(\.record)
                progress.append(ProcedureProgress(procedure: procedure, start: start, done: done, parameters: parameters[key]!, calendar: calendar))
            }
            let warning = MonitoringWarning(
                id: row.id, householdID: row.householdId, householdNumber: row.number, villageCode: village, openedOn: row.openedOn,
                closedOn: row.closedOn, outcome: row.outcome.flatMap(StepResult.init), signals: [], steps: recorded,
                entry: progress[0], clearance: progress.count > 1 ? progress[1] : nil)
            if keep?(warning) ?? true { warnings.append(warning) }
            if warnings.count == limit { break }
        }
        let signals = try await Self.signals(of: warnings.map(\.id), in: sql)
        return warnings.map { warning in
            MonitoringWarning(id: warning.id, householdID: warning.householdID, householdNumber: warning.householdNumber, villageCode: warning.villageCode,
                              openedOn: warning.openedOn, closedOn: warning.closedOn, outcome: warning.outcome, signals: signals[warning.id] ?? [],
                              steps: warning.steps, entry: warning.entry, clearance: warning.clearance)
        }
    }

    /// The steps of the warnings meeting `condition`, by warning, in the order recorded.
    private static func steps(where condition: SQLQueryString, in sql: any SQLDatabase) async throws -> [Int: [RecordedStep]] {
        let rows = try await sql.raw("""
            SELECT s.id, s.warning_id, s.procedure, s.round, s.step, s.day, s.end_day, s.person, s.attendance, s.objections, s.result, s.category,
                   s.risk_types, s.detail, s.recorded_by
            FROM monitoring_steps s JOIN monitoring_warnings w ON w.id = s.warning_id JOIN households h ON h.id = w.household_id
            WHERE \(condition) ORDER BY s.warning_id, s.id
            """).all(decoding: StepRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Dictionary(grouping: rows, by: \.warningId).mapValues { $0.map(\.recorded) }
    }

    /// The risk types (风险类型) in force for the province of `division` in `year`, by code: for each code the newest
    /// row at or before the year, the province's own winning over the nationwide one.
    public func riskTypes(for division: DivisionCode, year: Int) async throws -> [String: LocalizedText] {
        try await database.read { try await Self.terms(.riskType, for: division, year: year, in: $0) }
    }

    /// The monitoring categories (监测对象类型) in force, as `riskTypes` reads them.
    public func categories(for division: DivisionCode, year: Int) async throws -> [String: LocalizedText] {
        try await database.read { try await Self.terms(.category, for: division, year: year, in: $0) }
    }

    /// The two dated lists of `monitoring_terms`.
    enum TermKind: String { case category, riskType = "risk_type" }

    static func terms(_ kind: TermKind, for division: DivisionCode, year: Int, in sql: any SQLDatabase) async throws -> [String: LocalizedText] {
        struct Row: Decodable { let code: String; let nameZh: String; let nameEn: String }
        let rows = try await sql.raw("""
            SELECT code, name_zh, name_en FROM monitoring_terms
            WHERE kind = \(bind: kind.rawValue) AND year <= \(bind: year) AND scope IN ('*', \(bind: String(division.rawValue.prefix(2))))
            ORDER BY year DESC, scope DESC
            """).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Dictionary(rows.map { ($0.code, LocalizedText(zh: $0.nameZh, en: $0.nameEn)) }, uniquingKeysWith: { newest, _ in newest })
    }

    /// The rule parameters named `names` in force for the province of `division` in `year`, by name, each with the
    /// row it came from: the newest at or before the year, the province's own winning over the nationwide one.
    static func ruleParameters(_ names: [String], for division: DivisionCode, year: Int, in sql: any SQLDatabase) async throws -> [String: DatedThreshold] {
        struct Row: Decodable { let rule: String, value: Int, scope: String, year: Int }
        let rows = try await sql.raw("""
            SELECT rule, value, scope, year FROM monitoring_rule_parameters
            WHERE rule IN (\(binds: names)) AND year <= \(bind: year) AND scope IN ('*', \(bind: String(division.rawValue.prefix(2))))
            ORDER BY year DESC, scope DESC
            """).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.rule, DatedThreshold(value: $0.value, origin: ParameterOrigin(scope: $0.scope, year: $0.year))) },
                          uniquingKeysWith: { newest, _ in newest })
    }

    /// The procedures' parameters in force for the province of `division` in `year`.
    public func procedureParameters(for division: DivisionCode, year: Int) async throws -> ProcedureParameters {
        try await database.read { try await Self.procedureParameters(for: division, year: year, in: $0) }
    }

    static func procedureParameters(for division: DivisionCode, year: Int, in sql: any SQLDatabase) async throws -> ProcedureParameters {
        ProcedureParameters(values: try await ruleParameters(ProcedureParameters.names, for: division, year: year, in: sql).mapValues(\.value))
    }

    /// The working-day calendar: every listed holiday and worked weekend day.
    public func calendar() async throws -> WorkingCalendar {
        try await database.read { try await Self.calendar(in: $0) }
    }

    static func calendar(in sql: any SQLDatabase) async throws -> WorkingCalendar {
        struct Row: Decodable { let day: String; let kind: WorkingCalendar.Exception }
        let rows = try await sql.raw("SELECT day, kind FROM working_calendar").all(decoding: Row.self)
        return WorkingCalendar(exceptions: Dictionary(rows.map { ($0.day, $0.kind) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Removes every warning of a village (demo refresh only; the audit log keeps its entries).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            DELETE FROM monitoring_steps WHERE warning_id IN (SELECT id FROM monitoring_warnings WHERE village_code = \(bind: village.rawValue))
            """).run()
        try await sql.raw("""
            DELETE FROM monitoring_signals WHERE warning_id IN (SELECT id FROM monitoring_warnings WHERE village_code = \(bind: village.rawValue))
            """).run()
        try await sql.raw("DELETE FROM monitoring_warnings WHERE village_code = \(bind: village.rawValue)").run()
    }

    private static func signals(of warnings: [Int], in sql: any SQLDatabase) async throws -> [Int: [MonitoringSignal]] {
        guard !warnings.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT id, warning_id, source, rule, year, observed, threshold, parameter_scope, parameter_year, risk_type, detail, found_on, recorded_by,
                   reported_by, spending_fen, income_fen
            FROM monitoring_signals WHERE warning_id IN (\(binds: warnings)) ORDER BY warning_id, id
            """).all(decoding: SignalRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Dictionary(grouping: rows, by: \.warningId).mapValues { $0.map(\.signal) }
    }

    // MARK: Rows as read

    private struct WarningRow: Decodable {
        let id: Int, householdId: Int, number: String, villageCode: String, openedOn: String, closedOn: String?, outcome: String?
    }

    private struct StepRow: Decodable {
        let id: Int, warningId: Int, procedure: MonitoringProcedure, round: Int, step: ProcedureStep, day: String, endDay: String?, person: String
        let attendance: Int?, objections: Int?, result: StepResult?, category: String?, riskTypes: String, detail: String, recordedBy: String

        var recorded: RecordedStep {
            RecordedStep(id: id, round: round, record: StepRecord(
                procedure: procedure, step: step, day: day, endDay: endDay, person: person, attendance: attendance, objections: objections, result: result,
                category: category, riskTypes: riskTypes.split(separator: ",").map(String.init), detail: detail), recordedBy: recordedBy)
        }
    }

    private struct SignalRow: Decodable {
        let id: Int, warningId: Int, source: WarningSource, rule: MonitoringRule?, year: Int?, observed: Int?, threshold: Int?
        let parameterScope: String?, parameterYear: Int?, riskType: String, detail: String, foundOn: String, recordedBy: String
        let reportedBy: String?, spendingFen: Int?, incomeFen: Int?

        var signal: MonitoringSignal {
            let origin = zip(parameterScope, parameterYear).map { ParameterOrigin(scope: $0, year: $1) }
            let finding = zip(rule, year).map { RuleFinding(rule: $0, year: $1, observed: observed, threshold: threshold, origin: origin) }
            return MonitoringSignal(id: id, source: source, finding: finding, riskType: riskType, detail: detail, foundOn: foundOn, recordedBy: recordedBy,
                                    reportedBy: reportedBy, spendingFen: spendingFen, incomeFen: incomeFen)
        }
    }

}

/// `zip` for two optionals: both values, or nil.
private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
