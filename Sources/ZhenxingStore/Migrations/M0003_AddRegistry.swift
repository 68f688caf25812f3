import SQLKit

/// Households, people and their memberships over time, status events, yearly assessments, and
/// the dated policy parameters (poverty line, monitoring threshold, village-exit limit).
enum M0003_AddRegistry {
    static let migration = Migration(version: 3, name: "AddRegistry") { dialect in
        var statements: [SQLQueryString] = [
            """
            CREATE TABLE households (
                \(dialect.idColumn),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                number TEXT NOT NULL,
                group_number INTEGER,
                natural_village TEXT,
                address TEXT NOT NULL,
                attribute TEXT NOT NULL CHECK (attribute IN ('ordinary', 'subsistence', 'destitute')),
                main_cause TEXT,
                other_causes TEXT NOT NULL,
                closed_on TEXT,
                closed_reason TEXT,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (village_code, number)
            )
            """,
            """
            CREATE TABLE people (
                \(dialect.idColumn),
                resident_id TEXT NOT NULL UNIQUE,
                id_last_four TEXT NOT NULL,
                name TEXT NOT NULL,
                sex TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                ethnicity TEXT NOT NULL,
                education TEXT NOT NULL,
                health TEXT NOT NULL,
                labour TEXT NOT NULL,
                employment TEXT NOT NULL,
                months_worked INTEGER NOT NULL,
                medical_insurance BOOLEAN NOT NULL,
                pension_insurance BOOLEAN NOT NULL,
                party_member BOOLEAN NOT NULL,
                phone TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX people_by_name ON people (name)",
            "CREATE INDEX people_by_last_four ON people (id_last_four)",
            """
            CREATE TABLE memberships (
                \(dialect.idColumn),
                person_id BIGINT NOT NULL REFERENCES people (id),
                household_id BIGINT NOT NULL REFERENCES households (id),
                relation TEXT NOT NULL,
                from_date TEXT NOT NULL,
                to_date TEXT,
                reason_in TEXT NOT NULL,
                reason_out TEXT,
                CHECK (to_date IS NULL OR to_date > from_date)
            )
            """,
            "CREATE INDEX memberships_by_household ON memberships (household_id, from_date)",
            "CREATE INDEX memberships_by_person ON memberships (person_id, from_date)",
            """
            CREATE TABLE status_events (
                \(dialect.idColumn),
                household_id BIGINT NOT NULL REFERENCES households (id),
                event_date TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('not_poor', 'poor', 'exited', 'monitored', 'risk_eliminated')),
                monitoring_kind TEXT,
                reason TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX status_events_by_household ON status_events (household_id, event_date, id)",
            """
            CREATE TABLE assessments (
                \(dialect.idColumn),
                household_id BIGINT NOT NULL REFERENCES households (id),
                year INTEGER NOT NULL,
                members INTEGER NOT NULL CHECK (members >= 0),
                wages BIGINT NOT NULL CHECK (wages >= 0),
                production BIGINT NOT NULL CHECK (production >= 0),
                property BIGINT NOT NULL CHECK (property >= 0),
                transfers BIGINT NOT NULL CHECK (transfers >= 0),
                production_costs BIGINT NOT NULL CHECK (production_costs >= 0),
                food_clothing BOOLEAN NOT NULL,
                education BOOLEAN NOT NULL,
                medical BOOLEAN NOT NULL,
                housing BOOLEAN NOT NULL,
                water BOOLEAN NOT NULL,
                note TEXT NOT NULL,
                version INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (household_id, year)
            )
            """,
            """
            CREATE TABLE policy_parameters (
                \(dialect.idColumn),
                scope TEXT NOT NULL,
                year INTEGER NOT NULL,
                poverty_line_fen BIGINT,
                monitoring_threshold_fen BIGINT,
                village_exit_limit_bp INTEGER,
                source TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (scope, year)
            )
            """,
        ]
        // Known values with their sources; administrators add and correct rows per year and province.
        let seeds: [(String, Int, Int?, Int?, Int?, String)] = [
            ("*", 2010, 230_000, nil, 200, "国家农村扶贫标准：2010年不变价每人每年2300元；贫困村出列：贫困发生率低于2%"),
            ("*", 2014, 280_000, nil, nil, "2300元（2010年不变价）按2014年价格约为2800元"),
            ("*", 2020, 400_000, nil, nil, "2300元（2010年不变价）按2020年价格约为4000元"),
            ("*", 2021, nil, 600_000, nil, "防止返贫动态监测范围：2021年监测标准6000元（约为扶贫标准的1.5倍）"),
            ("53", 2023, nil, 805_000, nil, "云南省2023年防止返贫监测标准8050元"),
            ("53", 2025, nil, 870_000, nil, "云南省2025年防止返贫监测标准8700元"),
        ] + ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"].map {
            ($0, 2010, nil, nil, 300, "西部地区贫困村出列：贫困发生率低于3%")
        }
        for (scope, year, line, threshold, limit, source) in seeds {
            statements.append("""
                INSERT INTO policy_parameters (scope, year, poverty_line_fen, monitoring_threshold_fen, village_exit_limit_bp, source, updated_at)
                VALUES (\(literal: scope), \(literal: year), \(line.map { SQLQueryString("\(literal: $0)") } ?? "NULL"),
                        \(threshold.map { SQLQueryString("\(literal: $0)") } ?? "NULL"), \(limit.map { SQLQueryString("\(literal: $0)") } ?? "NULL"),
                        \(literal: source), '2026-01-01T00:00:00.000Z')
                """)
        }
        return statements
    }
}
