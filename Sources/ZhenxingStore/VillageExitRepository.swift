import SQLKit
import ZhenxingDomain

/// Villages' exits from the poor-village list (贫困村出列), recorded as decided once the year's figures allow it.
public struct VillageExitRepository: Sendable {
    private let database: Database
    private let figures: FiguresQuery

    /// Creates a repository over a database; `figures` gives the year's exit check.
    public init(database: Database, figures: FiguresQuery) {
        self.database = database
        self.figures = figures
    }

    /// The village's exit, nil when none is recorded.
    public func exit(of village: DivisionCode) async throws -> VillageExitDecision? {
        try await database.read { sql in try await Self.exits(in: village, sql).first }
    }

    /// Records the village's exit, decided on `decision.decidedOn`, `today` being the current day: once per village,
    /// when the year's figures meet the exit limit or the decision says why it was taken anyway. Audited.
    public func record(_ decision: VillageExitDecision, village: DivisionCode, today: String, by actor: AuditActor) async throws {
        guard village.level == .village else {
            throw ValidationFailure([FieldIssue(field: "village", message: LocalizedText(zh: "只有村才能出列", en: "Only a village exits the poor-village list"))])
        }
        var problems = decision.problems(today: today)
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let check = try await figures.document(village, year: decision.year).villageExit
        problems = ExitRules.villageExitProblems(year: decision.year, eligible: check?.eligible, override: decision.override)
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await database.transaction { sql in
            if let earlier = try await Self.exits(in: village, sql).first {
                throw ValidationFailure([FieldIssue(field: "decidedOn", message: LocalizedText(
                    zh: "本村已于 \(earlier.decidedOn) 出列（\(earlier.decidedBy)），不能再次登记",
                    en: "The village exited on \(earlier.decidedOn) (\(earlier.decidedBy)); it cannot be recorded again"))])
            }
            try await sql.raw("""
                INSERT INTO village_exits (village_code, decided_on, decided_by, document, override_reason, recorded_by, created_at)
                VALUES (\(bind: village.rawValue), \(bind: decision.decidedOn), \(bind: decision.decidedBy), \(bind: decision.document),
                        \(bind: decision.override), \(bind: actor.username), \(bind: Timestamp.now()))
                """).run()
            try await AuditLog.record(.statusChange, entity: .villageExit, key: village.rawValue, division: village, after: decision, by: actor, in: sql)
        }
    }

    /// Removes the village's exit (demo refresh only; the audit log keeps its entry).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM village_exits WHERE village_code = \(bind: village.rawValue)").run()
    }

    /// The exits recorded for the villages of `division`, by village.
    static func exits(in division: DivisionCode, _ sql: any SQLDatabase) async throws -> [VillageExitDecision] {
        try await sql.raw("""
            SELECT decided_on, decided_by, document, override_reason AS override FROM village_exits
            WHERE \(division.covers("village_code")) ORDER BY village_code
            """).all(decoding: VillageExitDecision.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
