import Foundation
import SQLKit
import ZhenxingDomain

/// The households a piece of field work covers.
public enum WorkScope: Sendable, Hashable {
    /// Those a helper (帮扶责任人) is paired with now.
    case helper(Int)
    /// In a village, those paired now with the helper registered under the account's user name, and those in the
    /// grids the account leads.
    case account(userID: Int, username: String, village: DivisionCode)
    /// Every household of a village not closed.
    case village(DivisionCode)

    /// A subquery of the ids of the households, in a column `household_id`.
    var households: SQLQueryString {
        switch self {
        case .helper(let id):
            "SELECT household_id FROM helper_assignments WHERE helper_id = \(bind: id) AND to_date IS NULL"
        case .account(let userID, let username, let village):
            """
            SELECT a.household_id FROM helper_assignments a JOIN helpers p ON p.id = a.helper_id
            WHERE p.username = \(bind: username) AND p.village_code = \(bind: village.rawValue) AND a.to_date IS NULL
            UNION SELECT gh.household_id FROM grid_households gh JOIN grids g ON g.id = gh.grid_id
            WHERE g.leader_user_id = \(bind: userID) AND g.village_code = \(bind: village.rawValue)
            """
        case .village(let village):
            "SELECT id AS household_id FROM households WHERE village_code = \(bind: village.rawValue) AND closed_on IS NULL"
        }
    }
}

/// A household on someone's work list, with when it was last visited.
public struct WorkHousehold: Sendable, Hashable, Decodable {
    public let id: Int
    public let number: String
    public let headName: String?
    /// The day of the latest visit, nil when it was never visited.
    public let lastVisit: String?
}

/// The households of a work scope, those visited longest ago first.
public struct WorkRepository: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The open households of `scope`, never visited first, then by the day of their latest visit: at most `limit` of
    /// them, and how many there are.
    public func households(in scope: WorkScope, limit: Int) async throws -> (households: [WorkHousehold], total: Int) {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT * FROM (
                    SELECT h.id, h.number,
                           (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                            WHERE m.household_id = h.id AND m.relation = 'head' AND m.to_date IS NULL LIMIT 1) AS "headName",
                           (SELECT max(v.visited_on) FROM visits v WHERE v.household_id = h.id) AS "lastVisit"
                    FROM households h WHERE h.id IN (\(scope.households)) AND h.closed_on IS NULL
                ) w ORDER BY w."lastVisit" IS NOT NULL, w."lastVisit", w.number LIMIT \(literal: limit)
                """).all(decoding: WorkHousehold.self)
            let total = try await sql.raw("""
                SELECT count(*) AS n FROM households h WHERE h.id IN (\(scope.households)) AND h.closed_on IS NULL
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return (rows, total)
        }
    }

    /// The ids of every household of `scope`, closed or not: to pick a village's issues and warnings that are its.
    public func householdIDs(in scope: WorkScope) async throws -> Set<Int> {
        try await database.read { sql in
            Set(try await sql.raw(scope.households).all(decodingColumn: "household_id", as: Int.self))
        }
    }
}
