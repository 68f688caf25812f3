import SQLKit

/// Assistance plans (一户一策): one plan per household and year, versioned — a change writes a new
/// version with all its measures, and earlier versions stay.
enum M0008_AddPlans {
    static let migration = Migration(version: 8, name: "AddPlans") { dialect in
        [
            """
            CREATE TABLE plans (
                \(dialect.idColumn),
                household_id BIGINT NOT NULL REFERENCES households (id),
                year INTEGER NOT NULL,
                version INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (household_id, year, version)
            )
            """,
            """
            CREATE TABLE measures (
                \(dialect.idColumn),
                plan_id BIGINT NOT NULL REFERENCES plans (id),
                category TEXT NOT NULL,
                content TEXT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
                funding TEXT NOT NULL,
                start_on TEXT NOT NULL,
                end_on TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'stopped')),
                result TEXT NOT NULL,
                CHECK (end_on >= start_on)
            )
            """,
            "CREATE INDEX measures_by_plan ON measures (plan_id)",
        ]
    }
}
