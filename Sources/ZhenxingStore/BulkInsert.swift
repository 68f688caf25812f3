import SQLKit

/// Multi-row inserts for bulk writers (import, generator), in statements that stay under
/// PostgreSQL's 65,535 binds.
public enum BulkInsert {
    /// Inserts one row and returns its id (RETURNING works on both engines).
    public static func row(into table: String, columns: [String], values: [any Encodable & Sendable], in sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            INSERT INTO \(ident: table) (\(idents: columns, joinedBy: ", ")) VALUES (\(SQLList(values.map { SQLBind($0) }))) RETURNING id
            """).first(decodingColumn: "id", as: Int.self)!
    }

    /// Inserts `rows` (each with one value per column) into `table`; with `upsertingOn`, a row whose key (those
    /// columns, a unique key of the table) is stored already replaces the stored row's other columns.
    public static func rows(_ rows: [[any Encodable & Sendable]], into table: String, columns: [String], upsertingOn key: [String] = [],
                            in sql: any SQLDatabase) async throws {
        let perChunk = max(1, 60_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perChunk, rows.count)]
            let values = SQLList(chunk.map { row in SQLGroupExpression(SQLList(row.map { SQLBind($0) })) })
            var statement: SQLQueryString = "INSERT INTO \(ident: table) (\(idents: columns, joinedBy: ", ")) VALUES \(values)"
            if !key.isEmpty {
                let updates = columns.filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                statement = statement + " ON CONFLICT (\(idents: key, joinedBy: ", ")) DO UPDATE SET \(unsafeRaw: updates)"
            }
            try await sql.raw(statement).run()
            start += perChunk
        }
    }
}
