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

    /// Inserts `rows` (each with one value per column) into `table`.
    public static func rows(_ rows: [[any Encodable & Sendable]], into table: String, columns: [String], in sql: any SQLDatabase) async throws {
        let perChunk = max(1, 60_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perChunk, rows.count)]
            let values = SQLList(chunk.map { row in SQLGroupExpression(SQLList(row.map { SQLBind($0) })) })
            try await sql.raw("INSERT INTO \(ident: table) (\(idents: columns, joinedBy: ", ")) VALUES \(values)").run()
            start += perChunk
        }
    }
}
