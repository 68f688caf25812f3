import SQLKit

/// Governance: grids with their party groups and households, meetings (一会四题) with attendees,
/// ideas and decisions, the issue ledger with its timeline, and the yearly target and four lists (一标四单).
enum M0006_AddGovernance {
    static let migration = Migration(version: 6, name: "AddGovernance") { dialect in
        [
            """
            CREATE TABLE grids (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                name TEXT NOT NULL,
                leader TEXT NOT NULL,
                party_group TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (village_code, name)
            )
            """,
            """
            CREATE TABLE grid_households (
                household_id BIGINT PRIMARY KEY REFERENCES households (id),
                grid_id BIGINT NOT NULL REFERENCES grids (id)
            )
            """,
            "CREATE INDEX grid_households_by_grid ON grid_households (grid_id)",
            """
            CREATE TABLE grid_party_members (
                grid_id BIGINT NOT NULL REFERENCES grids (id),
                person_id BIGINT NOT NULL REFERENCES people (id),
                role TEXT NOT NULL,
                PRIMARY KEY (grid_id, person_id)
            )
            """,
            """
            CREATE TABLE meetings (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                kind TEXT NOT NULL CHECK (kind IN ('regular', 'joint', 'party_day', 'push', 'forum')),
                title TEXT NOT NULL,
                held_on TEXT NOT NULL,
                place TEXT NOT NULL,
                chair TEXT NOT NULL,
                study TEXT NOT NULL,
                theme TEXT NOT NULL,
                topic TEXT NOT NULL,
                cases TEXT NOT NULL,
                organisations TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX meetings_by_village ON meetings (village_code, held_on)",
            """
            CREATE TABLE meeting_attendees (
                meeting_id BIGINT NOT NULL REFERENCES meetings (id),
                person_id BIGINT NOT NULL REFERENCES people (id),
                PRIMARY KEY (meeting_id, person_id)
            )
            """,
            """
            CREATE TABLE meeting_outcomes (
                \(dialect.idColumn),
                meeting_id BIGINT NOT NULL REFERENCES meetings (id),
                kind TEXT NOT NULL CHECK (kind IN ('idea', 'decision')),
                text TEXT NOT NULL,
                owner TEXT,
                deadline TEXT
            )
            """,
            "CREATE INDEX meeting_outcomes_by_meeting ON meeting_outcomes (meeting_id)",
            """
            CREATE TABLE issues (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('household', 'visit', 'meeting', 'grid', 'hotline', 'other')),
                raised_by TEXT NOT NULL,
                household_id BIGINT REFERENCES households (id),
                grid_id BIGINT REFERENCES grids (id),
                meeting_id BIGINT REFERENCES meetings (id),
                category TEXT NOT NULL,
                raised_on TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('collected', 'solved', 'referred', 'assigned', 'in_progress', 'closed', 'rejected')),
                owner TEXT,
                deadline TEXT,
                result TEXT,
                evidence TEXT,
                finished_on TEXT,
                version INTEGER NOT NULL,
                CHECK (deadline IS NULL OR deadline >= raised_on)
            )
            """,
            "CREATE INDEX issues_by_village ON issues (village_code, state, deadline)",
            "CREATE INDEX issues_by_household ON issues (household_id)",
            """
            CREATE TABLE issue_events (
                \(dialect.idColumn),
                issue_id BIGINT NOT NULL REFERENCES issues (id),
                happened_on TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                response TEXT NOT NULL,
                owner TEXT,
                deadline TEXT,
                result TEXT,
                evidence TEXT,
                meeting_id BIGINT REFERENCES meetings (id),
                recorded_by TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX issue_events_by_issue ON issue_events (issue_id, id)",
            "CREATE INDEX issue_events_by_meeting ON issue_events (meeting_id)",
            """
            CREATE TABLE list_targets (
                village_code TEXT NOT NULL REFERENCES divisions (code),
                year INTEGER NOT NULL,
                target TEXT NOT NULL,
                PRIMARY KEY (village_code, year)
            )
            """,
            """
            CREATE TABLE list_items (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                year INTEGER NOT NULL,
                list TEXT NOT NULL CHECK (list IN ('problems', 'resources', 'needs', 'projects')),
                title TEXT NOT NULL,
                owner TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
                note TEXT NOT NULL,
                issue_id BIGINT REFERENCES issues (id),
                meeting_id BIGINT REFERENCES meetings (id)
            )
            """,
            "CREATE INDEX list_items_by_village ON list_items (village_code, year, list)",
        ]
    }
}
