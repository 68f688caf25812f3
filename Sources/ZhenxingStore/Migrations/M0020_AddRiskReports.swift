import SQLKit

/// Signals reported by people (a household's own report, a cadre's visit) keep who reported them and the spending and
/// income figures the report gave.
enum M0020_AddRiskReports {
    static let migration = Migration(version: 20, name: "AddRiskReports") { _ in
        [
            "ALTER TABLE monitoring_signals ADD COLUMN reported_by TEXT",
            "ALTER TABLE monitoring_signals ADD COLUMN spending_fen BIGINT CHECK (spending_fen IS NULL OR spending_fen >= 0)",
            "ALTER TABLE monitoring_signals ADD COLUMN income_fen BIGINT CHECK (income_fen IS NULL OR income_fen >= 0)",
        ]
    }
}
