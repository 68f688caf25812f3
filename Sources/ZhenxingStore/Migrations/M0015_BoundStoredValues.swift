import SQLKit
import ZhenxingDomain

/// Brings every database to the same schema and the same bounds:
/// - Amounts stored before every field had its range (`FieldIssue.money`) are brought into it, so no sum over
///   stored amounts overflows a 64-bit total on either engine (an amount of 2^62 once stopped every later read).
/// - M0013 was edited after it landed to drop M0012's PostgreSQL index; a database migrated with the first text of
///   M0013 still has that index. Dropping it here (if present) makes both kinds of database alike.
enum M0015_BoundStoredValues {
    /// The money columns, by table.
    static let amounts: [(table: String, columns: [String])] = [
        ("assessments", ["wages", "production", "property", "transfers", "production_costs"]),
        ("measures", ["amount_fen"]),
        ("project_investments", ["amount_fen"]),
        ("land_contracts", ["rent_fen_per_year"]),
        ("project_returns", ["income_fen", "dividends_fen"]),
        ("sales_agreements", ["amount_fen"]),
        ("collective_income", ["amount_fen"]),
    ]

    static let migration = Migration(version: 15, name: "BoundStoredValues") { dialect in
        let most = FieldIssue.money.upperBound
        var statements: [SQLQueryString] = amounts.flatMap { table, columns in
            columns.map { column in
                "UPDATE \(ident: table) SET \(ident: column) = \(unsafeRaw: String(most)) WHERE \(ident: column) > \(unsafeRaw: String(most))"
            }
        }
        if dialect.engine == .postgres { statements.append("DROP INDEX IF EXISTS households_by_village_prefix") }
        return statements
    }
}
