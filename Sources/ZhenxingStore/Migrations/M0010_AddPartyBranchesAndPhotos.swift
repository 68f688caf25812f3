import SQLKit

/// The party organisation of a village over time (members counted from a date until a date, villagers or members of
/// the stationed teams and partner organisations), its specialised branches with their members and the households
/// each looks after; photos as evidence of visits, and the helper who made a visit.
enum M0010_AddPartyBranchesAndPhotos {
    static let migration = Migration(version: 10, name: "AddPartyBranchesAndPhotos") { dialect in
        [
            """
            CREATE TABLE party_members (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                person_id BIGINT REFERENCES people (id),
                name TEXT NOT NULL,
                organisation TEXT NOT NULL,
                joined_on TEXT NOT NULL,
                left_on TEXT,
                created_at TEXT NOT NULL,
                CHECK (left_on IS NULL OR left_on >= joined_on)
            )
            """,
            "CREATE INDEX party_members_by_village ON party_members (village_code, joined_on)",
            "CREATE UNIQUE INDEX party_members_one_per_person ON party_members (village_code, person_id) WHERE person_id IS NOT NULL AND left_on IS NULL",
            """
            CREATE TABLE party_branches (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('farming', 'migrant_work', 'local_jobs', 'social_security', 'other')),
                formed_on TEXT NOT NULL,
                secretary TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (village_code, name)
            )
            """,
            """
            CREATE TABLE party_branch_members (
                branch_id BIGINT NOT NULL REFERENCES party_branches (id),
                member_id BIGINT NOT NULL REFERENCES party_members (id),
                PRIMARY KEY (branch_id, member_id)
            )
            """,
            "CREATE INDEX party_branch_members_by_member ON party_branch_members (member_id)",
            """
            CREATE TABLE party_branch_households (
                household_id BIGINT PRIMARY KEY REFERENCES households (id),
                branch_id BIGINT NOT NULL REFERENCES party_branches (id),
                since TEXT NOT NULL
            )
            """,
            "CREATE INDEX party_branch_households_by_branch ON party_branch_households (branch_id)",
            "ALTER TABLE visits ADD COLUMN helper_id BIGINT REFERENCES helpers (id)",
            """
            CREATE TABLE visit_photos (
                \(dialect.idColumn),
                visit_id BIGINT NOT NULL REFERENCES visits (id),
                file_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                byte_size INTEGER NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                uploaded_by TEXT NOT NULL,
                uploaded_at TEXT NOT NULL,
                thumbnail \(dialect.bytesType) NOT NULL,
                content \(dialect.bytesType) NOT NULL
            )
            """,
            "CREATE INDEX visit_photos_by_visit ON visit_photos (visit_id)",
        ]
    }
}
