import SQLKit

/// Labour ability and work are dated: `work_records` keeps what a person could do and did from a day on, so the figures
/// of a year read that year's (the workshop's workers are not employed before it opened). `people.labour`, `employment`
/// and `months_worked` stay as the latest record, which the store keeps in step (`WorkRecords`). A person recorded
/// before this migration gets one record, from the start of their first membership: what was known, as of when they
/// were registered.
enum M0017_AddWorkRecords {
    /// The table for the figures' stamps, as `M0013_AddFiguresCache.sources` lists the earlier ones.
    static let source = (
        table: "work_records",
        villages: "SELECT h.village_code AS v FROM memberships m JOIN households h ON h.id = m.household_id WHERE m.person_id = ROW.person_id")

    static let migration = Migration(version: 17, name: "AddWorkRecords") { dialect in
        [
            """
            CREATE TABLE work_records (
                person_id BIGINT NOT NULL REFERENCES people (id),
                since TEXT NOT NULL,
                labour TEXT NOT NULL,
                employment TEXT NOT NULL,
                months_worked INTEGER NOT NULL,
                PRIMARY KEY (person_id, since)
            )
            """,
            """
            INSERT INTO work_records (person_id, since, labour, employment, months_worked)
            SELECT p.id, COALESCE((SELECT min(m.from_date) FROM memberships m WHERE m.person_id = p.id), substr(p.created_at, 1, 10)),
                   p.labour, p.employment, p.months_worked
            FROM people p
            """,
        ] + M0013_AddFiguresCache.stampTriggers(table: source.table, villages: source.villages, engine: dialect.engine)
    }
}
