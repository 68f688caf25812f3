import SQLKit

/// Users, sessions, sign-in throttling, API tokens and the append-only audit log.
enum M0002_AddAccessControl {
    static let migration = Migration(version: 2, name: "AddAccessControl") { dialect in
        var statements: [SQLQueryString] = [
            """
            CREATE TABLE users (
                \(dialect.idColumn),
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                phone TEXT NOT NULL,
                unit TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('administrator', 'officer', 'village_cadre', 'grid_leader', 'viewer')),
                division_code TEXT REFERENCES divisions (code),
                password_hash TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                CHECK (division_code IS NOT NULL OR role = 'administrator')
            )
            """,
            "CREATE INDEX users_by_division ON users (division_code)",
            """
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                address TEXT NOT NULL
            )
            """,
            "CREATE INDEX sessions_by_user ON sessions (user_id)",
            """
            CREATE TABLE sign_in_throttle (
                key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                locked_until TEXT,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE api_tokens (
                \(dialect.idColumn),
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                user_id BIGINT NOT NULL REFERENCES users (id),
                role TEXT NOT NULL,
                division_code TEXT REFERENCES divisions (code),
                created_at TEXT NOT NULL,
                revoked_at TEXT,
                last_used_at TEXT
            )
            """,
            """
            CREATE TABLE audit_log (
                \(dialect.idColumn),
                at TEXT NOT NULL,
                user_id BIGINT,
                username TEXT NOT NULL,
                action TEXT NOT NULL,
                entity TEXT NOT NULL,
                entity_key TEXT NOT NULL,
                division_code TEXT,
                before_json TEXT,
                after_json TEXT,
                address TEXT NOT NULL,
                request_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_by_user ON audit_log (username, id)",
            "CREATE INDEX audit_log_by_action ON audit_log (action, id)",
        ]
        // The audit log is append-only for everyone, the product included.
        switch dialect.engine {
        case .sqlite:
            statements += [
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            ]
        case .postgres:
            statements += [
                """
                CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$
                """,
                """
                CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
                """,
            ]
        }
        return statements
    }
}
