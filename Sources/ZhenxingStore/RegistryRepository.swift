import Foundation
import SQLKit
import ZhenxingDomain

/// A household as listed: enough for a table row, and the key for the next page.
public struct HouseholdRow: Sendable, Hashable, Decodable {
    /// Its id (opaque in URLs; never an ID number).
    public let id: Int
    /// 户编号.
    public let number: String
    /// The village.
    public let villageCode: String
    /// 村民小组.
    public let groupNumber: Int?
    /// 户主姓名.
    public let headName: String?
    /// Members at the date asked for.
    public let members: Int
    /// Status at the date asked for (`not_poor` when no event yet).
    public let status: String
    /// 户属性.
    public let attribute: String
    /// 主要致贫原因, nil when none was recorded.
    public let mainCause: String?
    /// The day of its latest visit, nil when it was never visited.
    public let lastVisit: String?

    /// The keyset key of the row: pass it as `after` for the next page.
    public var key: String { "\(villageCode)/\(number)" }
}

/// Filters for the household list.
public struct HouseholdFilter: Sendable, Hashable {
    /// Only this group.
    public var groupNumber: Int?
    /// Only this status at the date.
    public var status: PovertyStatus?
    /// Only this attribute.
    public var attribute: HouseholdAttribute?
    /// Only households with this cause of poverty, main or other.
    public var cause: PovertyCause?
    /// Name of a member, household number, or the last four characters of an ID number.
    public var search: String?
    /// Only households of this grid.
    public var gridID: Int?

    /// Creates a filter.
    public init(
        groupNumber: Int? = nil, status: PovertyStatus? = nil, attribute: HouseholdAttribute? = nil, cause: PovertyCause? = nil,
        search: String? = nil, gridID: Int? = nil
    ) {
        self.gridID = gridID
        self.cause = cause
        self.groupNumber = groupNumber
        self.status = status
        self.attribute = attribute
        self.search = search
    }
}

/// A member of a household over a period.
public struct Membership: Sendable, Hashable, Decodable {
    /// The person's id.
    public let personId: Int
    /// 姓名.
    public let name: String
    /// The ID number (sensitive: mask before showing).
    public let residentId: String
    /// 性别.
    public let sex: String
    /// 出生日期.
    public let birthDate: String
    /// 与户主关系.
    public let relation: String
    /// Member since.
    public let fromDate: String
    /// Member until (exclusive), if no longer.
    public let toDate: String?
    /// Why they joined (登记, 出生, 婚入, 迁入).
    public let reasonIn: String
    /// Why they left (死亡, 迁出, 婚出).
    public let reasonOut: String?
    /// 健康状况.
    public let health: String
    /// 劳动技能.
    public let labour: String
    /// 务工情况.
    public let employment: String
}

/// A household's whole file (一户一档).
public struct HouseholdFile: Sendable {
    /// Its id.
    public let id: Int
    /// The household's fields.
    public let draft: HouseholdDraft
    /// Edit version.
    public let version: Int
    /// When it was closed, with why.
    public let closed: (date: String, reason: String)?
    /// Every membership, current and past.
    public let members: [Membership]
    /// Status changes, oldest first.
    public let statusChanges: [StatusChange]
    /// Assessments, newest first.
    public let assessments: [Assessment]
}

/// Households, people, memberships, status events, assessments and policy parameters.
public struct RegistryRepository: Sendable {
    /// The database it reads and writes.
    public let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    // MARK: Writing

    /// Inserts a household inside the caller's transaction and returns its id.
    public static func insertHousehold(_ draft: HouseholdDraft, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        guard try await DivisionRepository.find(draft.village, in: sql) != nil else {
            throw ValidationFailure([FieldIssue(field: "village", message: LocalizedText(
                zh: "村 \(draft.village) 不存在", en: "Village \(draft.village) does not exist"))])
        }
        try await requireFreeNumber(draft.number, in: draft.village.rawValue, sql)
        let now = Timestamp.now()
        try await sql.raw("""
            INSERT INTO households (village_code, number, group_number, natural_village, address, attribute, main_cause,
                                    other_causes, version, created_at, updated_at)
            VALUES (\(bind: draft.village.rawValue), \(bind: draft.number), \(bind: draft.groupNumber), \(bind: draft.naturalVillage),
                    \(bind: draft.address), \(bind: draft.attribute.rawValue), \(bind: draft.mainCause?.rawValue),
                    \(bind: draft.otherCauses.map(\.rawValue).joined(separator: ",")), 1, \(bind: now), \(bind: now))
            """).run()
        let id = try await sql.raw("""
            SELECT id FROM households WHERE village_code = \(bind: draft.village.rawValue) AND number = \(bind: draft.number)
            """).first(decodingColumn: "id", as: Int.self)!
        try await AuditLog.record(.create, entity: .household, key: String(id), division: draft.village, after: draft, by: actor, in: sql)
        return id
    }

    /// Refuses a household number another household of the village has (the UNIQUE key would answer with an error).
    private static func requireFreeNumber(_ number: String, in village: String, _ sql: any SQLDatabase) async throws {
        guard try await sql.raw("SELECT id FROM households WHERE village_code = \(bind: village) AND number = \(bind: number)")
            .first(decodingColumn: "id", as: Int.self) != nil else { return }
        throw ValidationFailure([FieldIssue(field: "number", message: LocalizedText(
            zh: "户编号 \(number) 已被本村其他户使用", en: "Household number \(number) is taken in this village"))])
    }

    /// Inserts a person inside the caller's transaction and returns their id; a duplicate ID
    /// number anywhere in the database is refused. Their work is recorded from `since` (the day their membership starts).
    public static func insertPerson(_ draft: PersonDraft, since: String, division: DivisionCode, by actor: AuditActor,
                                    in sql: any SQLDatabase) async throws -> Int {
        var problems = draft.problems()
        if draft.birthDate > Timestamp.today() {
            problems.append(FieldIssue(field: "residentID", message: LocalizedText(
                zh: "身份证号中的出生日期 \(draft.birthDate) 晚于今天，号码可能有误", en: "The birth date in the ID number, \(draft.birthDate), is after today: check the number")))
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let id = draft.residentID.value
        if try await sql.raw("SELECT id FROM people WHERE resident_id = \(bind: id)").first(decodingColumn: "id", as: Int.self) != nil {
            throw ValidationFailure([FieldIssue(field: "residentID", message: LocalizedText(
                zh: "身份证号 \(draft.residentID.masked) 已登记在其他人名下", en: "ID number \(draft.residentID.masked) is already registered"))])
        }
        let now = Timestamp.now()
        let facts = draft.facts
        try await sql.raw("""
            INSERT INTO people (resident_id, id_last_four, name, sex, birth_date, ethnicity, education, in_school, health, labour, employment,
                                months_worked, medical_insurance, pension_insurance, party_member, phone, version, created_at, updated_at)
            VALUES (\(bind: id), \(bind: draft.residentID.lastFour), \(bind: draft.name.trimmingCharacters(in: .whitespaces)),
                    \(bind: draft.sex.rawValue), \(bind: draft.birthDate), \(bind: facts.ethnicity), \(bind: facts.education), \(bind: facts.inSchool),
                    \(bind: facts.health), \(bind: facts.labour), \(bind: facts.employment), \(bind: facts.monthsWorked),
                    \(bind: facts.medicalInsurance), \(bind: facts.pensionInsurance), \(bind: facts.partyMember), \(bind: facts.phone),
                    1, \(bind: now), \(bind: now))
            """).run()
        let personID = try await sql.raw("SELECT id FROM people WHERE resident_id = \(bind: id)").first(decodingColumn: "id", as: Int.self)!
        try await WorkRecords.start([(personID, facts.work(since: since))], in: sql)
        // The audit keeps the masked number only: the log must not become a second copy of the IDs.
        try await AuditLog.record(.create, entity: .person, key: String(personID), division: division,
                                  after: ["name": draft.name, "residentID": draft.residentID.masked], by: actor, in: sql)
        return personID
    }

    /// Starts a person's membership of a household from a date.
    public static func addMember(
        person: Int, household: Int, relation: Relation, from date: String, reason: String, in sql: any SQLDatabase
    ) async throws {
        try await sql.raw("""
            INSERT INTO memberships (person_id, household_id, relation, from_date, reason_in)
            VALUES (\(bind: person), \(bind: household), \(bind: relation.rawValue), \(bind: date), \(bind: reason))
            """).run()
    }

    /// Ends a person's current membership on a date (death, moving out, marrying out).
    public static func endMembership(person: Int, on date: String, reason: String, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE memberships SET to_date = \(bind: date), reason_out = \(bind: reason)
            WHERE person_id = \(bind: person) AND to_date IS NULL
            """).run()
    }

    /// Records a status change; the history is never overwritten.
    public static func recordStatus(_ change: StatusChange, household: Int, division: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO status_events (household_id, event_date, status, monitoring_kind, reason, decided_by, override_reason, recorded_by, created_at)
            VALUES (\(bind: household), \(bind: change.date), \(bind: change.status.rawValue), \(bind: change.monitoringKind?.rawValue),
                    \(bind: change.reason), \(bind: change.decidedBy), \(bind: change.override), \(bind: actor.username), \(bind: Timestamp.now()))
            """).run()
        try await AuditLog.record(.statusChange, entity: .household, key: String(household), division: division, after: change, by: actor, in: sql)
    }

    /// Stores a household's assessment for a year, replacing an earlier one of the same year.
    public static func saveAssessment(_ assessment: Assessment, household: Int, in sql: any SQLDatabase) async throws {
        let problems = assessment.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let income = assessment.income, guarantees = assessment.guarantees, spending = assessment.spending
        try await sql.raw("""
            INSERT INTO assessments (household_id, year, members, wages, production, property, transfers, production_costs,
                                     medical_spending, schooling_spending, food_clothing, education, medical, housing, water, note, version,
                                     updated_at)
            VALUES (\(bind: household), \(bind: assessment.year), \(bind: assessment.members), \(bind: income.wages),
                    \(bind: income.production), \(bind: income.property), \(bind: income.transfers), \(bind: income.productionCosts),
                    \(bind: spending.medical), \(bind: spending.schooling),
                    \(bind: guarantees.foodAndClothing), \(bind: guarantees.education), \(bind: guarantees.medical),
                    \(bind: guarantees.housing), \(bind: guarantees.water), \(bind: assessment.note), 1, \(bind: Timestamp.now()))
            ON CONFLICT (household_id, year) DO UPDATE SET members = excluded.members, wages = excluded.wages,
                production = excluded.production, property = excluded.property, transfers = excluded.transfers,
                production_costs = excluded.production_costs, medical_spending = excluded.medical_spending,
                schooling_spending = excluded.schooling_spending, food_clothing = excluded.food_clothing,
                education = excluded.education, medical = excluded.medical, housing = excluded.housing, water = excluded.water,
                note = excluded.note, version = assessments.version + 1, updated_at = excluded.updated_at
            """).run()
    }

    /// Removes every registry record of a village (demo refresh only; the audit log keeps its entries).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        let households: SQLQueryString = "SELECT id FROM households WHERE village_code = \(bind: village.rawValue)"
        try await sql.raw("DELETE FROM measures WHERE plan_id IN (SELECT id FROM plans WHERE household_id IN (\(households)))").run()
        try await sql.raw("DELETE FROM plans WHERE household_id IN (\(households))").run()
        try await sql.raw("DELETE FROM helper_assignments WHERE household_id IN (\(households))").run()
        try await sql.raw("DELETE FROM visit_photos WHERE visit_id IN (SELECT id FROM visits WHERE household_id IN (\(households)))").run()
        try await sql.raw("DELETE FROM visits WHERE household_id IN (\(households))").run()
        try await sql.raw("DELETE FROM assessments WHERE household_id IN (\(households))").run()
        try await sql.raw("DELETE FROM status_events WHERE household_id IN (\(households))").run()
        let people = try await sql.raw("""
            SELECT DISTINCT person_id FROM memberships WHERE household_id IN (\(households))
              AND person_id NOT IN (SELECT person_id FROM memberships WHERE household_id NOT IN (\(households)))
            """).all(decodingColumn: "person_id", as: Int.self)
        try await sql.raw("DELETE FROM memberships WHERE household_id IN (\(households))").run()
        for chunk in stride(from: 0, to: people.count, by: 500).map({ Array(people[$0..<min($0 + 500, people.count)]) }) {
            try await sql.raw("DELETE FROM work_records WHERE person_id IN (\(binds: chunk))").run()
            try await sql.raw("DELETE FROM people WHERE id IN (\(binds: chunk))").run()
        }
        try await sql.raw("DELETE FROM households WHERE village_code = \(bind: village.rawValue)").run()
    }

    // MARK: Reading

    /// The status of each household at `date` as an SQL fragment (household_id, status).
    static func statusAt(_ date: String) -> SQLQueryString {
        """
        SELECT e.household_id, e.status FROM status_events e
        WHERE e.event_date <= \(bind: date) AND NOT EXISTS (
            SELECT 1 FROM status_events n WHERE n.household_id = e.household_id AND n.event_date <= \(bind: date)
              AND (n.event_date > e.event_date OR (n.event_date = e.event_date AND n.id > e.id)))
        """
    }

    /// Members of each household at `date` as an SQL fragment (household_id, person_id, relation).
    static func membersAt(_ date: String) -> SQLQueryString {
        """
        SELECT m.household_id, m.person_id, m.relation FROM memberships m
        WHERE m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
        """
    }

    /// The day of the earliest status recorded for a household of `division`, nil without any.
    func firstStatus(in division: DivisionCode) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT min(e.event_date) AS first FROM status_events e JOIN households h ON h.id = e.household_id
                WHERE \(division.covers("h.village_code"))
                """).first(decodingColumn: "first", as: String?.self) ?? nil
        }
    }

    /// The registry figures of `division` (any level) as of `date`. A village with an entered
    /// population for the date's year counts that figure instead of its registered people.
    public func figures(_ division: DivisionCode, asOf date: String) async throws -> RegistryFigures {
        struct Row: Decodable {
            let counted: Int?
            let entered: Int?
            let enteredVillages: Int?
            let households: Int?
            let poorHouseholds: Int?
            let poorPeople: Int?
            let exitedHouseholds: Int?
            let monitoredHouseholds: Int?
        }
        let year = Int(date.prefix(4)) ?? 0
        let row = try await database.read { sql in
            try await sql.raw("""
                WITH present AS (\(Self.membersAt(date))),
                     status AS (\(Self.statusAt(date))),
                     sized AS (
                        SELECT h.id, h.village_code, COALESCE(s.status, 'not_poor') AS status, count(p.person_id) AS members
                        FROM households h JOIN present p ON p.household_id = h.id LEFT JOIN status s ON s.household_id = h.id
                        WHERE \(division.covers("h.village_code"))
                        GROUP BY h.id, h.village_code, s.status),
                     entered AS (
                        SELECT village_code, population FROM population_counts
                        WHERE year = \(bind: year) AND \(division.covers("village_code")))
                SELECT CAST((SELECT sum(members) FROM sized WHERE village_code NOT IN (SELECT village_code FROM entered)) AS BIGINT) AS counted,
                       CAST((SELECT sum(population) FROM entered) AS BIGINT) AS entered,
                       (SELECT count(*) FROM entered) AS entered_villages,
                       count(*) AS households,
                       CAST(sum(CASE WHEN status = 'poor' THEN 1 ELSE 0 END) AS BIGINT) AS poor_households,
                       CAST(sum(CASE WHEN status = 'poor' THEN members ELSE 0 END) AS BIGINT) AS poor_people,
                       CAST(sum(CASE WHEN status = 'exited' THEN 1 ELSE 0 END) AS BIGINT) AS exited_households,
                       CAST(sum(CASE WHEN status = 'monitored' THEN 1 ELSE 0 END) AS BIGINT) AS monitored_households
                FROM sized
                """).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
        return RegistryFigures(
            population: (row?.counted ?? 0) + (row?.entered ?? 0), households: row?.households ?? 0,
            poorHouseholds: row?.poorHouseholds ?? 0, poorPeople: row?.poorPeople ?? 0, exitedHouseholds: row?.exitedHouseholds ?? 0,
            monitoredHouseholds: row?.monitoredHouseholds ?? 0, villagesWithEnteredPopulation: row?.enteredVillages ?? 0)
    }

    /// Enters (or corrects) a village's registered population for a year, with its source; audited.
    public func enterPopulation(_ village: DivisionCode, year: Int, population: Int, source: String, by actor: AuditActor) async throws {
        var issues: [FieldIssue] = []
        if !(2000...2100).contains(year) {
            issues.append(FieldIssue.yearOutOfRange())
        }
        if !(0...1_000_000).contains(population) {
            issues.append(FieldIssue(field: "population", message: LocalizedText(zh: "人口应在 0 到 1,000,000 之间", en: "The population must be 0 to 1,000,000")))
        }
        if source.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "source", message: LocalizedText(zh: "请注明来源（如公安户籍统计）", en: "Give the source (e.g. the police household register)")))
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO population_counts (village_code, year, population, source, updated_at)
                VALUES (\(bind: village.rawValue), \(bind: year), \(bind: population), \(bind: source), \(bind: Timestamp.now()))
                ON CONFLICT (village_code, year) DO UPDATE SET population = excluded.population, source = excluded.source,
                    updated_at = excluded.updated_at
                """).run()
            try await AuditLog.record(.update, entity: .populationCount, key: "\(village)/\(year)", division: village,
                                      after: ["population": String(population), "source": source], by: actor, in: sql)
        }
    }

    /// The parameters in force for the province of `division` in `year`: for each one the newest
    /// row at or before the year, the province's own row winning over the nationwide one.
    public func parameters(for division: DivisionCode, year: Int) async throws -> PolicyParameters {
        try await parameters(for: division, years: [year])[year]!
    }

    /// The parameters in force in each of `years`, from one query.
    public func parameters(for division: DivisionCode, years: [Int]) async throws -> [Int: PolicyParameters] {
        try await database.read { try await Self.parameters(for: division, years: years, in: $0) }
    }

    /// The same inside the caller's transaction.
    static func parameters(for division: DivisionCode, years: [Int], in sql: any SQLDatabase) async throws -> [Int: PolicyParameters] {
        let province = String(division.rawValue.prefix(2))
        let rows = try await sql.raw("""
            SELECT scope, year, poverty_line_fen, monitoring_threshold_fen, village_exit_limit_bp, source FROM policy_parameters
            WHERE year <= \(bind: years.max() ?? 0) AND scope IN ('*', \(bind: province)) ORDER BY year DESC, scope DESC
            """).all(decoding: PolicyParameterRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        var result: [Int: PolicyParameters] = [:]
        for year in years {
            // Rows come newest first, the province's before '*' within a year.
            let inForce = rows.filter { $0.year <= year }
            let line = inForce.first { $0.povertyLineFen != nil }
            result[year] = PolicyParameters(
                povertyLineFen: line?.povertyLineFen,
                povertyLineSource: line.map { "\($0.year): \($0.source)" } ?? "",
                monitoringThreshold: inForce.first { $0.monitoringThresholdFen != nil }.map {
                    DatedThreshold(value: $0.monitoringThresholdFen!, origin: ParameterOrigin(scope: $0.scope, year: $0.year))
                },
                villageExitLimit: inForce.first { $0.villageExitLimitBp != nil }.map { Double($0.villageExitLimitBp!) / 10_000 })
        }
        return result
    }

    /// The exit check of each of a household's assessments against its year's poverty line, by year.
    public func exitChecks(_ file: HouseholdFile) async throws -> [Int: (povertyLineFen: Int?, lines: [CheckLine])] {
        let parameters = try await parameters(for: file.draft.village, years: file.assessments.map(\.year))
        var checks: [Int: (Int?, [CheckLine])] = [:]
        for assessment in file.assessments {
            let line = parameters[assessment.year]?.povertyLineFen
            checks[assessment.year] = (line, ExitRules.household(
                income: assessment.income, members: assessment.members, guarantees: assessment.guarantees, povertyLineFen: line ?? 0))
        }
        return checks
    }

    /// A page of the households of `division`, with status and members as of `date`, ordered by
    /// village and household number; `after` is the previous page's last `HouseholdRow.key`, `offset` the rows to skip.
    /// Status and members are looked up per row through their indexes, and only for the rows of the page (the rows an
    /// offset skips cost an index step), so a page costs the same at household 1 and at household 300,000.
    public func households(
        in division: DivisionCode, filter: HouseholdFilter, asOf date: String, after: String?, offset: Int = 0, limit: Int
    ) async throws -> [HouseholdRow] {
        var conditions = Self.conditions(division, filter, asOf: date)
        if let after {
            let parts = after.split(separator: "/", maxSplits: 1).map(String.init)
            let (village, number) = parts.count == 2 ? (parts[0], parts[1]) : (division.rawValue, after)
            // A row-value comparison lets both engines walk the (village_code, number) index from the key.
            conditions.append("(h.village_code, h.number) > (\(bind: village), \(bind: number))")
        }
        let present: SQLQueryString = "m.household_id = p.id AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))"
        return try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.number, p.village_code AS "villageCode", p.group_number AS "groupNumber", p.attribute, \(Self.status(of: "p", asOf: date)) AS status,
                       (SELECT count(*) FROM memberships m WHERE \(present)) AS members,
                       (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                        WHERE \(present) AND m.relation = 'head' LIMIT 1) AS "headName",
                       p.main_cause AS "mainCause", (SELECT max(v.visited_on) FROM visits v WHERE v.household_id = p.id) AS "lastVisit"
                FROM (SELECT h.id, h.number, h.village_code, h.group_number, h.attribute, h.main_cause FROM households h
                      WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))
                      ORDER BY h.village_code, h.number LIMIT \(literal: limit) OFFSET \(literal: max(0, offset))) p
                ORDER BY p.village_code, p.number
                """).all(decoding: HouseholdRow.self)
        }
    }

    /// How many households of `division` the filter keeps on `date`.
    public func householdCount(in division: DivisionCode, filter: HouseholdFilter, asOf date: String) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("""
                SELECT count(*) AS n FROM households h WHERE \(SQLList(Self.conditions(division, filter, asOf: date), separator: SQLRaw(" AND ")))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    /// A household's status on `date`: its latest status event by then, `not_poor` before any.
    private static func status(of table: String, asOf date: String) -> SQLQueryString {
        """
        COALESCE((SELECT e.status FROM status_events e WHERE e.household_id = \(unsafeRaw: table).id AND e.event_date <= \(bind: date)
                  ORDER BY e.event_date DESC, e.id DESC LIMIT 1), 'not_poor')
        """
    }

    /// The conditions on `households h` that `filter` makes, in `division`, for households not closed.
    private static func conditions(_ division: DivisionCode, _ filter: HouseholdFilter, asOf date: String) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = [
            division.covers("h.village_code"),
            "h.closed_on IS NULL",
        ]
        if let group = filter.groupNumber { conditions.append("h.group_number = \(bind: group)") }
        if let attribute = filter.attribute { conditions.append("h.attribute = \(bind: attribute.rawValue)") }
        if let grid = filter.gridID { conditions.append("h.id IN (SELECT household_id FROM grid_households WHERE grid_id = \(bind: grid))") }
        if let cause = filter.cause {
            // Causes are stored comma-separated; wrapping both sides in commas matches whole names only.
            conditions.append("(h.main_cause = \(bind: cause.rawValue) OR ',' || h.other_causes || ',' LIKE \(bind: "%," + cause.rawValue + ",%"))")
        }
        if let wanted = filter.status { conditions.append("\(status(of: "h", asOf: date)) = \(bind: wanted.rawValue)") }
        if let search = filter.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            conditions.append("""
                (h.number = \(bind: search) OR h.id IN (
                    SELECT sm.household_id FROM memberships sm JOIN people sp ON sp.id = sm.person_id
                    WHERE sp.name LIKE \(bind: "%" + search + "%")))
                """)
        }
        return conditions
    }

    /// A household's whole file; `notFound` when there is no such household.
    public func file(_ id: Int) async throws -> HouseholdFile {
        try await database.read { try await Self.file(id, in: $0) }
    }

    /// The same inside the caller's transaction.
    static func file(_ id: Int, in sql: any SQLDatabase) async throws -> HouseholdFile {
        struct EventRow: Decodable {
            let eventDate: String; let status: String; let monitoringKind: String?; let reason: String; let decidedBy: String; let overrideReason: String?
        }
        struct AssessmentRow: Decodable {
            let year: Int; let members: Int; let wages: Int; let production: Int; let property: Int; let transfers: Int
            let productionCosts: Int; let medicalSpending: Int; let schoolingSpending: Int; let foodClothing: Bool; let education: Bool
            let medical: Bool; let housing: Bool; let water: Bool; let note: String; let version: Int
        }
        let household = try await Self.loadDraft(id, in: sql)
        let members = try await sql.raw("""
            SELECT m.person_id, p.name, p.resident_id, p.sex, p.birth_date, m.relation, m.from_date, m.to_date, m.reason_in,
                   m.reason_out, p.health, p.labour, p.employment
            FROM memberships m JOIN people p ON p.id = m.person_id
            WHERE m.household_id = \(bind: id) ORDER BY m.to_date IS NOT NULL, m.from_date, p.birth_date
            """).all(decoding: Membership.self, keyDecodingStrategy: .convertFromSnakeCase)
        let events = try await sql.raw("""
            SELECT event_date, status, monitoring_kind, reason, decided_by, override_reason FROM status_events
            WHERE household_id = \(bind: id) ORDER BY event_date, id
            """).all(decoding: EventRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let assessments = try await sql.raw("""
            SELECT year, members, wages, production, property, transfers, production_costs, medical_spending, schooling_spending,
                   food_clothing, education, medical, housing, water, note, version FROM assessments WHERE household_id = \(bind: id) ORDER BY year DESC
            """).all(decoding: AssessmentRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return HouseholdFile(
            id: id, draft: household.draft, version: household.version, closed: household.closed, members: members,
            statusChanges: events.map {
                StatusChange(date: $0.eventDate, status: PovertyStatus(rawValue: $0.status) ?? .notPoor,
                             monitoringKind: $0.monitoringKind.flatMap(MonitoringKind.init), reason: $0.reason, decidedBy: $0.decidedBy,
                             override: $0.overrideReason)
            },
            assessments: assessments.map {
                Assessment(
                    year: $0.year, members: $0.members,
                    income: IncomeSheet(wages: $0.wages, production: $0.production, property: $0.property,
                                        transfers: $0.transfers, productionCosts: $0.productionCosts),
                    guarantees: Guarantees(foodAndClothing: $0.foodClothing, education: $0.education, medical: $0.medical,
                                           housing: $0.housing, water: $0.water),
                    spending: RigidSpending(medical: $0.medicalSpending, schooling: $0.schoolingSpending), note: $0.note, version: $0.version)
            })
    }

    /// The full ID number of a person, for the audited "show full ID" action.
    public func residentID(person: Int) async throws -> (id: String, name: String)? {
        struct Row: Decodable { let residentId: String; let name: String }
        return try await database.read { sql in
            try await sql.raw("SELECT resident_id, name FROM people WHERE id = \(bind: person)")
                .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase).map { ($0.residentId, $0.name) }
        }
    }
}

extension RegistryRepository {
    /// The village a household belongs to, nil when there is no such household.
    public func village(ofHousehold id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM households WHERE id = \(bind: id)")
    }

    /// The ids of the people called `name` who are members of a household of `village` on `date`.
    public func people(named name: String, in village: DivisionCode, asOf date: String) async throws -> [Int] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT DISTINCT p.id FROM people p JOIN memberships m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
                WHERE p.name = \(bind: name) AND h.village_code = \(bind: village.rawValue)
                  AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                """).all(decodingColumn: "id", as: Int.self)
        }
    }

    /// The villagers marked as party members in the registry, living in the village on `date`.
    public func partyMembers(in village: DivisionCode, asOf date: String) async throws -> [(id: Int, name: String)] {
        struct Row: Decodable { let id: Int; let name: String }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT DISTINCT p.id, p.name FROM people p JOIN memberships m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
                WHERE p.party_member = \(bind: true) AND h.village_code = \(bind: village.rawValue)
                  AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                ORDER BY p.name, p.id
                """).all(decoding: Row.self).map { ($0.id, $0.name) }
        }
    }

    /// The households of a village with the numbers typed in `text` (separated by spaces, commas or 、);
    /// a number the village does not have is refused, naming it.
    public func households(numbered text: String, in village: DivisionCode) async throws -> [Int] {
        let numbers = text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "，" || $0 == "、" }).map(String.init)
        guard !numbers.isEmpty else {
            throw ValidationFailure([FieldIssue(field: "numbers", message: LocalizedText(zh: "请填写户编号", en: "Enter household numbers"))])
        }
        struct Row: Decodable { let id: Int; let number: String }
        let found = try await database.read { sql in
            try await sql.raw("""
                SELECT id, number FROM households WHERE village_code = \(bind: village.rawValue) AND number IN (\(binds: numbers))
                """).all(decoding: Row.self)
        }
        let known = Set(found.map(\.number))
        let unknown = numbers.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw ValidationFailure([FieldIssue(field: "numbers", message: LocalizedText(
                zh: "本村没有这些户编号：\(unknown.joined(separator: "、"))", en: "No such households here: \(unknown.joined(separator: ", "))"))])
        }
        return found.map(\.id)
    }

    /// The village of a person's latest household, nil when there is no such person.
    public func village(ofPerson id: Int) async throws -> DivisionCode? {
        try await database.villageCode("""
            SELECT h.village_code FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE m.person_id = \(bind: id) ORDER BY m.to_date IS NULL DESC, m.from_date DESC LIMIT 1
            """)
    }

    /// The household a person belongs to now (or last did).
    public func household(ofPerson id: Int) async throws -> Int? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT household_id FROM memberships WHERE person_id = \(bind: id)
                ORDER BY to_date IS NULL DESC, from_date DESC LIMIT 1
                """).first(decodingColumn: "household_id", as: Int.self)
        }
    }
}

extension RegistryRepository {
    /// The group numbers a village's households use, in order.
    public func groupNumbers(of village: DivisionCode) async throws -> [Int] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT DISTINCT group_number FROM households WHERE village_code = \(bind: village.rawValue) AND group_number IS NOT NULL
                ORDER BY group_number
                """).all(decodingColumn: "group_number", as: Int.self)
        }
    }
}

extension RegistryRepository {
    /// Creates a household with its head in one transaction; returns the household's id.
    public func createHousehold(_ draft: HouseholdDraft, head: PersonDraft, from date: String, by actor: AuditActor) async throws -> Int {
        try await database.transaction { sql in
            let id = try await Self.insertHousehold(draft, by: actor, in: sql)
            let person = try await Self.insertPerson(head, since: date, division: draft.village, by: actor, in: sql)
            try await Self.addMember(person: person, household: id, relation: .head, from: date, reason: "登记", in: sql)
            return id
        }
    }

    /// Changes a household's fields when `expectedVersion` is current; `staleVersion` otherwise.
    public func updateHousehold(_ id: Int, to draft: HouseholdDraft, expectedVersion: Int, by actor: AuditActor) async throws {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await database.transaction { sql in
            let before = try await Self.loadDraft(id, in: sql)
            guard before.version == expectedVersion else {
                throw StoreError.staleVersion(expected: expectedVersion, current: before.version)
            }
            if draft.number != before.draft.number {
                try await Self.requireFreeNumber(draft.number, in: before.draft.village.rawValue, sql)
            }
            try await sql.raw("""
                UPDATE households SET number = \(bind: draft.number), group_number = \(bind: draft.groupNumber),
                    natural_village = \(bind: draft.naturalVillage), address = \(bind: draft.address),
                    attribute = \(bind: draft.attribute.rawValue), main_cause = \(bind: draft.mainCause?.rawValue),
                    other_causes = \(bind: draft.otherCauses.map(\.rawValue).joined(separator: ",")),
                    version = version + 1, updated_at = \(bind: Timestamp.now())
                WHERE id = \(bind: id)
                """).run()
            try await AuditLog.record(.update, entity: .household, key: String(id), division: before.draft.village,
                                      before: before.draft, after: draft, by: actor, in: sql)
        }
    }

    /// Adds a member from a date: a new person is registered (birth, marriage, moving in); a person
    /// already registered under the same ID number and name moves here from another household of the same
    /// village, ending that membership on the same date (moves keep both histories), or comes back from no
    /// household (their earlier village recorded them leaving). Someone living in another village is never moved
    /// from here: that village records the leaving first. Returns the person's id.
    ///
    /// `mayMoveFrom` answers whether the caller may also write to the household a villager leaves (a grid leader
    /// moves only between the grids they lead); a refusal gives the same answer as someone living elsewhere.
    public func addMember(
        _ person: PersonDraft, household: Int, relation: Relation, from date: String, reason: String, by actor: AuditActor,
        mayMoveFrom: @Sendable (Int) async throws -> Bool = { _ in true }
    ) async throws -> Int {
        struct Existing: Decodable { let id: Int; let name: String }
        struct Open: Decodable { let householdId: Int; let fromDate: String; let villageCode: String }
        return try await database.transaction { sql in
            let current = try await Self.loadDraft(household, in: sql)
            guard let existing = try await sql.raw("SELECT id, name FROM people WHERE resident_id = \(bind: person.residentID.value)")
                .first(decoding: Existing.self) else {
                let id = try await Self.insertPerson(person, since: date, division: current.draft.village, by: actor, in: sql)
                try await Self.addMember(person: id, household: household, relation: relation, from: date, reason: reason, in: sql)
                return id
            }
            let open = try await sql.raw("""
                SELECT m.household_id, m.from_date, h.village_code FROM memberships m JOIN households h ON h.id = m.household_id
                WHERE m.person_id = \(bind: existing.id) AND m.to_date IS NULL
                """).first(decoding: Open.self, keyDecodingStrategy: .convertFromSnakeCase)
            // One answer for a wrong name and for someone living elsewhere: it says neither whose number it is nor where.
            let mayMove: Bool
            if let open, open.householdId != household { mayMove = try await mayMoveFrom(open.householdId) } else { mayMove = true }
            guard existing.name == person.name, open.map({ $0.villageCode == current.draft.village.rawValue }) ?? true, mayMove else {
                throw ValidationFailure([FieldIssue(field: "residentID", message: LocalizedText(
                    zh: "身份证号 \(person.residentID.masked) 已登记，不能在本户新增；从外村迁入的，须由原村先登记迁出，并核对姓名与证件一致",
                    en: "ID number \(person.residentID.masked) is already registered and cannot be added here; someone moving in from another village must first be recorded as leaving there, under the name on the ID card"))])
            }
            if let open {
                guard open.householdId != household else {
                    throw ValidationFailure([FieldIssue(field: "residentID", message: LocalizedText(zh: "此人已是本户成员", en: "Already a member of this household"))])
                }
                guard date > open.fromDate else {
                    throw ValidationFailure([FieldIssue(field: "from", message: LocalizedText(
                        zh: "迁入日期应晚于在原户的加入日期 \(open.fromDate)", en: "The date must be after joining the previous household on \(open.fromDate)"))])
                }
                try await Self.endMembership(person: existing.id, on: date, reason: "迁往其他户", in: sql)
            }
            try await Self.addMember(person: existing.id, household: household, relation: relation, from: date, reason: reason, in: sql)
            try await AuditLog.record(.update, entity: .membership, key: String(existing.id), division: current.draft.village,
                                      after: ["household": String(household), "from": date, "reason": reason], by: actor, in: sql)
            return existing.id
        }
    }

    /// Ends a member's membership (death, moving out, marrying out); the history stays.
    public func endMember(person: Int, household: Int, on date: String, reason: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            let current = try await Self.loadDraft(household, in: sql)
            let open = try await sql.raw("""
                SELECT from_date FROM memberships WHERE person_id = \(bind: person) AND household_id = \(bind: household) AND to_date IS NULL
                """).first(decodingColumn: "from_date", as: String.self)
            guard let open else { throw StoreError.notFound("membership of person \(person)") }
            guard date > open else {
                throw ValidationFailure([FieldIssue(field: "date", message: LocalizedText(
                    zh: "离开日期应晚于加入日期 \(open)", en: "The leaving date must be after the joining date \(open)"))])
            }
            try await Self.endMembership(person: person, on: date, reason: reason, in: sql)
            try await AuditLog.record(.update, entity: .membership, key: String(person), division: current.draft.village,
                                      after: ["household": String(household), "until": date, "reason": reason], by: actor, in: sql)
        }
    }

    /// Undoes a member's leaving: the membership runs on as if never ended, unless the person lives in a household now
    /// or the household was closed since.
    public func resumeMember(person: Int, household: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            let current = try await Self.loadDraft(household, in: sql)
            guard let left = try await Self.leftMember(person, household: household, in: sql) else {
                throw ValidationFailure([FieldIssue(field: "person", message: LocalizedText(
                    zh: "此人没有离开本户，或已加入别的户", en: "This person has not left the household, or lives in another now"))])
            }
            try await sql.raw("""
                UPDATE memberships SET to_date = NULL, reason_out = NULL
                WHERE person_id = \(bind: person) AND household_id = \(bind: household) AND to_date = \(bind: left.toDate)
                """).run()
            try await AuditLog.record(.update, entity: .membership, key: String(person), division: current.draft.village,
                                      before: ["household": String(household), "until": left.toDate], after: ["household": String(household), "until": String?.none],
                                      by: actor, in: sql)
        }
    }

    /// A person whose last membership, of `household`, has ended, who lives in no household now, of a household not
    /// closed: the one an undo may bring back. Their name and the day they left.
    public func leftMember(_ person: Int, household: Int) async throws -> (name: String, toDate: String)? {
        try await database.read { sql in try await Self.leftMember(person, household: household, in: sql) }
    }

    private static func leftMember(_ person: Int, household: Int, in sql: any SQLDatabase) async throws -> (name: String, toDate: String)? {
        struct Row: Decodable { let name: String; let toDate: String }
        return try await sql.raw("""
            SELECT p.name, m.to_date AS "toDate" FROM memberships m JOIN people p ON p.id = m.person_id JOIN households h ON h.id = m.household_id
            WHERE m.person_id = \(bind: person) AND m.household_id = \(bind: household) AND m.to_date IS NOT NULL AND h.closed_on IS NULL
              AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = m.person_id AND (o.to_date IS NULL OR o.from_date >= m.to_date))
            ORDER BY m.to_date DESC LIMIT 1
            """).first(decoding: Row.self).map { ($0.name, $0.toDate) }
    }

    /// Stores a household's assessment for a year, audited. `expectedVersion` is the version the
    /// editor read (0 for a year not yet assessed); a different stored version is `staleVersion`.
    public func saveAssessment(_ assessment: Assessment, household: Int, expectedVersion: Int, by actor: AuditActor) async throws {
        let problems = assessment.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await database.transaction { sql in
            let current = try await Self.loadDraft(household, in: sql)
            let stored = try await sql.raw("""
                SELECT version FROM assessments WHERE household_id = \(bind: household) AND year = \(bind: assessment.year)
                """).first(decodingColumn: "version", as: Int.self) ?? 0
            guard stored == expectedVersion else { throw StoreError.staleVersion(expected: expectedVersion, current: stored) }
            try await Self.saveAssessment(assessment, household: household, in: sql)
            try await AuditLog.record(.update, entity: .assessment, key: "\(household)/\(assessment.year)", division: current.draft.village,
                                      after: assessment, by: actor, in: sql)
        }
    }

    /// Closes a household with a date and reason (merged, moved away, everyone died); it is never
    /// deleted, its history stays, and it leaves the lists. Members still in it are refused.
    public func closeHousehold(_ id: Int, on date: String, reason: String, by actor: AuditActor) async throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationFailure([FieldIssue(field: "reason", message: LocalizedText(zh: "请填写注销原因", en: "Give the reason for closing"))])
        }
        try await database.transaction { sql in
            let current = try await Self.loadDraft(id, in: sql)
            let open = try await sql.raw("SELECT count(*) AS n FROM memberships WHERE household_id = \(bind: id) AND to_date IS NULL")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            guard open == 0 else {
                throw ValidationFailure([FieldIssue(field: "reason", message: LocalizedText(
                    zh: "户内还有 \(open) 名成员，请先登记他们离开或迁往他户", en: "\(open) members are still in the household; record their leaving first"))])
            }
            try await sql.raw("""
                UPDATE households SET closed_on = \(bind: date), closed_reason = \(bind: reason), version = version + 1,
                    updated_at = \(bind: Timestamp.now()) WHERE id = \(bind: id)
                """).run()
            try await AuditLog.record(.update, entity: .household, key: String(id), division: current.draft.village,
                                      after: ["closedOn": date, "closedReason": reason], by: actor, in: sql)
        }
    }

    /// Undoes a household's closing: it is back on the lists as before. A household not closed is left as it is.
    public func reopenHousehold(_ id: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            let current = try await Self.loadDraft(id, in: sql)
            guard let closed = current.closed else { return }
            try await sql.raw("""
                UPDATE households SET closed_on = NULL, closed_reason = NULL, version = version + 1, updated_at = \(bind: Timestamp.now())
                WHERE id = \(bind: id)
                """).run()
            try await AuditLog.record(.update, entity: .household, key: String(id), division: current.draft.village,
                                      before: ["closedOn": closed.date, "closedReason": closed.reason], after: ["closedOn": String?.none, "closedReason": String?.none],
                                      by: actor, in: sql)
        }
    }

    /// Records a status change of a household, audited.
    ///
    /// An exit (脱贫) needs the check of its year's assessment to pass (`ExitRules.exitProblems`), or the change's
    /// `override` saying why it was decided anyway; the override is kept with the event and in the audit log.
    public func changeStatus(_ change: StatusChange, household: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            let current = try await Self.loadDraft(household, in: sql)
            if change.status == .exited, let year = Int(change.date.prefix(4)) {
                let file = try await Self.file(household, in: sql)
                // Only a poor household exits: one never registered poor, or already out, has nothing to leave.
                guard file.statusChanges.last(where: { $0.date <= change.date })?.status == .poor else {
                    throw ValidationFailure([FieldIssue(field: "status", message: LocalizedText(
                        zh: "\(change.date) 时本户不是贫困户，不能登记脱贫", en: "On \(change.date) the household is not poor, so it cannot exit"))])
                }
                let assessment = file.assessments.first { $0.year == year }
                let line = try await Self.parameters(for: current.draft.village, years: [year], in: sql)[year]?.povertyLineFen
                let check = assessment.map {
                    ExitRules.household(income: $0.income, members: $0.members, guarantees: $0.guarantees, povertyLineFen: line ?? 0)
                }
                let problems = ExitRules.exitProblems(year: year, check: check, override: change.override)
                guard problems.isEmpty else { throw ValidationFailure(problems) }
            }
            try await Self.recordStatus(change, household: household, division: current.draft.village, by: actor, in: sql)
        }
    }

    private static func loadDraft(
        _ id: Int, in sql: any SQLDatabase
    ) async throws -> (draft: HouseholdDraft, version: Int, closed: (date: String, reason: String)?) {
        struct Row: Decodable {
            let villageCode: String; let number: String; let groupNumber: Int?; let naturalVillage: String?
            let address: String; let attribute: String; let mainCause: String?; let otherCauses: String; let version: Int
            let closedOn: String?; let closedReason: String?
        }
        guard let row = try await sql.raw("""
            SELECT village_code, number, group_number, natural_village, address, attribute, main_cause, other_causes, version,
                   closed_on, closed_reason
            FROM households WHERE id = \(bind: id)
            """).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase) else {
            throw StoreError.notFound("household \(id)")
        }
        let draft = HouseholdDraft(
            number: row.number, village: try DivisionCode(validating: row.villageCode), groupNumber: row.groupNumber,
            naturalVillage: row.naturalVillage, address: row.address, attribute: HouseholdAttribute(rawValue: row.attribute) ?? .ordinary,
            mainCause: row.mainCause.flatMap(PovertyCause.init),
            otherCauses: row.otherCauses.split(separator: ",").compactMap { PovertyCause(rawValue: String($0)) })
        return (draft, row.version, row.closedOn.map { ($0, row.closedReason ?? "") })
    }
}
