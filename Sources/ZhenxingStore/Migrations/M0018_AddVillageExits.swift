import SQLKit

/// `village_exits`: a village's exit from the poor-village list (出列) as decided — the day, who decided, the document,
/// and why when the year's incidence did not meet the limit — once per village, with who recorded it.
enum M0018_AddVillageExits {
    static let migration = Migration(version: 18, name: "AddVillageExits") { _ in
        [
            """
            CREATE TABLE village_exits (
                village_code TEXT PRIMARY KEY REFERENCES divisions (code),
                decided_on TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                document TEXT NOT NULL,
                override_reason TEXT,
                recorded_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
        ]
    }
}
