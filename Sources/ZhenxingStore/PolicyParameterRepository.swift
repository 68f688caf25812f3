import SQLKit
import ZhenxingDomain

/// One row of dated policy parameters: for a scope ('*' nationwide, or a 2-digit province) and a year.
public struct PolicyParameterRow: Sendable, Hashable, Codable {
    /// '*' or a province's two digits.
    public var scope: String
    /// The year it takes effect (carried forward until a later row).
    public var year: Int
    /// Poverty line, fen per person per year.
    public var povertyLineFen: Int?
    /// Monitoring threshold, fen per person per year.
    public var monitoringThresholdFen: Int?
    /// Village-exit incidence limit in basis points (200 = 2 %).
    public var villageExitLimitBp: Int?
    /// Where the figure comes from.
    public var source: String
    /// The stored version (nil for a row not yet stored).
    public var version: Int?

    /// Creates a row.
    public init(scope: String, year: Int, povertyLineFen: Int?, monitoringThresholdFen: Int?, villageExitLimitBp: Int?, source: String,
                version: Int? = nil) {
        self.version = version
        self.scope = scope
        self.year = year
        self.povertyLineFen = povertyLineFen
        self.monitoringThresholdFen = monitoringThresholdFen
        self.villageExitLimitBp = villageExitLimitBp
        self.source = source
    }

    /// Every problem with the row.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let problem = FieldIssue.parameterScope(scope) { issues.append(problem) }
        if !(2000...2100).contains(year) {
            issues.append(FieldIssue.yearOutOfRange())
        }
        for (field, value) in [("povertyLine", povertyLineFen), ("monitoringThreshold", monitoringThresholdFen)] {
            if let value, let problem = FieldIssue.money(value, field: field) { issues.append(problem) }
        }
        if let limit = villageExitLimitBp, !(1...10_000).contains(limit) {
            issues.append(FieldIssue(field: "villageExitLimit", message: LocalizedText(zh: "出列标准应在 0.01% 到 100% 之间", en: "The limit must be 0.01 % to 100 %")))
        }
        if povertyLineFen == nil && monitoringThresholdFen == nil && villageExitLimitBp == nil {
            issues.append(FieldIssue(field: "povertyLine", message: LocalizedText(zh: "至少填写一项参数", en: "Give at least one parameter")))
        }
        if source.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "source", message: LocalizedText(zh: "请注明来源（文件或依据）", en: "Give the source (document or basis)")))
        }
        return issues
    }
}

/// The dated policy parameters administrators keep.
public struct PolicyParameterRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    /// Every row, by scope and year.
    public func all() async throws -> [PolicyParameterRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT scope, year, poverty_line_fen, monitoring_threshold_fen, village_exit_limit_bp, source, version
                FROM policy_parameters ORDER BY scope, year
                """).all(decoding: PolicyParameterRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// Adds a row, or replaces the one of the same scope and year when `row.version` is the stored
    /// one (a new row has none); `staleVersion` otherwise. Audited with before and after.
    public func save(_ row: PolicyParameterRow, by actor: AuditActor) async throws {
        let problems = row.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await database.transaction { sql in
            let before = try await sql.raw("""
                SELECT scope, year, poverty_line_fen, monitoring_threshold_fen, village_exit_limit_bp, source, version
                FROM policy_parameters WHERE scope = \(bind: row.scope) AND year = \(bind: row.year)
                """).first(decoding: PolicyParameterRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            guard before?.version == row.version else {
                throw StoreError.staleVersion(expected: row.version ?? 0, current: before?.version ?? 0)
            }
            try await sql.raw("""
                INSERT INTO policy_parameters (scope, year, poverty_line_fen, monitoring_threshold_fen, village_exit_limit_bp, source, updated_at)
                VALUES (\(bind: row.scope), \(bind: row.year), \(bind: row.povertyLineFen), \(bind: row.monitoringThresholdFen),
                        \(bind: row.villageExitLimitBp), \(bind: row.source), \(bind: Timestamp.now()))
                ON CONFLICT (scope, year) DO UPDATE SET poverty_line_fen = excluded.poverty_line_fen,
                    monitoring_threshold_fen = excluded.monitoring_threshold_fen, village_exit_limit_bp = excluded.village_exit_limit_bp,
                    source = excluded.source, version = policy_parameters.version + 1, updated_at = excluded.updated_at
                """).run()
            try await FiguresQuery.forgetCached(scope: row.scope, in: sql)
            try await AuditLog.record(before == nil ? .create : .update, entity: .policyParameters, key: "\(row.scope)/\(row.year)",
                                      before: before, after: row, by: actor, in: sql)
        }
    }

    /// Every row of the monitoring rules' and procedures' parameters, by name, scope and year.
    public func ruleRows() async throws -> [RuleParameterRow] {
        try await database.read { sql in
            try await sql.raw("SELECT scope, year, rule, value, source FROM monitoring_rule_parameters ORDER BY rule, scope, year")
                .all(decoding: RuleParameterRow.self)
        }
    }

    /// Adds the row of a name, scope and year, or replaces it (the scans, deadlines and figures after read the new value).
    /// Refused with the fields named: a name no rule reads, a value outside its unit's range, no source. Audited
    /// with before and after.
    public func saveRule(_ row: RuleParameterRow, by actor: AuditActor) async throws {
        let problems = row.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        var row = row
        row.source = row.source.trimmingCharacters(in: .whitespacesAndNewlines)
        try await database.transaction { [row] sql in
            let before = try await sql.raw("""
                SELECT scope, year, rule, value, source FROM monitoring_rule_parameters
                WHERE scope = \(bind: row.scope) AND year = \(bind: row.year) AND rule = \(bind: row.rule)
                """).first(decoding: RuleParameterRow.self)
            try await sql.raw("""
                INSERT INTO monitoring_rule_parameters (scope, year, rule, value, source, updated_at)
                VALUES (\(bind: row.scope), \(bind: row.year), \(bind: row.rule), \(bind: row.value), \(bind: row.source), \(bind: Timestamp.now()))
                ON CONFLICT (scope, year, rule) DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at
                """).run()
            try await FiguresQuery.forgetCached(scope: row.scope, in: sql)
            try await AuditLog.record(before == nil ? .create : .update, entity: .monitoringRuleParameters, key: "\(row.scope)/\(row.year)/\(row.rule)",
                                      before: before, after: row, by: actor, in: sql)
        }
    }
}
