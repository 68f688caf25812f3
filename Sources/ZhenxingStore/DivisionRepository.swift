import SQLKit
import ZhenxingDomain

/// A division as listed, with how many divisions lie directly under it.
public struct DivisionSummary: Sendable, Hashable {
    /// The division.
    public let division: Division
    /// Its direct children.
    public let childCount: Int
}

/// Reads and writes the `divisions` table.
public struct DivisionRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    private struct Row: Decodable {
        let code: String
        let name: String
        let childCount: Int?

        func summary() throws -> DivisionSummary {
            DivisionSummary(
                division: try Division(code: DivisionCode(validating: code), name: name),
                childCount: childCount ?? 0)
        }
    }

    /// The divisions directly under `parent`, or the provinces when nil, in code order.
    public func children(of parent: DivisionCode?) async throws -> [DivisionSummary] {
        try await database.read { sql in
            let filter: SQLQueryString = parent.map { "d.parent_code = \(bind: $0.rawValue)" } ?? "d.parent_code IS NULL"
            return try await sql.raw("""
                SELECT d.code, d.name,
                       (SELECT count(*) FROM divisions c WHERE c.parent_code = d.code) AS child_count
                FROM divisions d WHERE \(filter) ORDER BY d.code
                """).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.summary() }
        }
    }

    /// The division with this code, or nil.
    public func find(_ code: DivisionCode) async throws -> Division? {
        try await database.read { sql in try await Self.find(code, in: sql) }
    }

    /// The divisions from the province down to `code` (inclusive) that exist.
    public func chain(_ code: DivisionCode) async throws -> [Division] {
        let codes = code.chain.map(\.rawValue)
        return try await database.read { sql in
            try await sql.raw("SELECT code, name FROM divisions WHERE code IN (\(binds: codes)) ORDER BY code")
                .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.summary().division }
        }
    }

    /// The names of `codes` that exist, by code.
    public func names(_ codes: [DivisionCode]) async throws -> [DivisionCode: String] {
        guard !codes.isEmpty else { return [:] }
        let rows = try await database.read { sql in
            try await sql.raw("SELECT code, name FROM divisions WHERE code IN (\(binds: Array(Set(codes.map(\.rawValue)))))")
                .all(decoding: Row.self).map { try $0.summary().division }
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0.name) })
    }

    /// Inserts a division or renames an existing one; its parent must already exist.
    public static func save(_ division: Division, in sql: any SQLDatabase) async throws {
        if let parent = division.parentCode, try await find(parent, in: sql) == nil {
            throw ValidationFailure([FieldIssue(field: "code", message: LocalizedText(
                zh: "上级区划 \(parent) 不存在", en: "The parent division \(parent) does not exist"))])
        }
        let now = Timestamp.now()
        try await sql.raw("""
            INSERT INTO divisions (code, name, level, parent_code, created_at, updated_at)
            VALUES (\(bind: division.code.rawValue), \(bind: division.name), \(bind: division.level.rawValue),
                    \(bind: division.parentCode?.rawValue), \(bind: now), \(bind: now))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
            """).run()
    }

    static func find(_ code: DivisionCode, in sql: any SQLDatabase) async throws -> Division? {
        try await sql.raw("SELECT code, name FROM divisions WHERE code = \(bind: code.rawValue)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)?.summary().division
    }
}

extension Database {
    /// The village a query's one row names in its `village_code` column, nil without a row: how a record is traced to
    /// the village that decides who may see it.
    public func villageCode(_ query: SQLQueryString) async throws -> DivisionCode? {
        try await read { sql in
            try await sql.raw(query).first(decodingColumn: "village_code", as: String.self).map { try DivisionCode(validating: $0) }
        }
    }
}

extension DivisionCode {
    /// `column` holds the code of this division or of one below it: a range of the twelve digits, which a B-tree index on
    /// the column answers on both engines whatever the collation (`LIKE 'prefix%'` would need the C collation or
    /// `text_pattern_ops` on PostgreSQL).
    public func covers(_ column: String) -> SQLQueryString {
        let digits = prefix
        return """
            \(unsafeRaw: column) BETWEEN \(bind: digits.padding(toLength: 12, withPad: "0", startingAt: 0)) \
            AND \(bind: digits.padding(toLength: 12, withPad: "9", startingAt: 0))
            """
    }
}

/// Where a list ordered newest first (by a date, then id, both descending) goes on: the last row of the page before.
public struct NewestFirst: Sendable, Hashable {
    public let date: String
    public let id: Int

    public init(date: String, id: Int) {
        self.date = date
        self.id = id
    }

    /// The rows after this one in that order.
    func condition(date column: String, id idColumn: String) -> SQLQueryString {
        "(\(unsafeRaw: column), \(unsafeRaw: idColumn)) < (\(bind: date), \(bind: id))"
    }
}
