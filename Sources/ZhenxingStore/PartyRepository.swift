import Foundation
import SQLKit
import ZhenxingDomain

/// A party member as listed.
public struct PartyMemberRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let personId: Int?
    public let name: String
    public let organisation: String
    public let joinedOn: String
    public let leftOn: String?
    /// The specialised branches the member belongs to, names joined by "、".
    public let branches: String?

    enum CodingKeys: String, CodingKey {
        case id, name, organisation, branches
        case villageCode = "village_code", personId = "person_id", joinedOn = "joined_on", leftOn = "left_on"
    }
}

extension [PartyMemberRow] {
    /// How many of these members each organisation has, the largest first.
    public var byOrganisation: [(organisation: String, members: Int)] {
        var counts: [String: Int] = [:]
        for row in self { counts[row.organisation, default: 0] += 1 }
        return counts.map { (organisation: $0.key, members: $0.value) }.sorted { left, right in
            left.members != right.members ? left.members > right.members : left.organisation < right.organisation
        }
    }
}

/// A specialised party branch with its member and household counts.
public struct BranchRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let name: String
    public let kind: String
    public let formedOn: String
    public let secretary: String
    public let members: Int
    public let households: Int

    enum CodingKeys: String, CodingKey {
        case id, name, kind, secretary, members, households
        case villageCode = "village_code", formedOn = "formed_on"
    }
}

/// A household a branch looks after.
public struct BranchHousehold: Sendable, Hashable, Decodable {
    public let householdId: Int
    public let householdNumber: String
    public let headName: String?
    public let branchId: Int
    public let branchName: String
    public let since: String

    enum CodingKeys: String, CodingKey {
        case since
        case householdId = "household_id", householdNumber = "household_number", headName = "head_name"
        case branchId = "branch_id", branchName = "branch_name"
    }
}

/// Party figures of a division at a date.
public struct PartyFigures: Sendable, Hashable, Codable {
    /// Members counted on the date.
    public var members = 0
    /// Specialised branches formed by the date.
    public var branches = 0
    /// Households looked after by a branch.
    public var householdsWithBranch = 0

    public init() {}

    /// Adds another division's figures.
    mutating func add(_ other: PartyFigures) {
        members += other.members
        branches += other.branches
        householdsWithBranch += other.householdsWithBranch
    }
}

/// A village's party organisation over time: members (villagers or not) counted from a date until a date, the
/// specialised branches (专业帮扶党支部) with their members, and the household each branch looks after.
public struct PartyRepository: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    // MARK: Members

    /// Registers a party member of a village; a villager must live in the village and be a party member in the registry.
    public func addMember(_ draft: PartyMemberDraft, village: DivisionCode, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.addMember(draft, village: village, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller).
    public static func addMember(_ draft: PartyMemberDraft, village: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        var name = draft.name.trimmingCharacters(in: .whitespaces)
        if let person = draft.personID {
            struct Row: Decodable { let name: String; let partyMember: Bool; enum CodingKeys: String, CodingKey { case name; case partyMember = "party_member" } }
            guard let row = try await sql.raw("""
                SELECT p.name, p.party_member FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                JOIN households h ON h.id = m.household_id WHERE p.id = \(bind: person) AND h.village_code = \(bind: village.rawValue)
                """).first(decoding: Row.self) else {
                throw ValidationFailure([FieldIssue(field: "person", message: LocalizedText(zh: "此人不是本村村民", en: "This person does not live in the village"))])
            }
            guard row.partyMember else {
                throw ValidationFailure([FieldIssue(field: "person", message: LocalizedText(
                    zh: "花名册中此人不是党员：请先在人员信息中标记为党员", en: "The registry does not say this person is a party member: mark them so first"))])
            }
            if try await sql.raw("""
                SELECT id FROM party_members WHERE village_code = \(bind: village.rawValue) AND person_id = \(bind: person) AND left_on IS NULL
                """).first(decodingColumn: "id", as: Int.self) != nil {
                throw ValidationFailure([FieldIssue(field: "person", message: LocalizedText(zh: "此人已登记为党员", en: "This person is already registered as a member"))])
            }
            name = row.name
        }
        let id = try await BulkInsert.row(
            into: "party_members", columns: ["village_code", "person_id", "name", "organisation", "joined_on", "left_on", "created_at"],
            values: [village.rawValue, draft.personID, name, draft.organisation.trimmingCharacters(in: .whitespaces), draft.joined, draft.left, Timestamp.now()],
            in: sql)
        try await AuditLog.record(.create, entity: .partyMember, key: String(id), division: village,
                                  after: ["name": name, "joined": draft.joined], by: actor, in: sql)
        return id
    }

    /// Ends a current membership in a village on a date (moved away, transferred, died); the member stays counted before it.
    public func endMember(_ id: Int, village: DivisionCode, on date: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            struct Row: Decodable { let joinedOn: String; enum CodingKeys: String, CodingKey { case joinedOn = "joined_on" } }
            guard let row = try await sql.raw("""
                SELECT joined_on FROM party_members WHERE id = \(bind: id) AND village_code = \(bind: village.rawValue) AND left_on IS NULL
                """).first(decoding: Row.self) else {
                throw ValidationFailure([FieldIssue(field: "member", message: LocalizedText(zh: "本村没有这名在册党员", en: "No such current member in this village"))])
            }
            guard Day.isValid(date), date >= row.joinedOn else {
                throw ValidationFailure([FieldIssue(field: "left", message: LocalizedText(zh: "转出日期不能早于转入日期", en: "The leaving date cannot be before joining"))])
            }
            try await sql.raw("UPDATE party_members SET left_on = \(bind: date) WHERE id = \(bind: id)").run()
            try await AuditLog.record(.update, entity: .partyMember, key: String(id), division: village, after: ["left": date], by: actor, in: sql)
        }
    }

    /// Undoes a member's leaving: the member counts on as if never gone.
    public func restoreMember(_ id: Int, village: DivisionCode, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let left = try await Self.leftMember(id, village: village, in: sql) else {
                throw ValidationFailure([FieldIssue(field: "member", message: LocalizedText(zh: "本村没有这名转出的党员", en: "No such former member in this village"))])
            }
            try await sql.raw("UPDATE party_members SET left_on = NULL WHERE id = \(bind: id)").run()
            try await AuditLog.record(.update, entity: .partyMember, key: String(id), division: village, before: ["left": left.leftOn], after: ["left": String?.none],
                                      by: actor, in: sql)
        }
    }

    /// A member of the village who has left, by name: the one an undo may restore.
    public func leftMember(_ id: Int, village: DivisionCode) async throws -> (name: String, leftOn: String)? {
        try await database.read { sql in try await Self.leftMember(id, village: village, in: sql) }
    }

    private static func leftMember(_ id: Int, village: DivisionCode, in sql: any SQLDatabase) async throws -> (name: String, leftOn: String)? {
        struct Row: Decodable { let name: String; let leftOn: String }
        return try await sql.raw("""
            SELECT name, left_on AS "leftOn" FROM party_members WHERE id = \(bind: id) AND village_code = \(bind: village.rawValue) AND left_on IS NOT NULL
            """).first(decoding: Row.self).map { ($0.name, $0.leftOn) }
    }

    /// The members of a division's party organisations counted on `date`.
    public func members(in division: DivisionCode, on date: String) async throws -> [PartyMemberRow] {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT m.id, m.village_code, m.person_id, m.name, m.organisation, m.joined_on, m.left_on, NULL AS branches
                FROM party_members m WHERE \(division.covers("m.village_code")) AND \(Self.counted(on: date))
                ORDER BY m.village_code, m.joined_on, m.id LIMIT 10000
                """).all(decoding: PartyMemberRow.self)
            return try await Self.withBranches(rows, in: sql)
        }
    }

    /// The members of a branch.
    public func members(ofBranch branch: Int) async throws -> [PartyMemberRow] {
        try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT m.id, m.village_code, m.person_id, m.name, m.organisation, m.joined_on, m.left_on, NULL AS branches
                FROM party_members m JOIN party_branch_members b ON b.member_id = m.id WHERE b.branch_id = \(bind: branch)
                ORDER BY m.left_on IS NOT NULL, m.joined_on, m.id
                """).all(decoding: PartyMemberRow.self)
            return try await Self.withBranches(rows, in: sql)
        }
    }

    /// The number of members of a division's party organisations on `date`.
    public func count(in division: DivisionCode, on date: String) async throws -> Int {
        try await database.read { sql in try await Self.count(in: division, on: date, sql) }
    }

    private static func count(in division: DivisionCode, on date: String, _ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            SELECT count(*) AS n FROM party_members m WHERE \(division.covers("m.village_code")) AND \(counted(on: date))
            """).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    private static func counted(on date: String) -> SQLQueryString {
        "m.joined_on <= \(bind: date) AND (m.left_on IS NULL OR m.left_on > \(bind: date))"
    }

    private static func withBranches(_ rows: [PartyMemberRow], in sql: any SQLDatabase) async throws -> [PartyMemberRow] {
        guard !rows.isEmpty else { return rows }
        struct Link: Decodable { let memberId: Int; let name: String; enum CodingKeys: String, CodingKey { case name; case memberId = "member_id" } }
        let links = try await sql.raw("""
            SELECT l.member_id, b.name FROM party_branch_members l JOIN party_branches b ON b.id = l.branch_id
            WHERE l.member_id IN (\(binds: rows.map(\.id))) ORDER BY b.id
            """).all(decoding: Link.self)
        let names = Dictionary(grouping: links, by: \.memberId).mapValues { $0.map(\.name).joined(separator: "、") }
        return rows.map {
            PartyMemberRow(id: $0.id, villageCode: $0.villageCode, personId: $0.personId, name: $0.name, organisation: $0.organisation,
                           joinedOn: $0.joinedOn, leftOn: $0.leftOn, branches: names[$0.id])
        }
    }

    // MARK: Branches

    /// Forms a specialised branch of a village; returns its id.
    public func createBranch(_ draft: BranchDraft, village: DivisionCode, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.createBranch(draft, village: village, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller).
    public static func createBranch(_ draft: BranchDraft, village: DivisionCode, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        let name = draft.name.trimmingCharacters(in: .whitespaces)
        if try await sql.raw("SELECT id FROM party_branches WHERE village_code = \(bind: village.rawValue) AND name = \(bind: name)")
            .first(decodingColumn: "id", as: Int.self) != nil {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "本村已有同名支部", en: "The village already has a branch of that name"))])
        }
        let id = try await BulkInsert.row(
            into: "party_branches", columns: ["village_code", "name", "kind", "formed_on", "secretary", "created_at"],
            values: [village.rawValue, name, draft.kind.rawValue, draft.formed, draft.secretary.trimmingCharacters(in: .whitespaces), Timestamp.now()], in: sql)
        try await AuditLog.record(.create, entity: .partyBranch, key: String(id), division: village, after: draft, by: actor, in: sql)
        return id
    }

    /// The branches of a division formed by `date`, with their members on that date and their households.
    public func branches(in division: DivisionCode, on date: String) async throws -> [BranchRow] {
        try await branchRows("\(division.covers("b.village_code")) AND b.formed_on <= \(bind: date)",
                             members: "m.joined_on <= \(bind: date) AND (m.left_on IS NULL OR m.left_on > \(bind: date))")
    }

    /// One branch.
    public func branch(_ id: Int) async throws -> BranchRow {
        guard let row = try await branchRows("b.id = \(bind: id)", members: "m.left_on IS NULL").first else { throw StoreError.notFound("branch \(id)") }
        return row
    }

    private func branchRows(_ condition: SQLQueryString, members: SQLQueryString) async throws -> [BranchRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT b.id, b.village_code, b.name, b.kind, b.formed_on, b.secretary,
                       (SELECT count(*) FROM party_branch_members l JOIN party_members m ON m.id = l.member_id
                        WHERE l.branch_id = b.id AND \(members)) AS members,
                       (SELECT count(*) FROM party_branch_households x WHERE x.branch_id = b.id) AS households
                FROM party_branches b WHERE \(condition) ORDER BY b.village_code, b.id
                """).all(decoding: BranchRow.self)
        }
    }

    /// The village of a branch, nil when there is none.
    public func village(ofBranch id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM party_branches WHERE id = \(bind: id)")
    }

    /// Puts a member of the village's party organisation into a branch.
    public func addMember(_ member: Int, toBranch branch: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in try await Self.addMember(member, toBranch: branch, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction.
    public static func addMember(_ member: Int, toBranch branch: Int, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        let village = try await sql.raw("SELECT village_code FROM party_branches WHERE id = \(bind: branch)").first(decodingColumn: "village_code", as: String.self)
        guard let village else { throw StoreError.notFound("branch \(branch)") }
        guard try await sql.raw("SELECT village_code FROM party_members WHERE id = \(bind: member) AND left_on IS NULL")
            .first(decodingColumn: "village_code", as: String.self) == village else {
            throw ValidationFailure([FieldIssue(field: "member", message: LocalizedText(
                zh: "只能加入本村党组织现有的党员", en: "Only current members of the village's party organisation can join"))])
        }
        if try await sql.raw("SELECT member_id FROM party_branch_members WHERE branch_id = \(bind: branch) AND member_id = \(bind: member)")
            .first(decodingColumn: "member_id", as: Int.self) != nil {
            throw ValidationFailure([FieldIssue(field: "member", message: LocalizedText(zh: "已在本支部", en: "Already in this branch"))])
        }
        try await sql.raw("INSERT INTO party_branch_members (branch_id, member_id) VALUES (\(bind: branch), \(bind: member))").run()
        try await AuditLog.record(.update, entity: .partyBranch, key: String(branch), after: ["member": member], by: actor, in: sql)
    }

    /// Makes a branch look after households from a date (a household has one branch: an earlier one is replaced);
    /// a household of another village is refused and nothing is stored.
    public func assign(households: [Int], to branch: Int, since date: String, by actor: AuditActor) async throws {
        guard Day.isValid(date) else { throw ValidationFailure([FieldIssue.notADay("since")]) }
        try await database.transaction { sql in try await Self.assign(households: households, to: branch, since: date, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction.
    public static func assign(households: [Int], to branch: Int, since date: String, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        guard !households.isEmpty else { return }
        let village = try await sql.raw("SELECT village_code FROM party_branches WHERE id = \(bind: branch)").first(decodingColumn: "village_code", as: String.self)
        guard let village else { throw StoreError.notFound("branch \(branch)") }
        let inVillage = try await sql.raw("""
            SELECT count(*) AS n FROM households WHERE id IN (\(binds: households)) AND village_code = \(bind: village)
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        guard inVillage == Set(households).count else {
            throw ValidationFailure([FieldIssue(field: "household", message: LocalizedText(
                zh: "只能由本村的支部联系本村的农户", en: "A branch looks after households of its own village only"))])
        }
        try await sql.raw("DELETE FROM party_branch_households WHERE household_id IN (\(binds: households))").run()
        try await BulkInsert.rows(Set(households).sorted().map { [$0, branch, date] as [any Encodable & Sendable] }, into: "party_branch_households",
                                  columns: ["household_id", "branch_id", "since"], in: sql)
        try await AuditLog.record(.update, entity: .partyBranch, key: String(branch), after: ["households": String(households.count), "since": date], by: actor, in: sql)
    }

    /// The households a branch looks after, or the branch of one household.
    public func households(ofBranch branch: Int? = nil, household: Int? = nil) async throws -> [BranchHousehold] {
        let condition: SQLQueryString = branch.map { "x.branch_id = \(bind: $0)" } ?? "x.household_id = \(bind: household ?? 0)"
        return try await database.read { sql in
            try await sql.raw("""
                SELECT x.household_id, h.number AS household_number,
                       (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                        WHERE m.household_id = h.id AND m.relation = 'head' AND m.to_date IS NULL LIMIT 1) AS head_name,
                       x.branch_id, b.name AS branch_name, x.since
                FROM party_branch_households x JOIN households h ON h.id = x.household_id JOIN party_branches b ON b.id = x.branch_id
                WHERE \(condition) ORDER BY h.number
                """).all(decoding: BranchHousehold.self)
        }
    }

    // MARK: Figures

    /// Members counted at the end of `year`, branches formed by then, and households with a branch.
    public func figures(_ division: DivisionCode, year: Int) async throws -> PartyFigures {
        let last = "\(year)-12-31"
        return try await database.read { sql in
            var figures = PartyFigures()
            figures.members = try await Self.count(in: division, on: last, sql)
            figures.branches = try await sql.raw("""
                SELECT count(*) AS n FROM party_branches WHERE \(division.covers("village_code")) AND formed_on <= \(bind: last)
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            figures.householdsWithBranch = try await sql.raw("""
                SELECT count(*) AS n FROM party_branch_households x JOIN households h ON h.id = x.household_id
                WHERE \(division.covers("h.village_code")) AND x.since <= \(bind: last)
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return figures
        }
    }

    /// Removes a village's party records (demo refresh only).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        let branches: SQLQueryString = "SELECT id FROM party_branches WHERE village_code = \(bind: village.rawValue)"
        try await sql.raw("DELETE FROM party_branch_households WHERE branch_id IN (\(branches))").run()
        try await sql.raw("DELETE FROM party_branch_members WHERE branch_id IN (\(branches))").run()
        try await sql.raw("DELETE FROM party_branches WHERE village_code = \(bind: village.rawValue)").run()
        try await sql.raw("DELETE FROM party_members WHERE village_code = \(bind: village.rawValue)").run()
    }
}
