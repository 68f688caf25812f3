import SQLKit

/// Multi-row inserts for bulk writers (import, generator), in statements that stay under
/// PostgreSQL's 65,535 binds.
public enum BulkInsert {
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
