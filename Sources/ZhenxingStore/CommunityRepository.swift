import Foundation
import SQLKit
import ZhenxingDomain

/// An activity as listed, with its attendance: the names on its list, or the number counted where no list exists.
public struct ActivityRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let kind: String
    public let title: String
    public let heldOn: String
    public let place: String
    public let organiser: String
    public let partner: String
    public let speaker: String
    public let speakerType: String?
    public let classroom: String?
    public let counted: Int?
    public let parties: String
    public let outcome: String
    /// People on the list.
    public let listed: Int

    /// Person-times: the list's names, or the counted number.
    public var attendance: Int { counted ?? listed }

    enum CodingKeys: String, CodingKey {
        case id, kind, title, place, organiser, partner, speaker, classroom, counted, parties, outcome, listed
        case villageCode = "village_code", heldOn = "held_on", speakerType = "speaker_type"
    }
}

/// A person, named, with their household's number: an attendee, a worker, a nominee.
public struct NamedPerson: Sendable, Hashable, Decodable {
    public let id: Int
    public let name: String
    public let householdId: Int?
    public let householdNumber: String?

    enum CodingKeys: String, CodingKey {
        case id, name
        case householdId = "household_id", householdNumber = "household_number"
    }
}

/// A nomination with its type, who or which household, its votes and whether it won.
public struct NominationRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let typeId: Int
    public let typeName: String
    public let year: Int
    public let personId: Int?
    public let householdId: Int?
    /// The person's name, or the household's head's name and number.
    public let nominee: String
    public let nominatedBy: String
    public let reason: String
    public let votes: Int
    public let winner: Bool
    public let announcedOn: String?

    enum CodingKeys: String, CodingKey {
        case id, year, nominee, reason, votes, winner
        case villageCode = "village_code", typeId = "type_id", typeName = "type_name", personId = "person_id", householdId = "household_id"
        case nominatedBy = "nominated_by", announcedOn = "announced_on"
    }
}

/// An honour type (最美脱贫户 …) and whether a person or a household receives it.
public struct HonourType: Sendable, Hashable, Decodable {
    public let id: Int
    public let name: String
    public let subject: String
}

/// A project as listed, with its totals.
public struct ProjectRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let name: String
    public let kind: String
    public let partner: String
    public let status: String
    public let startedOn: String?
    public let description: String
    public let investmentFen: Int
    public let landMuHundredths: Int
    public let jobs: Int
    public let beneficiaries: Int

    enum CodingKeys: String, CodingKey {
        case id, name, kind, partner, status, description, jobs, beneficiaries
        case villageCode = "village_code", startedOn = "started_on", investmentFen = "investment_fen", landMuHundredths = "land_mu_hundredths"
    }
}

/// Everything recorded about a project.
public struct ProjectFile: Sendable {
    public let row: ProjectRow
    public let investments: [(source: String, amountFen: Int)]
    public let land: [LandContractDraft]
    public let jobs: [(person: NamedPerson, position: String, from: String, to: String?)]
    public let beneficiaries: [NamedPerson]
    public let returns: [(year: Int, incomeFen: Int, dividendsFen: Int)]
    public let sales: [SalesAgreementDraft]
    public let milestones: [(date: String, text: String)]
}

/// A cooperative or a demonstration household.
public struct EnterpriseRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let kind: String
    public let name: String
    public let householdId: Int?
    public let householdNumber: String?
    public let since: String
    public let note: String

    enum CodingKeys: String, CodingKey {
        case id, kind, name, since, note
        case villageCode = "village_code", householdId = "household_id", householdNumber = "household_number"
    }
}

/// One entry of a village's collective income.
public struct IncomeEntry: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let year: Int
    public let receivedOn: String
    public let source: String
    public let amountFen: Int
    public let note: String

    enum CodingKeys: String, CodingKey {
        case id, year, source, note
        case villageCode = "village_code", receivedOn = "received_on", amountFen = "amount_fen"
    }
}

/// What the community side of a division adds to its figures for a year.
public struct CommunityFigures: Sendable, Hashable, Codable {
    /// Sessions and person-times by activity kind.
    public var activities: [String: Attendance] = [:]
    /// Person-times counted rather than listed (included in `activities`).
    public var countedPersonTimes = 0
    /// Winners by honour type.
    public var honours: [String: Int] = [:]
    public var projects = 0
    /// Land transferred to projects under contracts running in the year, in hundredths of a mu.
    public var landMuHundredths = 0
    /// People in project jobs at the year's end.
    public var jobs = 0
    /// Collective income of the year, in fen.
    public var collectiveIncomeFen = 0
    /// People able to work (普通劳动力, 技能劳动力) living in the division at the year's end, and how many of them work.
    public var ableToWork = 0
    public var employed = 0
    /// Employed people by kind of work.
    public var employment: [String: Int] = [:]
    /// Cooperatives and demonstration households by kind.
    public var enterprises: [String: Int] = [:]

    /// Employed / able to work, nil without anyone able to work (the figures document writes it beside the counts).
    public var employmentRate: Double? { ableToWork == 0 ? nil : Double(employed) / Double(ableToWork) }

    /// Adds another division's figures.
    mutating func add(_ other: CommunityFigures) {
        activities.merge(other.activities) { Attendance(sessions: $0.sessions + $1.sessions, personTimes: $0.personTimes + $1.personTimes) }
        countedPersonTimes += other.countedPersonTimes
        honours.merge(other.honours, uniquingKeysWith: +)
        projects += other.projects
        landMuHundredths += other.landMuHundredths
        jobs += other.jobs
        collectiveIncomeFen += other.collectiveIncomeFen
        ableToWork += other.ableToWork
        employed += other.employed
        employment.merge(other.employment, uniquingKeysWith: +)
        enterprises.merge(other.enterprises, uniquingKeysWith: +)
    }

    public struct Attendance: Sendable, Hashable, Codable {
        public var sessions: Int
        public var personTimes: Int
    }

    public init() {}
}

/// Activities and attendance, honours, projects, cooperatives and demonstration households, collective income,
/// and the employment of the people able to work.
public struct CommunityRepository: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    // MARK: Activities

    /// Records an activity with its attendance (villagers of the village, or a counted number); returns its id.
    public func addActivity(_ draft: ActivityDraft, attendees: [Int], village: DivisionCode, today: String, by actor: AuditActor) async throws -> Int {
        var problems = draft.problems(today: today)
        if !attendees.isEmpty && draft.counted != nil {
            problems.append(FieldIssue(field: "counted", message: LocalizedText(zh: "有签到名单时不再填写人数", en: "Give a list of names or a count, not both")))
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.addActivity(draft, attendees: attendees, village: village, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller, but for the attendees' village).
    public static func addActivity(_ draft: ActivityDraft, attendees: [Int], village: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        let id = try await BulkInsert.row(
            into: "activities", columns: ["village_code", "kind", "title", "held_on", "place", "organiser", "partner", "speaker", "speaker_type", "classroom",
                                          "counted", "parties", "outcome", "created_at"],
            values: [village.rawValue, draft.kind.rawValue, draft.title.trimmingCharacters(in: .whitespaces), draft.date, draft.place, draft.organiser,
                     draft.partner, draft.speaker, draft.speakerType?.rawValue, draft.classroom?.rawValue, draft.counted, draft.parties, draft.outcome,
                     Timestamp.now()], in: sql)
        try await addAttendees(attendees, to: id, village: village, date: draft.date, in: sql)
        try await AuditLog.record(.create, entity: .activity, key: String(id), division: village, after: draft, by: actor, in: sql)
        return id
    }

    /// Adds villagers to an activity's list; someone who did not live in the village that day is refused, nothing stored.
    public func addAttendees(_ people: [Int], to activity: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            struct Row: Decodable { let villageCode: String; let heldOn: String; let counted: Int?
                enum CodingKeys: String, CodingKey { case counted; case villageCode = "village_code", heldOn = "held_on" } }
            guard let row = try await sql.raw("SELECT village_code, held_on, counted FROM activities WHERE id = \(bind: activity)")
                .first(decoding: Row.self) else { throw StoreError.notFound("activity \(activity)") }
            guard row.counted == nil else {
                throw ValidationFailure([FieldIssue(field: "attendees", message: LocalizedText(
                    zh: "这次活动按人数统计，没有签到名单", en: "This activity was counted, not listed"))])
            }
            let already = Set(try await sql.raw("SELECT person_id FROM activity_attendees WHERE activity_id = \(bind: activity)")
                .all(decodingColumn: "person_id", as: Int.self))
            try await Self.addAttendees(people.filter { !already.contains($0) }, to: activity, village: try DivisionCode(validating: row.villageCode),
                                        date: row.heldOn, in: sql)
            try await AuditLog.record(.update, entity: .activity, key: String(activity), after: ["attendees": people.count], by: actor, in: sql)
        }
    }

    private static func addAttendees(_ people: [Int], to activity: Int, village: DivisionCode, date: String, in sql: any SQLDatabase) async throws {
        let unique = Array(Set(people)).sorted()
        guard !unique.isEmpty else { return }
        try await VillageReference.person.require(unique, in: village, field: "attendees", sql: sql)
        let living = Set(try await sql.raw("""
            SELECT DISTINCT m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE m.person_id IN (\(binds: unique)) AND h.village_code = \(bind: village.rawValue)
              AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
            """).all(decodingColumn: "person_id", as: Int.self))
        let strangers = unique.filter { !living.contains($0) }
        guard strangers.isEmpty else {
            throw ValidationFailure([FieldIssue(field: "attendees", message: LocalizedText(
                zh: "有 \(strangers.count) 人在活动当天不是本村村民，不能计入签到", en: "\(strangers.count) of them did not live in the village that day"))])
        }
        try await BulkInsert.rows(unique.map { [activity, $0] as [any Encodable & Sendable] }, into: "activity_attendees",
                                  columns: ["activity_id", "person_id"], in: sql)
    }

    /// Activities of a division in a year, newest first, optionally of one kind.
    public func activities(in division: DivisionCode, year: Int, kind: ActivityKind? = nil, before: NewestFirst? = nil, limit: Int = 1_000) async throws -> [ActivityRow] {
        var condition: SQLQueryString = """
            \(division.covers("a.village_code")) AND a.held_on BETWEEN \(bind: "\(year)-01-01") AND \(bind: "\(year)-12-31")
            """
        if let kind { condition += " AND a.kind = \(bind: kind.rawValue)" }
        if let before { condition += " AND \(before.condition(date: "a.held_on", id: "a.id"))" }
        return try await activityRows(condition, limit: limit)
    }

    /// One activity.
    public func activity(_ id: Int) async throws -> ActivityRow {
        guard let row = try await activityRows("a.id = \(bind: id)", limit: 1).first else { throw StoreError.notFound("activity \(id)") }
        return row
    }

    private func activityRows(_ condition: SQLQueryString, limit: Int) async throws -> [ActivityRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT a.id, a.village_code, a.kind, a.title, a.held_on, a.place, a.organiser, a.partner, a.speaker, a.speaker_type, a.classroom,
                       a.counted, a.parties, a.outcome, (SELECT count(*) FROM activity_attendees x WHERE x.activity_id = a.id) AS listed
                FROM activities a WHERE \(condition) ORDER BY a.held_on DESC, a.id DESC LIMIT \(literal: limit)
                """).all(decoding: ActivityRow.self)
        }
    }

    /// The people on an activity's list.
    public func attendees(of activity: Int) async throws -> [NamedPerson] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.name, \(Self.householdOf("p.id")) FROM activity_attendees x JOIN people p ON p.id = x.person_id
                WHERE x.activity_id = \(bind: activity) ORDER BY household_number, p.id
                """).all(decoding: NamedPerson.self)
        }
    }

    /// The activities the members of a household attended, with who went.
    public func attendance(ofHousehold household: Int) async throws -> [(activity: ActivityRow, person: String)] {
        try await database.read { sql in
            struct Row: Decodable { let activityId: Int; let name: String; enum CodingKeys: String, CodingKey { case name; case activityId = "activity_id" } }
            let rows = try await sql.raw("""
                SELECT x.activity_id, p.name FROM activity_attendees x JOIN people p ON p.id = x.person_id
                WHERE x.person_id IN (SELECT person_id FROM memberships WHERE household_id = \(bind: household))
                ORDER BY x.activity_id DESC LIMIT 500
                """).all(decoding: Row.self)
            guard !rows.isEmpty else { return [] }
            let activities = Dictionary(uniqueKeysWithValues: try await sql.raw("""
                SELECT a.id, a.village_code, a.kind, a.title, a.held_on, a.place, a.organiser, a.partner, a.speaker, a.speaker_type, a.classroom,
                       a.counted, a.parties, a.outcome, 0 AS listed FROM activities a WHERE a.id IN (\(binds: Array(Set(rows.map(\.activityId)))))
                """).all(decoding: ActivityRow.self).map { ($0.id, $0) })
            return rows.compactMap { row in activities[row.activityId].map { ($0, row.name) } }.sorted { $0.activity.heldOn > $1.activity.heldOn }
        }
    }

    /// The current household of a person as `household_id, household_number` columns.
    static func householdOf(_ person: String) -> SQLQueryString {
        """
        (SELECT m.household_id FROM memberships m WHERE m.person_id = \(unsafeRaw: person) ORDER BY m.to_date IS NULL DESC, m.from_date DESC LIMIT 1) AS household_id,
        (SELECT h.number FROM memberships m JOIN households h ON h.id = m.household_id WHERE m.person_id = \(unsafeRaw: person)
         ORDER BY m.to_date IS NULL DESC, m.from_date DESC LIMIT 1) AS household_number
        """
    }

    // MARK: Honours

    /// The honour types, the usual four and those an administrator added.
    public func honourTypes() async throws -> [HonourType] {
        try await database.read { sql in try await sql.raw("SELECT id, name, subject FROM honour_types ORDER BY id").all(decoding: HonourType.self) }
    }

    /// Adds an honour type for every village.
    public func addHonourType(name: String, subject: String, by actor: AuditActor) async throws -> Int {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 20, ["person", "household"].contains(subject) else {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "请写明评选名称（不超过 20 字）和评选对象", en: "Give the honour's name (at most 20 characters) and who receives it"))])
        }
        return try await database.transaction { sql in
            if try await sql.raw("SELECT id FROM honour_types WHERE name = \(bind: name)").first(decodingColumn: "id", as: Int.self) != nil {
                throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "已有这个评选类型", en: "That honour exists already"))])
            }
            let id = try await BulkInsert.row(into: "honour_types", columns: ["name", "subject", "created_at"], values: [name, subject, Timestamp.now()], in: sql)
            try await AuditLog.record(.create, entity: .honourType, key: String(id), after: ["name": name], by: actor, in: sql)
            return id
        }
    }

    /// Nominates a villager or a household of the village for an honour of a year; refused once the round is announced.
    public func nominate(village: DivisionCode, type: Int, year: Int, person: Int?, household: Int?, nominatedBy: String, reason: String,
                         by actor: AuditActor) async throws -> Int {
        try await database.transaction { sql in
            guard let subject = try await sql.raw("SELECT subject FROM honour_types WHERE id = \(bind: type)").first(decodingColumn: "subject", as: String.self) else {
                throw ValidationFailure([FieldIssue(field: "type", message: LocalizedText(zh: "没有这个评选类型", en: "No such honour"))])
            }
            try await Self.requireOpen(village: village, type: type, year: year, in: sql)
            var problems: [FieldIssue] = []
            if nominatedBy.trimmingCharacters(in: .whitespaces).isEmpty || reason.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(FieldIssue(field: "reason", message: LocalizedText(zh: "请写明推荐人和推荐理由", en: "Give who nominates and why")))
            }
            let found: Bool
            if subject == "household" {
                found = try await sql.raw("SELECT id FROM households WHERE id = \(bind: household ?? 0) AND village_code = \(bind: village.rawValue)")
                    .first(decodingColumn: "id", as: Int.self) != nil && person == nil
            } else {
                found = try await sql.raw("""
                    SELECT m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
                    WHERE m.person_id = \(bind: person ?? 0) AND h.village_code = \(bind: village.rawValue) AND m.to_date IS NULL
                    """).first(decodingColumn: "person_id", as: Int.self) != nil && household == nil
            }
            if !found {
                problems.append(FieldIssue(field: "nominee", message: subject == "household"
                    ? LocalizedText(zh: "这项评选的对象是本村的一户", en: "This honour goes to a household of the village")
                    : LocalizedText(zh: "这项评选的对象是本村的一位村民", en: "This honour goes to a villager")))
            }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let id = try await BulkInsert.row(
                into: "nominations", columns: ["village_code", "type_id", "year", "person_id", "household_id", "nominated_by", "reason", "votes", "winner", "created_at"],
                values: [village.rawValue, type, year, person, household, nominatedBy, reason, 0, false, Timestamp.now()], in: sql)
            try await AuditLog.record(.create, entity: .nomination, key: String(id), division: village, after: ["type": type, "year": year], by: actor, in: sql)
            return id
        }
    }

    /// Adds counted votes to a nomination; refused once its round is announced.
    public func vote(_ nomination: Int, votes: Int, by actor: AuditActor) async throws {
        guard votes > 0, votes <= 100_000 else {
            throw ValidationFailure([FieldIssue(field: "votes", message: LocalizedText(zh: "票数应为正整数", en: "Votes must be a positive number"))])
        }
        try await database.transaction { sql in
            let row = try await Self.round(of: nomination, in: sql)
            try await Self.requireOpen(village: row.village, type: row.type, year: row.year, in: sql)
            try await sql.raw("UPDATE nominations SET votes = votes + \(bind: votes) WHERE id = \(bind: nomination)").run()
            try await AuditLog.record(.update, entity: .nomination, key: String(nomination), after: ["votes": votes], by: actor, in: sql)
        }
    }

    /// Announces the winners of a round (an honour type, a village, a year): no more nominations or votes after it.
    public func announce(village: DivisionCode, type: Int, year: Int, winners: [Int], on date: String, by actor: AuditActor) async throws {
        guard Day.isValid(date) else { throw ValidationFailure([FieldIssue.notADay("announced")]) }
        try await database.transaction { sql in
            try await Self.requireOpen(village: village, type: type, year: year, in: sql)
            let inRound = Set(try await sql.raw("""
                SELECT id FROM nominations WHERE village_code = \(bind: village.rawValue) AND type_id = \(bind: type) AND year = \(bind: year)
                """).all(decodingColumn: "id", as: Int.self))
            guard !winners.isEmpty, Set(winners).isSubset(of: inRound) else {
                throw ValidationFailure([FieldIssue(field: "winners", message: LocalizedText(
                    zh: "请从本轮的推荐人选中选出获评者", en: "Choose the winners among this round's nominations"))])
            }
            try await sql.raw("UPDATE nominations SET winner = \(bind: true) WHERE id IN (\(binds: winners))").run()
            try await sql.raw("""
                INSERT INTO honour_rounds (village_code, type_id, year, announced_on) VALUES (\(bind: village.rawValue), \(bind: type), \(bind: year), \(bind: date))
                """).run()
            try await AuditLog.record(.update, entity: .honourRound, key: "\(type)/\(year)", division: village, after: ["winners": winners.count], by: actor, in: sql)
        }
    }

    private static func round(of nomination: Int, in sql: any SQLDatabase) async throws -> (village: DivisionCode, type: Int, year: Int) {
        struct Row: Decodable { let villageCode: String; let typeId: Int; let year: Int
            enum CodingKeys: String, CodingKey { case year; case villageCode = "village_code", typeId = "type_id" } }
        guard let row = try await sql.raw("SELECT village_code, type_id, year FROM nominations WHERE id = \(bind: nomination)").first(decoding: Row.self) else {
            throw ValidationFailure([FieldIssue(field: "nomination", message: LocalizedText(zh: "没有这项推荐", en: "No such nomination"))])
        }
        return (try DivisionCode(validating: row.villageCode), row.typeId, row.year)
    }

    private static func requireOpen(village: DivisionCode, type: Int, year: Int, in sql: any SQLDatabase) async throws {
        if let announced = try await sql.raw("""
            SELECT announced_on FROM honour_rounds WHERE village_code = \(bind: village.rawValue) AND type_id = \(bind: type) AND year = \(bind: year)
            """).first(decodingColumn: "announced_on", as: String.self) {
            throw ValidationFailure([FieldIssue(field: "votes", message: LocalizedText(
                zh: "本轮评选已于 \(announced) 公布结果，不能再推荐或投票", en: "This round was announced on \(announced): no more nominations or votes"))])
        }
    }

    /// The nominations of a division in a year (winners first), or those of a household and its members.
    public func nominations(in division: DivisionCode? = nil, year: Int? = nil, household: Int? = nil) async throws -> [NominationRow] {
        var condition: SQLQueryString = "1 = 1"
        if let division { condition += " AND \(division.covers("n.village_code"))" }
        if let year { condition += " AND n.year = \(bind: year)" }
        if let household {
            condition += " AND (n.household_id = \(bind: household) OR n.person_id IN (SELECT person_id FROM memberships WHERE household_id = \(bind: household)))"
        }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT n.id, n.village_code, n.type_id, t.name AS type_name, n.year, n.person_id, n.household_id,
                       COALESCE(p.name, (SELECT pe.name || '（' || h.number || '）' FROM memberships m JOIN people pe ON pe.id = m.person_id
                                          JOIN households h ON h.id = m.household_id
                                          WHERE m.household_id = n.household_id AND m.relation = 'head' ORDER BY m.to_date IS NULL DESC LIMIT 1), '') AS nominee,
                       n.nominated_by, n.reason, n.votes, n.winner, r.announced_on
                FROM nominations n JOIN honour_types t ON t.id = n.type_id LEFT JOIN people p ON p.id = n.person_id
                LEFT JOIN honour_rounds r ON r.village_code = n.village_code AND r.type_id = n.type_id AND r.year = n.year
                WHERE \(condition) ORDER BY n.year DESC, n.type_id, n.winner DESC, n.votes DESC, n.id LIMIT 2000
                """).all(decoding: NominationRow.self)
        }
    }

    // MARK: Projects

    /// Creates a project of a village; returns its id.
    public func createProject(_ draft: ProjectDraft, village: DivisionCode, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.createProject(draft, village: village, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller).
    public static func createProject(_ draft: ProjectDraft, village: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        let name = draft.name.trimmingCharacters(in: .whitespaces)
        if try await sql.raw("SELECT id FROM projects WHERE village_code = \(bind: village.rawValue) AND name = \(bind: name)")
            .first(decodingColumn: "id", as: Int.self) != nil {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "本村已有同名项目", en: "The village has a project of that name"))])
        }
        let id = try await BulkInsert.row(
            into: "projects", columns: ["village_code", "name", "kind", "partner", "status", "started_on", "description", "created_at"],
            values: [village.rawValue, name, draft.kind.rawValue, draft.partner, draft.status.rawValue, draft.started, draft.description, Timestamp.now()], in: sql)
        try await AuditLog.record(.create, entity: .project, key: String(id), division: village, after: draft, by: actor, in: sql)
        return id
    }

    /// One of the things recorded about a project.
    public enum ProjectEntry: Sendable {
        case status(ProjectStatus)
        case investment(source: String, amountFen: Int)
        case land(LandContractDraft)
        case job(person: Int, position: String, from: String)
        case beneficiaries([Int])
        case returns(year: Int, incomeFen: Int, dividendsFen: Int)
        case sale(SalesAgreementDraft)
        case milestone(date: String, text: String)

        /// What the audit log keeps of the entry: which kind it is and its values, field by field.
        var auditRecord: [String: String] {
            switch self {
            case .status(let status): ["entry": "status", "status": status.rawValue]
            case .investment(let source, let amount): ["entry": "investment", "source": source, "amountFen": String(amount)]
            case .land(let contract):
                ["entry": "land", "lessor": contract.lessor, "areaMuHundredths": String(contract.areaMuHundredths), "from": contract.start,
                 "to": contract.end, "rentFenPerYear": String(contract.rentFenPerYear)].merging(contract.householdID.map { ["householdID": String($0)] } ?? [:]) { $1 }
            case .job(let person, let position, let from): ["entry": "job", "person": String(person), "position": position, "from": from]
            case .beneficiaries(let households): ["entry": "beneficiaries", "households": households.map(String.init).joined(separator: ",")]
            case .returns(let year, let income, let dividends):
                ["entry": "returns", "year": String(year), "incomeFen": String(income), "dividendsFen": String(dividends)]
            case .sale(let sale):
                ["entry": "sale", "buyer": sale.buyer, "product": sale.product, "amountFen": String(sale.amountFen), "from": sale.start, "to": sale.end]
            case .milestone(let date, let text): ["entry": "milestone", "date": date, "text": text]
            }
        }
    }

    /// Records one thing about a project: checked, in one transaction, people and households only of its village.
    public func record(_ entry: ProjectEntry, project: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in try await Self.record(entry, project: project, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction.
    public static func record(_ entry: ProjectEntry, project: Int, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        guard let code = try await sql.raw("SELECT village_code FROM projects WHERE id = \(bind: project)").first(decodingColumn: "village_code", as: String.self)
        else { throw StoreError.notFound("project \(project)") }
        func fail(_ field: String, _ zh: String, _ en: String) -> ValidationFailure {
            ValidationFailure([FieldIssue(field: field, message: LocalizedText(zh: zh, en: en))])
        }
        func householdsInVillage(_ ids: [Int]) async throws -> Bool {
            try await sql.raw("SELECT count(*) AS n FROM households WHERE id IN (\(binds: ids)) AND village_code = \(bind: code)")
                .first(decodingColumn: "n", as: Int.self) == Set(ids).count
        }
        switch entry {
        case .status(let status):
            try await sql.raw("UPDATE projects SET status = \(bind: status.rawValue) WHERE id = \(bind: project)").run()
        case .investment(let source, let amount):
            guard !source.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("source", "请写明资金来源", "Give the source of the funds")
            }
            if let problem = FieldIssue.money(amount, field: "amount", positive: true) { throw ValidationFailure([problem]) }
            _ = try await BulkInsert.row(into: "project_investments", columns: ["project_id", "source", "amount_fen"], values: [project, source, amount], in: sql)
        case .land(let contract):
            let problems = contract.problems()
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            if let household = contract.householdID, try await !householdsInVillage([household]) {
                throw fail("household", "出租土地的农户不在本村", "The household leasing the land is not of this village")
            }
            _ = try await BulkInsert.row(
                into: "land_contracts", columns: ["project_id", "lessor", "household_id", "area_mu_hundredths", "start_on", "end_on", "rent_fen_per_year"],
                values: [project, contract.lessor, contract.householdID, contract.areaMuHundredths, contract.start, contract.end, contract.rentFenPerYear], in: sql)
        case .job(let person, let position, let from):
            guard Day.isValid(from), !position.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("position", "请写明岗位和上岗日期", "Give the position and the start date")
            }
            guard try await sql.raw("""
                SELECT m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
                WHERE m.person_id = \(bind: person) AND h.village_code = \(bind: code) AND m.to_date IS NULL
                """).first(decodingColumn: "person_id", as: Int.self) != nil else {
                throw fail("person", "上岗的人不是本村村民", "The person employed is not a villager")
            }
            _ = try await BulkInsert.row(into: "project_jobs", columns: ["project_id", "person_id", "position", "from_date"],
                                         values: [project, person, position, from], in: sql)
        case .beneficiaries(let households):
            guard !households.isEmpty, try await householdsInVillage(households) else {
                throw fail("household", "受益户须是本村的农户", "Beneficiaries must be households of this village")
            }
            try await sql.raw("DELETE FROM project_beneficiaries WHERE project_id = \(bind: project) AND household_id IN (\(binds: households))").run()
            try await BulkInsert.rows(Set(households).sorted().map { [project, $0] as [any Encodable & Sendable] }, into: "project_beneficiaries",
                                      columns: ["project_id", "household_id"], in: sql)
        case .returns(let year, let income, let dividends):
            let problems = [FieldIssue.years.contains(year) ? nil : FieldIssue.yearOutOfRange(),
                            FieldIssue.money(income, field: "income"), FieldIssue.money(dividends, field: "dividends")].compactMap { $0 }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            try await sql.raw("DELETE FROM project_returns WHERE project_id = \(bind: project) AND year = \(bind: year)").run()
            try await sql.raw("""
                INSERT INTO project_returns (project_id, year, income_fen, dividends_fen) VALUES (\(bind: project), \(bind: year), \(bind: income), \(bind: dividends))
                """).run()
        case .sale(let sale):
            let problems = sale.problems()
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            _ = try await BulkInsert.row(into: "sales_agreements", columns: ["project_id", "buyer", "product", "amount_fen", "start_on", "end_on"],
                                         values: [project, sale.buyer, sale.product, sale.amountFen, sale.start, sale.end], in: sql)
        case .milestone(let date, let text):
            guard Day.isValid(date), !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("milestone", "请写明日期和进展", "Give the date and what happened")
            }
            _ = try await BulkInsert.row(into: "project_milestones", columns: ["project_id", "reached_on", "text"], values: [project, date, text], in: sql)
        }
        try await AuditLog.record(.update, entity: .project, key: String(project), division: try? DivisionCode(validating: code),
                                  after: entry.auditRecord, by: actor, in: sql)
    }

    /// The projects of a division with their totals.
    public func projects(in division: DivisionCode) async throws -> [ProjectRow] {
        try await projectRows("\(division.covers("p.village_code"))")
    }

    private func projectRows(_ condition: SQLQueryString) async throws -> [ProjectRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.village_code, p.name, p.kind, p.partner, p.status, p.started_on, p.description,
                       CAST(COALESCE((SELECT sum(amount_fen) FROM project_investments i WHERE i.project_id = p.id), 0) AS BIGINT) AS investment_fen,
                       CAST(COALESCE((SELECT sum(area_mu_hundredths) FROM land_contracts l WHERE l.project_id = p.id), 0) AS BIGINT) AS land_mu_hundredths,
                       (SELECT count(*) FROM project_jobs j WHERE j.project_id = p.id AND j.to_date IS NULL) AS jobs,
                       (SELECT count(*) FROM project_beneficiaries b WHERE b.project_id = p.id) AS beneficiaries
                FROM projects p WHERE \(condition) ORDER BY p.village_code, p.id
                """).all(decoding: ProjectRow.self)
        }
    }

    /// Everything about a project.
    public func project(_ id: Int) async throws -> ProjectFile {
        guard let row = try await projectRows("p.id = \(bind: id)").first else { throw StoreError.notFound("project \(id)") }
        return try await database.read { sql in
            struct Investment: Decodable { let source: String; let amountFen: Int; enum CodingKeys: String, CodingKey { case source; case amountFen = "amount_fen" } }
            struct Land: Decodable {
                let lessor: String; let householdId: Int?; let area: Int; let startOn: String; let endOn: String; let rent: Int
                enum CodingKeys: String, CodingKey { case lessor; case householdId = "household_id", area = "area_mu_hundredths", startOn = "start_on", endOn = "end_on", rent = "rent_fen_per_year" }
            }
            struct Job: Decodable { let id: Int; let name: String; let householdId: Int?; let householdNumber: String?; let position: String; let fromDate: String; let toDate: String?
                enum CodingKeys: String, CodingKey { case id, name, position; case householdId = "household_id", householdNumber = "household_number", fromDate = "from_date", toDate = "to_date" } }
            struct Return: Decodable { let year: Int; let income: Int; let dividends: Int; enum CodingKeys: String, CodingKey { case year; case income = "income_fen", dividends = "dividends_fen" } }
            struct Sale: Decodable { let buyer: String; let product: String; let amount: Int; let startOn: String; let endOn: String
                enum CodingKeys: String, CodingKey { case buyer, product; case amount = "amount_fen", startOn = "start_on", endOn = "end_on" } }
            struct Milestone: Decodable { let reachedOn: String; let text: String; enum CodingKeys: String, CodingKey { case text; case reachedOn = "reached_on" } }
            let investments = try await sql.raw("SELECT source, amount_fen FROM project_investments WHERE project_id = \(bind: id) ORDER BY id").all(decoding: Investment.self)
            let land = try await sql.raw("""
                SELECT lessor, household_id, area_mu_hundredths, start_on, end_on, rent_fen_per_year FROM land_contracts WHERE project_id = \(bind: id) ORDER BY id
                """).all(decoding: Land.self)
            let jobs = try await sql.raw("""
                SELECT p.id, p.name, \(Self.householdOf("p.id")), j.position, j.from_date, j.to_date
                FROM project_jobs j JOIN people p ON p.id = j.person_id WHERE j.project_id = \(bind: id) ORDER BY j.to_date IS NOT NULL, j.id
                """).all(decoding: Job.self)
            let beneficiaries = try await sql.raw("""
                SELECT h.id, COALESCE((SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                                       WHERE m.household_id = h.id AND m.relation = 'head' ORDER BY m.to_date IS NULL DESC LIMIT 1), '') AS name,
                       h.id AS household_id, h.number AS household_number
                FROM project_beneficiaries b JOIN households h ON h.id = b.household_id WHERE b.project_id = \(bind: id) ORDER BY h.number
                """).all(decoding: NamedPerson.self)
            let returns = try await sql.raw("SELECT year, income_fen, dividends_fen FROM project_returns WHERE project_id = \(bind: id) ORDER BY year").all(decoding: Return.self)
            let sales = try await sql.raw("SELECT buyer, product, amount_fen, start_on, end_on FROM sales_agreements WHERE project_id = \(bind: id) ORDER BY id").all(decoding: Sale.self)
            let milestones = try await sql.raw("SELECT reached_on, text FROM project_milestones WHERE project_id = \(bind: id) ORDER BY reached_on, id").all(decoding: Milestone.self)
            return ProjectFile(
                row: row, investments: investments.map { ($0.source, $0.amountFen) },
                land: land.map { LandContractDraft(lessor: $0.lessor, householdID: $0.householdId, areaMuHundredths: $0.area, start: $0.startOn, end: $0.endOn, rentFenPerYear: $0.rent) },
                jobs: jobs.map { (NamedPerson(id: $0.id, name: $0.name, householdId: $0.householdId, householdNumber: $0.householdNumber), $0.position, $0.fromDate, $0.toDate) },
                beneficiaries: beneficiaries, returns: returns.map { ($0.year, $0.income, $0.dividends) },
                sales: sales.map { SalesAgreementDraft(buyer: $0.buyer, product: $0.product, amountFen: $0.amount, start: $0.startOn, end: $0.endOn) },
                milestones: milestones.map { ($0.reachedOn, $0.text) })
        }
    }

    /// The projects a household benefits from or works in: as a beneficiary (`job` nil), or a member's job (who, which post).
    public func projects(ofHousehold household: Int) async throws -> [(id: Int, name: String, job: (person: String, position: String)?)] {
        try await database.read { sql in
            struct Row: Decodable { let id: Int; let name: String; let person: String?; let position: String? }
            return try await sql.raw("""
                SELECT p.id, p.name, NULL AS person, NULL AS position FROM project_beneficiaries b JOIN projects p ON p.id = b.project_id
                WHERE b.household_id = \(bind: household)
                UNION ALL
                SELECT p.id, p.name, pe.name AS person, j.position FROM project_jobs j JOIN projects p ON p.id = j.project_id
                JOIN people pe ON pe.id = j.person_id
                WHERE j.to_date IS NULL AND j.person_id IN (SELECT person_id FROM memberships WHERE household_id = \(bind: household) AND to_date IS NULL)
                ORDER BY 1
                """).all(decoding: Row.self).map { row in (row.id, row.name, row.person.flatMap { person in row.position.map { (person: person, position: $0) } }) }
        }
    }

    // MARK: Cooperatives, demonstration households, collective income

    /// Registers a cooperative or a demonstration household (a household of the village, when named).
    public func addEnterprise(kind: EnterpriseKind, name: String, household: Int?, since: String, note: String, village: DivisionCode,
                              by actor: AuditActor) async throws -> Int {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, Day.isValid(since) else {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "请写明名称和认定日期", en: "Give the name and the date"))])
        }
        return try await database.transaction { sql in
            if let household, try await sql.raw("SELECT id FROM households WHERE id = \(bind: household) AND village_code = \(bind: village.rawValue)")
                .first(decodingColumn: "id", as: Int.self) == nil {
                throw ValidationFailure([FieldIssue(field: "household", message: LocalizedText(zh: "示范户须是本村的农户", en: "The household must be of this village"))])
            }
            let id = try await BulkInsert.row(into: "enterprises", columns: ["village_code", "kind", "name", "household_id", "since", "note"],
                                              values: [village.rawValue, kind.rawValue, name, household, since, note], in: sql)
            try await AuditLog.record(.create, entity: .enterprise, key: String(id), division: village, after: ["name": name, "kind": kind.rawValue], by: actor, in: sql)
            return id
        }
    }

    /// The cooperatives and demonstration households of a division.
    public func enterprises(in division: DivisionCode) async throws -> [EnterpriseRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT e.id, e.village_code, e.kind, e.name, e.household_id, h.number AS household_number, e.since, e.note
                FROM enterprises e LEFT JOIN households h ON h.id = e.household_id
                WHERE \(division.covers("e.village_code")) ORDER BY e.village_code, e.kind, e.id
                """).all(decoding: EnterpriseRow.self)
        }
    }

    /// Records an entry of a village's collective income.
    public func addIncome(village: DivisionCode, receivedOn date: String, source: String, amountFen: Int, note: String, by actor: AuditActor) async throws -> Int {
        var problems: [FieldIssue] = []
        if !Day.isValid(date) { problems.append(FieldIssue.notADay("receivedOn")) }
        if source.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(FieldIssue(field: "source", message: LocalizedText(zh: "请写明收入来源", en: "Give the source")))
        }
        if let problem = FieldIssue.money(amountFen, field: "amount") { problems.append(problem) }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in
            let id = try await BulkInsert.row(
                into: "collective_income", columns: ["village_code", "year", "received_on", "source", "amount_fen", "note", "recorded_by"],
                values: [village.rawValue, Int(date.prefix(4))!, date, source, amountFen, note, actor.username], in: sql)
            try await AuditLog.record(.create, entity: .collectiveIncome, key: String(id), division: village, after: ["amount_fen": amountFen], by: actor, in: sql)
            return id
        }
    }

    /// The collective income entries of a division in a year.
    public func income(in division: DivisionCode, year: Int) async throws -> [IncomeEntry] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT id, village_code, year, received_on, source, amount_fen, note FROM collective_income
                WHERE \(division.covers("village_code")) AND year = \(bind: year) ORDER BY received_on, id
                """).all(decoding: IncomeEntry.self)
        }
    }

    /// The collective income of a division by year.
    public func incomeByYear(in division: DivisionCode) async throws -> [(year: Int, amountFen: Int)] {
        try await database.read { sql in
            struct Row: Decodable { let year: Int; let fen: Int }
            return try await sql.raw("""
                SELECT year, CAST(sum(amount_fen) AS BIGINT) AS fen FROM collective_income WHERE \(division.covers("village_code"))
                GROUP BY year ORDER BY year
                """).all(decoding: Row.self).map { ($0.year, $0.fen) }
        }
    }

    // MARK: Figures

    /// The community figures of a division for a year, "as of" its end.
    func figures(_ division: DivisionCode, year: Int) async throws -> CommunityFigures {
        let first = "\(year)-01-01", last = "\(year)-12-31"
        return try await database.read { sql in
            var figures = CommunityFigures()
            struct Kind: Decodable { let kind: String; let sessions: Int; let personTimes: Int; let counted: Int
                enum CodingKeys: String, CodingKey { case kind, sessions, counted; case personTimes = "person_times" } }
            for row in try await sql.raw("""
                SELECT a.kind, count(*) AS sessions,
                       CAST(sum(COALESCE(a.counted, (SELECT count(*) FROM activity_attendees x WHERE x.activity_id = a.id))) AS BIGINT) AS person_times,
                       CAST(sum(COALESCE(a.counted, 0)) AS BIGINT) AS counted
                FROM activities a WHERE \(division.covers("a.village_code")) AND a.held_on BETWEEN \(bind: first) AND \(bind: last) GROUP BY a.kind
                """).all(decoding: Kind.self) {
                figures.activities[row.kind] = .init(sessions: row.sessions, personTimes: row.personTimes)
                figures.countedPersonTimes += row.counted
            }
            struct Honour: Decodable { let name: String; let n: Int }
            for row in try await sql.raw("""
                SELECT t.name, count(*) AS n FROM nominations n JOIN honour_types t ON t.id = n.type_id
                WHERE \(division.covers("n.village_code")) AND n.year = \(bind: year) AND n.winner = \(bind: true) GROUP BY t.name
                """).all(decoding: Honour.self) {
                figures.honours[row.name] = row.n
            }
            func number(_ query: SQLQueryString) async throws -> Int { try await sql.raw(query).first(decodingColumn: "n", as: Int.self) ?? 0 }
            figures.projects = try await number("""
                SELECT count(*) AS n FROM projects WHERE \(division.covers("village_code")) AND (started_on IS NULL OR started_on <= \(bind: last))
                """)
            figures.landMuHundredths = try await number("""
                SELECT CAST(COALESCE(sum(l.area_mu_hundredths), 0) AS BIGINT) AS n FROM land_contracts l JOIN projects p ON p.id = l.project_id
                WHERE \(division.covers("p.village_code")) AND l.start_on <= \(bind: last) AND l.end_on >= \(bind: first)
                """)
            figures.jobs = try await number("""
                SELECT count(*) AS n FROM project_jobs j JOIN projects p ON p.id = j.project_id
                WHERE \(division.covers("p.village_code")) AND j.from_date <= \(bind: last) AND (j.to_date IS NULL OR j.to_date > \(bind: last))
                """)
            figures.collectiveIncomeFen = try await number("""
                SELECT CAST(COALESCE(sum(amount_fen), 0) AS BIGINT) AS n FROM collective_income WHERE \(division.covers("village_code")) AND year = \(bind: year)
                """)
            struct Work: Decodable { let employment: String; let n: Int }
            let workers = try await sql.raw("""
                SELECT w.employment, count(*) AS n FROM work_records w
                WHERE w.labour IN (\(binds: Employment.ableToWork.sorted())) AND \(WorkRecords.inForce("w", on: last)) AND w.person_id IN (
                    SELECT m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
                    WHERE \(division.covers("h.village_code")) AND m.from_date <= \(bind: last) AND (m.to_date IS NULL OR m.to_date > \(bind: last)))
                GROUP BY w.employment
                """).all(decoding: Work.self)
            for row in workers {
                figures.ableToWork += row.n
                if Employment.employed.contains(row.employment) {
                    figures.employed += row.n
                    figures.employment[row.employment] = row.n
                }
            }
            struct Enterprise: Decodable { let kind: String; let n: Int }
            for row in try await sql.raw("""
                SELECT kind, count(*) AS n FROM enterprises WHERE \(division.covers("village_code")) AND since <= \(bind: last) GROUP BY kind
                """).all(decoding: Enterprise.self) {
                figures.enterprises[row.kind] = row.n
            }
            return figures
        }
    }

    /// The people able to work but without work, living in the division on `date`: whom the team must still help into a job.
    public func notEmployed(in division: DivisionCode, on date: String, limit: Int = 500) async throws -> [NamedPerson] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.name, m.household_id, h.number AS household_number FROM people p
                JOIN memberships m ON m.person_id = p.id AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                JOIN households h ON h.id = m.household_id
                JOIN work_records w ON w.person_id = p.id AND \(WorkRecords.inForce("w", on: date))
                WHERE \(division.covers("h.village_code")) AND w.labour IN (\(binds: Employment.ableToWork.sorted()))
                  AND w.employment NOT IN (\(binds: Employment.employed))
                ORDER BY h.village_code, h.number, p.id LIMIT \(literal: limit)
                """).all(decoding: NamedPerson.self)
        }
    }

    // MARK: Villages of records

    /// The village of an activity, nil when there is none.
    public func village(ofActivity id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM activities WHERE id = \(bind: id)")
    }

    /// The village of a project, nil when there is none.
    public func village(ofProject id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM projects WHERE id = \(bind: id)")
    }

    /// The village of a nomination, nil when there is none.
    public func village(ofNomination id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM nominations WHERE id = \(bind: id)")
    }

    /// Removes a village's community records (demo refresh only).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        let code = village.rawValue
        let activities: SQLQueryString = "SELECT id FROM activities WHERE village_code = \(bind: code)"
        let projects: SQLQueryString = "SELECT id FROM projects WHERE village_code = \(bind: code)"
        try await sql.raw("DELETE FROM activity_attendees WHERE activity_id IN (\(activities))").run()
        try await sql.raw("DELETE FROM activities WHERE village_code = \(bind: code)").run()
        for table in ["project_investments", "land_contracts", "project_jobs", "project_beneficiaries", "project_returns", "sales_agreements", "project_milestones"] {
            try await sql.raw("DELETE FROM \(ident: table) WHERE project_id IN (\(projects))").run()
        }
        try await sql.raw("DELETE FROM projects WHERE village_code = \(bind: code)").run()
        for table in ["nominations", "honour_rounds", "enterprises", "collective_income"] {
            try await sql.raw("DELETE FROM \(ident: table) WHERE village_code = \(bind: code)").run()
        }
    }
}
