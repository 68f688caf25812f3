import SQLKit
import ZhenxingDomain

/// Writes and reads people's dated work (`work_records`). The person's current values (`people.labour`,
/// `employment`, `months_worked`, which lists and the roster read) are their latest record: a new person is inserted
/// with the values of their first record (`start`), and only `record` changes them after.
public enum WorkRecords {
    private static let columns = ["person_id", "since", "labour", "employment", "months_worked"]

    private static func rows(_ entries: [(person: Int, work: WorkRecord)]) -> [[any Encodable & Sendable]] {
        entries.map { [$0.person, $0.work.since, $0.work.labour, $0.work.employment, $0.work.monthsWorked] }
    }

    /// The first record of each of people just inserted with the same values: nothing else to bring in step.
    public static func start(_ entries: [(person: Int, work: WorkRecord)], in sql: any SQLDatabase) async throws {
        try await BulkInsert.rows(rows(entries), into: "work_records", columns: columns, in: sql)
    }

    /// Records each person's work from its day, replacing a record of the same person and day, then sets the people's
    /// current values to their latest records.
    public static func record(_ entries: [(person: Int, work: WorkRecord)], in sql: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        try await BulkInsert.rows(rows(entries), into: "work_records", columns: columns, upsertingOn: ["person_id", "since"], in: sql)
        let people = Array(Set(entries.map(\.person))).sorted()
        for start in stride(from: 0, to: people.count, by: 10_000) {
            let chunk = Array(people[start..<min(start + 10_000, people.count)])
            func latest(_ column: String) -> SQLQueryString {
                "(SELECT w.\(unsafeRaw: column) FROM work_records w WHERE w.person_id = people.id ORDER BY w.since DESC LIMIT 1)"
            }
            try await sql.raw("""
                UPDATE people SET labour = \(latest("labour")), employment = \(latest("employment")), months_worked = \(latest("months_worked"))
                WHERE id IN (\(binds: chunk))
                """).run()
        }
    }

    /// A person's work records, oldest first.
    public static func history(of person: Int, in sql: any SQLDatabase) async throws -> [WorkRecord] {
        try await sql.raw("""
            SELECT since, labour, employment, months_worked FROM work_records WHERE person_id = \(bind: person) ORDER BY since
            """).all(decoding: WorkRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The condition that `alias` (a `work_records` row) is the record of its person in force on `day`.
    static func inForce(_ alias: String, on day: String) -> SQLQueryString {
        """
        \(unsafeRaw: alias).since = (SELECT max(x.since) FROM work_records x WHERE x.person_id = \(unsafeRaw: alias).person_id AND x.since <= \(bind: day))
        """
    }
}
