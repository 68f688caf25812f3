import SQLKit

/// Figures of a township, county or province are sums of their villages' figures. `village_stamps` holds a counter per
/// village that triggers bump, in the same transaction, on every insert, update or delete of a record the figures read
/// — whatever wrote it (forms, API, import, demo, generator). `figures_cache` keeps a division's additive figures for a
/// year with the sum of its villages' counters when they were computed: the row is good while that sum is unchanged.
/// Counters only grow, so any write below a division changes the sum.
enum M0013_AddFiguresCache {
    /// Each table the figures read, and a query giving the villages (column `v`) a row of it belongs to; `ROW` stands
    /// for the trigger's NEW or OLD row.
    static let sources: [(table: String, villages: String)] = [
        ("households", "SELECT ROW.village_code AS v"),
        ("memberships", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("people", "SELECT h.village_code AS v FROM memberships m JOIN households h ON h.id = m.household_id WHERE m.person_id = ROW.id"),
        ("status_events", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("population_counts", "SELECT ROW.village_code AS v"),
        ("issues", "SELECT ROW.village_code AS v"),
        ("issue_events", "SELECT village_code AS v FROM issues WHERE id = ROW.issue_id"),
        ("meetings", "SELECT ROW.village_code AS v"),
        ("meeting_outcomes", "SELECT village_code AS v FROM meetings WHERE id = ROW.meeting_id"),
        ("grids", "SELECT ROW.village_code AS v"),
        ("grid_households", "SELECT village_code AS v FROM grids WHERE id = ROW.grid_id"),
        ("plans", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("measures", "SELECT h.village_code AS v FROM plans p JOIN households h ON h.id = p.household_id WHERE p.id = ROW.plan_id"),
        ("visits", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("party_members", "SELECT ROW.village_code AS v"),
        ("party_branches", "SELECT ROW.village_code AS v"),
        ("party_branch_households", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("activities", "SELECT ROW.village_code AS v"),
        ("activity_attendees", "SELECT village_code AS v FROM activities WHERE id = ROW.activity_id"),
        ("honour_types", "SELECT DISTINCT village_code AS v FROM nominations WHERE type_id = ROW.id"),
        ("nominations", "SELECT ROW.village_code AS v"),
        ("projects", "SELECT ROW.village_code AS v"),
        ("land_contracts", "SELECT village_code AS v FROM projects WHERE id = ROW.project_id"),
        ("project_jobs", "SELECT village_code AS v FROM projects WHERE id = ROW.project_id"),
        ("collective_income", "SELECT ROW.village_code AS v"),
        ("enterprises", "SELECT ROW.village_code AS v"),
    ]

    static let migration = Migration(version: 13, name: "AddFiguresCache") { dialect in
        var statements: [SQLQueryString] = [
            "CREATE TABLE village_stamps (village_code TEXT PRIMARY KEY, counter BIGINT NOT NULL)",
            """
            CREATE TABLE figures_cache (
                division_code TEXT NOT NULL, year INTEGER NOT NULL, counter BIGINT NOT NULL, parts TEXT NOT NULL,
                PRIMARY KEY (division_code, year))
            """,
        ]
        if dialect.engine == .postgres {
            // Divisions are selected by a range of codes now (`DivisionCode.covers`), which the plain indexes answer.
            statements.append("DROP INDEX households_by_village_prefix")
        }
        for (table, villages) in sources {
            statements += stampTriggers(table: table, villages: villages, engine: dialect.engine)
        }
        return statements
    }

    /// The triggers that bump the stamps of the villages (`villages`, as in `sources`) a row of `table` belongs to, on
    /// every insert, update and delete. A table the figures read from a later migration gets them the same way.
    static func stampTriggers(table: String, villages: String, engine: Database.Engine) -> [SQLQueryString] {
        func bump(_ row: String) -> String {
            """
            INSERT INTO village_stamps (village_code, counter)
            SELECT DISTINCT v, 1 FROM (\(villages.replacingOccurrences(of: "ROW.", with: row + "."))) s WHERE v IS NOT NULL
            ON CONFLICT (village_code) DO UPDATE SET counter = village_stamps.counter + 1;
            """
        }
        switch engine {
        case .sqlite:
            return [
                "CREATE TRIGGER stamp_\(unsafeRaw: table)_insert AFTER INSERT ON \(unsafeRaw: table) BEGIN \(unsafeRaw: bump("NEW")) END",
                "CREATE TRIGGER stamp_\(unsafeRaw: table)_update AFTER UPDATE ON \(unsafeRaw: table) BEGIN \(unsafeRaw: bump("OLD")) \(unsafeRaw: bump("NEW")) END",
                "CREATE TRIGGER stamp_\(unsafeRaw: table)_delete AFTER DELETE ON \(unsafeRaw: table) BEGIN \(unsafeRaw: bump("OLD")) END",
            ]
        case .postgres:
            return [
                """
                CREATE FUNCTION stamp_\(unsafeRaw: table)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'INSERT' THEN \(unsafeRaw: bump("OLD")) END IF;
                    IF TG_OP <> 'DELETE' THEN \(unsafeRaw: bump("NEW")) END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER stamp_\(unsafeRaw: table) AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table)
                FOR EACH ROW EXECUTE FUNCTION stamp_\(unsafeRaw: table)()
                """,
            ]
        }
    }
}
