import SQLKit

/// Helpers (帮扶责任人) and their dated assignments to households.
enum M0009_AddHelpers {
    static let migration = Migration(version: 9, name: "AddHelpers") { dialect in
        [
            """
            CREATE TABLE helpers (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                name TEXT NOT NULL,
                unit TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('first_secretary', 'team_member', 'village_cadre', 'paired_helper')),
                phone TEXT NOT NULL,
                active_from TEXT NOT NULL,
                active_to TEXT,
                username TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX helpers_by_village ON helpers (village_code)",
            "CREATE INDEX helpers_by_username ON helpers (username)",
            """
            CREATE TABLE helper_assignments (
                \(dialect.idColumn),
                helper_id BIGINT NOT NULL REFERENCES helpers (id),
                household_id BIGINT NOT NULL REFERENCES households (id),
                from_date TEXT NOT NULL,
                to_date TEXT,
                CHECK (to_date IS NULL OR to_date >= from_date)
            )
            """,
            "CREATE INDEX helper_assignments_by_helper ON helper_assignments (helper_id)",
            "CREATE INDEX helper_assignments_by_household ON helper_assignments (household_id)",
        ]
    }
}
