import SQLKit

/// Community and economy: activities with their attendance, honours (types, nominations, votes, announced rounds),
/// projects with investment, land contracts, jobs, beneficiaries, yearly returns, sales agreements and milestones,
/// cooperatives and demonstration households, and the village's collective income.
enum M0011_AddCommunity {
    static let migration = Migration(version: 11, name: "AddCommunity") { dialect in
        [
            """
            CREATE TABLE activities (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                kind TEXT NOT NULL CHECK (kind IN ('lecture', 'training', 'health_check', 'drill', 'lesson', 'mediation', 'service')),
                title TEXT NOT NULL,
                held_on TEXT NOT NULL,
                place TEXT NOT NULL,
                organiser TEXT NOT NULL,
                partner TEXT NOT NULL,
                speaker TEXT NOT NULL,
                speaker_type TEXT CHECK (speaker_type IN ('cadre', 'expert', 'worthy', 'exited_household')),
                classroom TEXT CHECK (classroom IN ('secretary', 'broadcast', 'mobile')),
                counted INTEGER CHECK (counted >= 0),
                parties TEXT NOT NULL,
                outcome TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX activities_by_village ON activities (village_code, held_on)",
            """
            CREATE TABLE activity_attendees (
                activity_id BIGINT NOT NULL REFERENCES activities (id),
                person_id BIGINT NOT NULL REFERENCES people (id),
                PRIMARY KEY (activity_id, person_id)
            )
            """,
            "CREATE INDEX activity_attendees_by_person ON activity_attendees (person_id)",
            """
            CREATE TABLE honour_types (
                \(dialect.idColumn),
                name TEXT NOT NULL UNIQUE,
                subject TEXT NOT NULL CHECK (subject IN ('person', 'household')),
                created_at TEXT NOT NULL
            )
            """,
            """
            INSERT INTO honour_types (name, subject, created_at) VALUES
                ('最美脱贫户', 'household', '2026-11-29T00:00:00.000Z'), ('好公婆', 'person', '2026-11-29T00:00:00.000Z'),
                ('好儿媳', 'person', '2026-11-29T00:00:00.000Z'), ('新乡贤', 'person', '2026-11-29T00:00:00.000Z')
            """,
            """
            CREATE TABLE nominations (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                type_id BIGINT NOT NULL REFERENCES honour_types (id),
                year INTEGER NOT NULL,
                person_id BIGINT REFERENCES people (id),
                household_id BIGINT REFERENCES households (id),
                nominated_by TEXT NOT NULL,
                reason TEXT NOT NULL,
                votes INTEGER NOT NULL CHECK (votes >= 0),
                winner BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                CHECK ((person_id IS NULL AND household_id IS NOT NULL) OR (person_id IS NOT NULL AND household_id IS NULL))
            )
            """,
            "CREATE INDEX nominations_by_round ON nominations (village_code, year, type_id)",
            "CREATE INDEX nominations_by_person ON nominations (person_id)",
            "CREATE INDEX nominations_by_household ON nominations (household_id)",
            """
            CREATE TABLE honour_rounds (
                village_code TEXT NOT NULL REFERENCES divisions (code),
                type_id BIGINT NOT NULL REFERENCES honour_types (id),
                year INTEGER NOT NULL,
                announced_on TEXT NOT NULL,
                PRIMARY KEY (village_code, type_id, year)
            )
            """,
            """
            CREATE TABLE projects (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('industry', 'infrastructure', 'workshop', 'energy', 'other')),
                partner TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('planned', 'building', 'running', 'finished', 'stopped')),
                started_on TEXT,
                description TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (village_code, name)
            )
            """,
            """
            CREATE TABLE project_investments (
                \(dialect.idColumn),
                project_id BIGINT NOT NULL REFERENCES projects (id),
                source TEXT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0)
            )
            """,
            "CREATE INDEX project_investments_by_project ON project_investments (project_id)",
            """
            CREATE TABLE land_contracts (
                \(dialect.idColumn),
                project_id BIGINT NOT NULL REFERENCES projects (id),
                lessor TEXT NOT NULL,
                household_id BIGINT REFERENCES households (id),
                area_mu_hundredths INTEGER NOT NULL CHECK (area_mu_hundredths > 0),
                start_on TEXT NOT NULL,
                end_on TEXT NOT NULL,
                rent_fen_per_year BIGINT NOT NULL CHECK (rent_fen_per_year >= 0),
                CHECK (end_on >= start_on)
            )
            """,
            "CREATE INDEX land_contracts_by_project ON land_contracts (project_id)",
            """
            CREATE TABLE project_jobs (
                \(dialect.idColumn),
                project_id BIGINT NOT NULL REFERENCES projects (id),
                person_id BIGINT NOT NULL REFERENCES people (id),
                position TEXT NOT NULL,
                from_date TEXT NOT NULL,
                to_date TEXT,
                CHECK (to_date IS NULL OR to_date >= from_date)
            )
            """,
            "CREATE INDEX project_jobs_by_project ON project_jobs (project_id)",
            "CREATE INDEX project_jobs_by_person ON project_jobs (person_id)",
            """
            CREATE TABLE project_beneficiaries (
                project_id BIGINT NOT NULL REFERENCES projects (id),
                household_id BIGINT NOT NULL REFERENCES households (id),
                PRIMARY KEY (project_id, household_id)
            )
            """,
            "CREATE INDEX project_beneficiaries_by_household ON project_beneficiaries (household_id)",
            """
            CREATE TABLE project_returns (
                project_id BIGINT NOT NULL REFERENCES projects (id),
                year INTEGER NOT NULL,
                income_fen BIGINT NOT NULL CHECK (income_fen >= 0),
                dividends_fen BIGINT NOT NULL CHECK (dividends_fen >= 0),
                PRIMARY KEY (project_id, year)
            )
            """,
            """
            CREATE TABLE sales_agreements (
                \(dialect.idColumn),
                project_id BIGINT NOT NULL REFERENCES projects (id),
                buyer TEXT NOT NULL,
                product TEXT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
                start_on TEXT NOT NULL,
                end_on TEXT NOT NULL,
                CHECK (end_on >= start_on)
            )
            """,
            "CREATE INDEX sales_agreements_by_project ON sales_agreements (project_id)",
            """
            CREATE TABLE project_milestones (
                \(dialect.idColumn),
                project_id BIGINT NOT NULL REFERENCES projects (id),
                reached_on TEXT NOT NULL,
                text TEXT NOT NULL
            )
            """,
            "CREATE INDEX project_milestones_by_project ON project_milestones (project_id, reached_on)",
            """
            CREATE TABLE enterprises (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                kind TEXT NOT NULL CHECK (kind IN ('cooperative', 'farm_stay', 'homestay', 'produce_sales')),
                name TEXT NOT NULL,
                household_id BIGINT REFERENCES households (id),
                since TEXT NOT NULL,
                note TEXT NOT NULL
            )
            """,
            "CREATE INDEX enterprises_by_village ON enterprises (village_code, kind)",
            """
            CREATE TABLE collective_income (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                year INTEGER NOT NULL,
                received_on TEXT NOT NULL,
                source TEXT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
                note TEXT NOT NULL,
                recorded_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX collective_income_by_village ON collective_income (village_code, year)",
        ]
    }
}
