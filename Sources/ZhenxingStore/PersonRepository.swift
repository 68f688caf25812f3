import SQLKit
import ZhenxingDomain

/// A person with their memberships over time.
public struct PersonRecord: Sendable {
    /// Their id.
    public let id: Int
    /// The ID number (sensitive: mask before showing).
    public let residentID: String
    /// Sex and birth date, from the ID.
    public let sex: String
    /// `YYYY-MM-DD`.
    public let birthDate: String
    /// The editable facts.
    public let facts: PersonFacts
    /// Edit version.
    public let version: Int
    /// Their work over time, oldest first; the facts hold the latest.
    public let work: [WorkRecord]
    /// Every membership, oldest first: household id and number, relation, period.
    public let memberships: [(household: Int, number: String, relation: String, from: String, to: String?, reasonIn: String, reasonOut: String?)]
}

/// Reads and edits people.
public struct PersonRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    private struct Row: Decodable {
        let residentId: String; let sex: String; let birthDate: String; let name: String; let ethnicity: String
        let education: String; let inSchool: String; let health: String; let labour: String; let employment: String; let monthsWorked: Int
        let medicalInsurance: Bool; let pensionInsurance: Bool; let partyMember: Bool; let phone: String; let version: Int
    }

    /// A person; `notFound` when there is none.
    public func person(_ id: Int) async throws -> PersonRecord {
        struct MembershipRow: Decodable {
            let householdId: Int; let number: String; let relation: String; let fromDate: String; let toDate: String?
            let reasonIn: String; let reasonOut: String?
        }
        return try await database.read { sql in
            guard let row = try await Self.row(id, in: sql) else { throw StoreError.notFound("person \(id)") }
            let memberships = try await sql.raw("""
                SELECT m.household_id, h.number, m.relation, m.from_date, m.to_date, m.reason_in, m.reason_out
                FROM memberships m JOIN households h ON h.id = m.household_id WHERE m.person_id = \(bind: id) ORDER BY m.from_date
                """).all(decoding: MembershipRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            return PersonRecord(
                id: id, residentID: row.residentId, sex: row.sex, birthDate: row.birthDate, facts: Self.facts(row), version: row.version,
                work: try await WorkRecords.history(of: id, in: sql),
                memberships: memberships.map { ($0.householdId, $0.number, $0.relation, $0.fromDate, $0.toDate, $0.reasonIn, $0.reasonOut) })
        }
    }

    /// Changes a person's facts when `expectedVersion` is current; `staleVersion` otherwise. A change of their work
    /// (labour ability, work, months worked) is recorded from `workSince`, which must be a day between their birth and
    /// `today`. Audited.
    public func update(_ id: Int, to facts: PersonFacts, workSince: String, today: String, expectedVersion: Int, division: DivisionCode,
                       by actor: AuditActor) async throws {
        var problems = facts.problems()
        try await database.transaction { sql in
            guard let row = try await Self.row(id, in: sql) else { throw StoreError.notFound("person \(id)") }
            let work = facts.work(since: workSince)
            let workChanged = work != Self.facts(row).work(since: workSince)
            if workChanged { problems += work.problems(birthDate: row.birthDate, today: today) }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            guard row.version == expectedVersion else { throw StoreError.staleVersion(expected: expectedVersion, current: row.version) }
            try await sql.raw("""
                UPDATE people SET name = \(bind: facts.name.trimmingCharacters(in: .whitespaces)), ethnicity = \(bind: facts.ethnicity),
                    education = \(bind: facts.education), in_school = \(bind: facts.inSchool), health = \(bind: facts.health),
                    medical_insurance = \(bind: facts.medicalInsurance), pension_insurance = \(bind: facts.pensionInsurance),
                    party_member = \(bind: facts.partyMember), phone = \(bind: facts.phone), version = version + 1,
                    updated_at = \(bind: Timestamp.now())
                WHERE id = \(bind: id)
                """).run()
            if workChanged { try await WorkRecords.record([(id, work)], in: sql) }
            try await AuditLog.record(.update, entity: .person, key: String(id), division: division,
                                      before: Self.facts(row), after: facts, by: actor, in: sql)
        }
    }

    private static func row(_ id: Int, in sql: any SQLDatabase) async throws -> Row? {
        try await sql.raw("""
            SELECT resident_id, sex, birth_date, name, ethnicity, education, in_school, health, labour, employment, months_worked,
                   medical_insurance, pension_insurance, party_member, phone, version FROM people WHERE id = \(bind: id)
            """).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private static func facts(_ row: Row) -> PersonFacts {
        PersonFacts(name: row.name, ethnicity: row.ethnicity, education: row.education, inSchool: row.inSchool, health: row.health, labour: row.labour,
                    employment: row.employment, monthsWorked: row.monthsWorked, medicalInsurance: row.medicalInsurance,
                    pensionInsurance: row.pensionInsurance, partyMember: row.partyMember, phone: row.phone)
    }
}
