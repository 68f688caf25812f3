import Foundation
import SQLKit
import ZhenxingDomain

/// A helper as listed.
public struct HelperRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let name: String
    public let unit: String
    public let role: String
    public let phone: String
    public let activeFrom: String
    public let activeTo: String?
    public let households: Int

    enum CodingKeys: String, CodingKey {
        case id, name, unit, role, phone, households
        case villageCode = "village_code", activeFrom = "active_from", activeTo = "active_to"
    }
}

/// A helper's assignment to a household.
public struct HelperAssignment: Sendable, Hashable, Decodable {
    public let id: Int
    public let helperId: Int
    public let helperName: String
    public let helperUnit: String
    public let helperRole: String
    public let householdId: Int
    public let householdNumber: String
    public let headName: String?
    public let fromDate: String
    public let toDate: String?

    enum CodingKeys: String, CodingKey {
        case id
        case helperId = "helper_id", helperName = "helper_name", helperUnit = "helper_unit", helperRole = "helper_role"
        case householdId = "household_id", householdNumber = "household_number", headName = "head_name", fromDate = "from_date", toDate = "to_date"
    }
}

/// Helpers (帮扶责任人) and which households each is answerable for, over time.
public struct HelperRepository: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Registers a helper of a village; returns the id.
    public func create(_ draft: HelperDraft, village: DivisionCode, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.create(draft, village: village, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller).
    public static func create(_ draft: HelperDraft, village: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        // The account a helper signs in with must be one of this village's: binding another village's user would
        // take over what that user sees as "my households".
        if let username = draft.username, !username.isEmpty,
           try await sql.raw("SELECT division_code FROM users WHERE username = \(bind: username)")
            .first(decodingColumn: "division_code", as: String?.self) ?? nil != village.rawValue {
            throw ValidationFailure([FieldIssue(field: "username", message: LocalizedText(
                zh: "本村没有用户名为“\(username)”的账户", en: "No account of this village is called \(username)"))])
        }
        let id = try await BulkInsert.row(
            into: "helpers", columns: ["village_code", "name", "unit", "role", "phone", "active_from", "active_to", "username", "created_at"],
            values: [village.rawValue, draft.name, draft.unit, draft.role.rawValue, draft.phone, draft.from, draft.to, draft.username, Timestamp.now()],
            in: sql)
        try await AuditLog.record(.create, entity: .helper, key: String(id), division: village, after: ["name": draft.name, "unit": draft.unit], by: actor, in: sql)
        return id
    }

    /// Makes a helper answerable for a household from a date; a household outside the helper's village is refused.
    public func assign(helper: Int, household: Int, from date: String, by actor: AuditActor) async throws {
        guard Day.isValid(date) else {
            throw ValidationFailure([FieldIssue.notADay("from")])
        }
        try await database.transaction { sql in try await Self.assign(helper: helper, household: household, from: date, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction.
    public static func assign(helper: Int, household: Int, from date: String, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        guard let village = try await sql.raw("SELECT village_code FROM helpers WHERE id = \(bind: helper)").first(decodingColumn: "village_code", as: String.self) else {
            throw ValidationFailure([FieldIssue(field: "helper", message: LocalizedText(zh: "没有这位帮扶责任人", en: "No such helper"))])
        }
        guard try await sql.raw("SELECT village_code FROM households WHERE id = \(bind: household)").first(decodingColumn: "village_code", as: String.self) == village else {
            throw ValidationFailure([FieldIssue(field: "helper", message: LocalizedText(
                zh: "这位帮扶责任人不在本户所在的村，不能结对", en: "The helper works for another village and cannot help this household"))])
        }
        if try await sql.raw("""
            SELECT id FROM helper_assignments WHERE helper_id = \(bind: helper) AND household_id = \(bind: household) AND to_date IS NULL
            """).first(decodingColumn: "id", as: Int.self) != nil {
            throw ValidationFailure([FieldIssue(field: "helper", message: LocalizedText(zh: "已在帮扶本户", en: "Already helping this household"))])
        }
        try await sql.raw("""
            INSERT INTO helper_assignments (helper_id, household_id, from_date) VALUES (\(bind: helper), \(bind: household), \(bind: date))
            """).run()
        try await AuditLog.record(.create, entity: .helperAssignment, key: "\(helper)/\(household)", division: try? DivisionCode(validating: village),
                                  after: ["from": date], by: actor, in: sql)
    }

    /// Ends an assignment on a date (the history keeps it).
    public func end(assignment: Int, household: Int, on date: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            struct Row: Decodable { let fromDate: String; enum CodingKeys: String, CodingKey { case fromDate = "from_date" } }
            guard let row = try await sql.raw("""
                SELECT from_date FROM helper_assignments WHERE id = \(bind: assignment) AND household_id = \(bind: household) AND to_date IS NULL
                """).first(decoding: Row.self) else { throw StoreError.notFound("assignment \(assignment)") }
            guard Day.isValid(date), date >= row.fromDate else {
                throw ValidationFailure([FieldIssue(field: "to", message: LocalizedText(zh: "结束日期不能早于开始日期", en: "The end cannot be before the start"))])
            }
            try await sql.raw("UPDATE helper_assignments SET to_date = \(bind: date) WHERE id = \(bind: assignment)").run()
            try await AuditLog.record(.update, entity: .helperAssignment, key: String(assignment), after: ["to": date], by: actor, in: sql)
        }
    }

    /// Undoes the end of an assignment: it runs on as if never ended, unless the helper has been paired with the household again since.
    public func resume(assignment: Int, household: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let ended = try await Self.endedAssignment(assignment, household: household, in: sql) else {
                throw ValidationFailure([FieldIssue(field: "assignment", message: LocalizedText(
                    zh: "这项结对没有结束，或已重新结对", en: "This pairing has not ended, or the helper was paired again"))])
            }
            try await sql.raw("UPDATE helper_assignments SET to_date = NULL WHERE id = \(bind: assignment)").run()
            try await AuditLog.record(.update, entity: .helperAssignment, key: String(assignment), before: ["to": ended.toDate], after: ["to": String?.none],
                                      by: actor, in: sql)
        }
    }

    /// An ended assignment of the household, with the helper's name, whose helper is not paired with the household now: the one an undo may resume.
    public func endedAssignment(_ assignment: Int, household: Int) async throws -> (helperName: String, toDate: String)? {
        try await database.read { sql in try await Self.endedAssignment(assignment, household: household, in: sql) }
    }

    private static func endedAssignment(_ assignment: Int, household: Int, in sql: any SQLDatabase) async throws -> (helperName: String, toDate: String)? {
        struct Row: Decodable { let name: String; let toDate: String }
        return try await sql.raw("""
            SELECT p.name, a.to_date AS "toDate" FROM helper_assignments a JOIN helpers p ON p.id = a.helper_id
            WHERE a.id = \(bind: assignment) AND a.household_id = \(bind: household) AND a.to_date IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM helper_assignments o WHERE o.helper_id = a.helper_id AND o.household_id = a.household_id AND o.to_date IS NULL)
            """).first(decoding: Row.self).map { ($0.name, $0.toDate) }
    }

    /// Helpers of a division with the households each helps today.
    public func helpers(in division: DivisionCode) async throws -> [HelperRow] {
        try await helperRows("\(division.covers("h.village_code"))")
    }

    private func helperRows(_ condition: SQLQueryString) async throws -> [HelperRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT h.id, h.village_code, h.name, h.unit, h.role, h.phone, h.active_from, h.active_to,
                       (SELECT count(*) FROM helper_assignments a WHERE a.helper_id = h.id AND a.to_date IS NULL) AS households
                FROM helpers h WHERE \(condition) ORDER BY h.village_code, h.id
                """).all(decoding: HelperRow.self)
        }
    }

    /// One helper.
    public func helper(_ id: Int) async throws -> HelperRow {
        guard let row = try await helperRows("h.id = \(bind: id)").first else { throw StoreError.notFound("helper \(id)") }
        return row
    }

    /// The names of the helpers paired now with each of `households`, by household, in the order they were paired.
    public func currentHelpers(of households: [Int]) async throws -> [Int: [String]] {
        guard !households.isEmpty else { return [:] }
        struct Row: Decodable { let householdId: Int; let name: String }
        let rows = try await database.read { sql in
            try await sql.raw("""
                SELECT a.household_id AS "householdId", p.name FROM helper_assignments a JOIN helpers p ON p.id = a.helper_id
                WHERE a.household_id IN (\(binds: Array(Set(households)))) AND a.to_date IS NULL ORDER BY a.from_date, a.id
                """).all(decoding: Row.self)
        }
        return Dictionary(grouping: rows, by: \.householdId).mapValues { $0.map(\.name) }
    }

    /// The assignments of a helper (current first) or of a household.
    public func assignments(helper: Int? = nil, household: Int? = nil) async throws -> [HelperAssignment] {
        let condition: SQLQueryString = helper.map { "a.helper_id = \(bind: $0)" } ?? "a.household_id = \(bind: household ?? 0)"
        return try await database.read { sql in
            try await sql.raw("""
                SELECT a.id, a.helper_id, p.name AS helper_name, p.unit AS helper_unit, p.role AS helper_role, a.household_id, h.number AS household_number,
                       (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                        WHERE m.household_id = h.id AND m.relation = 'head' AND m.to_date IS NULL LIMIT 1) AS head_name,
                       a.from_date, a.to_date
                FROM helper_assignments a JOIN helpers p ON p.id = a.helper_id JOIN households h ON h.id = a.household_id
                WHERE \(condition) ORDER BY CASE WHEN a.to_date IS NULL THEN 0 ELSE 1 END, h.number, a.from_date DESC
                """).all(decoding: HelperAssignment.self)
        }
    }

    /// The helper record of a user, for the "my households" page.
    public func helper(username: String) async throws -> Int? {
        try await database.read { sql in
            try await sql.raw("SELECT id FROM helpers WHERE username = \(bind: username) ORDER BY id DESC LIMIT 1").first(decodingColumn: "id", as: Int.self)
        }
    }

    /// The village of a helper, nil when there is none.
    public func village(ofHelper id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM helpers WHERE id = \(bind: id)")
    }

    /// Removes the helpers of a village and their assignments (demo refresh only).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        let helpers: SQLQueryString = "SELECT id FROM helpers WHERE village_code = \(bind: village.rawValue)"
        try await sql.raw("UPDATE visits SET helper_id = NULL WHERE helper_id IN (\(helpers))").run()
        try await sql.raw("DELETE FROM helper_assignments WHERE helper_id IN (\(helpers))").run()
        try await sql.raw("DELETE FROM helpers WHERE village_code = \(bind: village.rawValue)").run()
    }
}
