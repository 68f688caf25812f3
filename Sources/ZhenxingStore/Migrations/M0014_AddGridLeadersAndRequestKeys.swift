import SQLKit

/// A grid's leader as an account (`grids.leader_user_id`): a grid leader writes only to the households of the grids
/// they lead. `request_keys`: the `Idempotency-Key` of an API write, kept in the same transaction as the write, so a
/// client that retries after a lost answer gets the first answer back instead of a second record.
enum M0014_AddGridLeadersAndRequestKeys {
    static let migration = Migration(version: 14, name: "AddGridLeadersAndRequestKeys") { dialect in
        [
            "ALTER TABLE grids ADD COLUMN leader_user_id BIGINT REFERENCES users (id)",
            "CREATE INDEX grids_by_leader ON grids (leader_user_id)",
            """
            CREATE TABLE request_keys (
                user_id BIGINT NOT NULL,
                request_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                status INTEGER,
                content_type TEXT,
                body \(dialect.bytesType),
                created_at TEXT NOT NULL,
                PRIMARY KEY (user_id, request_key)
            )
            """,
        ]
    }
}
