import Foundation
import SQLKit
import ZhenxingDomain

/// A visit as stored.
public struct Visit: Sendable, Hashable, Decodable {
    public let id: Int
    public let householdId: Int
    public let householdNumber: String
    public let visitedOn: String
    public let visitor: String
    public let seen: String
    public let promised: String
    public let followUpOn: String?
    public let followedUpOn: String?

    enum CodingKeys: String, CodingKey {
        case id, visitor, seen, promised
        case householdId = "household_id", householdNumber = "household_number", visitedOn = "visited_on", followUpOn = "follow_up_on"
        case followedUpOn = "followed_up_on"
    }

    /// Where its promise stands on `today`.
    public func followUp(on today: String) -> FollowUpState? {
        FollowUpState(due: followUpOn, done: followedUpOn, today: today)
    }
}

/// Visits to households and their follow-ups.
public struct VisitRepository: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records a visit; a date in the future or a follow-up before the visit is refused.
    public func add(_ draft: VisitDraft, household: Int, today: String, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems(today: today, isDay: Timestamp.isDay)
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.add(draft, household: household, by: actor, in: sql) }
    }

    /// Records a visit inside the caller's transaction (checked by the caller).
    public static func add(_ draft: VisitDraft, household: Int, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        guard let village = try await sql.raw("SELECT village_code FROM households WHERE id = \(bind: household)")
            .first(decodingColumn: "village_code", as: String.self) else { throw StoreError.notFound("household \(household)") }
        let id = try await BulkInsert.row(
            into: "visits", columns: ["household_id", "visited_on", "visitor", "seen", "promised", "follow_up_on", "recorded_by", "recorded_at"],
            values: [household, draft.date, draft.visitor, draft.seen, draft.promised, draft.followUp, actor.username, Timestamp.now()], in: sql)
        try await AuditLog.record(.create, entity: "visit", key: String(id), division: try? DivisionCode(validating: village), after: draft, by: actor, in: sql)
        return id
    }

    /// Marks a visit's promise as followed up on `date`.
    public func followedUp(_ visit: Int, household: Int, on date: String, by actor: AuditActor) async throws {
        guard Timestamp.isDay(date) else {
            throw ValidationFailure([FieldIssue.notADay("date")])
        }
        try await database.transaction { sql in
            guard try await sql.raw("SELECT id FROM visits WHERE id = \(bind: visit) AND household_id = \(bind: household)")
                .first(decodingColumn: "id", as: Int.self) != nil else { throw StoreError.notFound("visit \(visit)") }
            try await sql.raw("UPDATE visits SET followed_up_on = \(bind: date) WHERE id = \(bind: visit)").run()
            try await AuditLog.record(.update, entity: "visit", key: String(visit), after: ["followed_up_on": date], by: actor, in: sql)
        }
    }

    /// A household's visits, newest first.
    public func visits(ofHousehold household: Int) async throws -> [Visit] {
        try await select("v.household_id = \(bind: household)", limit: 1_000)
    }

    /// The promises overdue on `today` at the households a helper is answerable for now.
    public func overdue(forHelper helper: Int, today: String) async throws -> [Visit] {
        try await select("""
            v.household_id IN (SELECT household_id FROM helper_assignments WHERE helper_id = \(bind: helper) AND to_date IS NULL)
              AND v.follow_up_on < \(bind: today) AND v.followed_up_on IS NULL
            """, limit: 500)
    }

    /// The latest visits to the households of a grid.
    public func recent(inGrid grid: Int, limit: Int = 20) async throws -> [Visit] {
        try await select("v.household_id IN (SELECT household_id FROM grid_households WHERE grid_id = \(bind: grid))", limit: limit)
    }

    /// Visits in a division (any level) in a year, and the promises not followed up past their date at the year's end.
    public func figures(_ division: DivisionCode, year: Int) async throws -> (visits: Int, overdueFollowUps: Int) {
        let prefix = division.prefix + "%", last = "\(year)-12-31"
        return try await database.read { sql in
            let visits = try await sql.raw("""
                SELECT count(*) AS n FROM visits v JOIN households h ON h.id = v.household_id
                WHERE h.village_code LIKE \(bind: prefix) AND v.visited_on BETWEEN \(bind: "\(year)-01-01") AND \(bind: last)
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            let overdue = try await sql.raw("""
                SELECT count(*) AS n FROM visits v JOIN households h ON h.id = v.household_id
                WHERE h.village_code LIKE \(bind: prefix) AND v.follow_up_on < \(bind: last) AND v.visited_on <= \(bind: last)
                  AND (v.followed_up_on IS NULL OR v.followed_up_on > \(bind: last))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return (visits, overdue)
        }
    }

    private func select(_ condition: SQLQueryString, limit: Int) async throws -> [Visit] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT v.id, v.household_id, h.number AS household_number, v.visited_on, v.visitor, v.seen, v.promised, v.follow_up_on, v.followed_up_on
                FROM visits v JOIN households h ON h.id = v.household_id WHERE \(condition)
                ORDER BY v.visited_on DESC, v.id DESC LIMIT \(literal: limit)
                """).all(decoding: Visit.self)
        }
    }
}
