import SQLKit

/// Visits to households (走访): who, when, what was seen, what was promised, and the follow-up.
enum M0007_AddVisits {
    static let migration = Migration(version: 7, name: "AddVisits") { dialect in
        [
            """
            CREATE TABLE visits (
                \(dialect.idColumn),
                household_id BIGINT NOT NULL REFERENCES households (id),
                visited_on TEXT NOT NULL,
                visitor TEXT NOT NULL,
                seen TEXT NOT NULL,
                promised TEXT NOT NULL,
                follow_up_on TEXT,
                followed_up_on TEXT,
                recorded_by TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                CHECK (follow_up_on IS NULL OR follow_up_on >= visited_on)
            )
            """,
            "CREATE INDEX visits_by_household ON visits (household_id, visited_on)",
            "CREATE INDEX visits_by_follow_up ON visits (follow_up_on)",
        ]
    }
}
