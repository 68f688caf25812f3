import Foundation
import SQLKit
import ZhenxingDomain

/// The bulk reads and writes of roster import and export: households by (village, number),
/// people by ID number, many rows per statement. Runs inside the caller's transaction.
public enum RosterStore {
    /// A household as stored.
    public struct StoredHousehold: Sendable, Decodable {
        /// Its id.
        public let id: Int
        let villageCode: String
        let number: String
        let groupNumber: Int?
        let naturalVillage: String?
        let address: String
        let attribute: String
        let mainCause: String?
        let otherCauses: String

        /// Village and number.
        public var key: String { villageCode + "/" + number }

        // Explicit keys: SQLKit's snake-case conversion costs more than the query at a million rows.
        enum CodingKeys: String, CodingKey {
            case id, number, address, attribute
            case villageCode = "village_code", groupNumber = "group_number", naturalVillage = "natural_village"
            case mainCause = "main_cause", otherCauses = "other_causes"
        }

        /// Its fields as a draft.
        public var draft: HouseholdDraft? {
            (try? DivisionCode(validating: villageCode)).map { village in
                HouseholdDraft(number: number, village: village, groupNumber: groupNumber, naturalVillage: naturalVillage, address: address,
                               attribute: HouseholdAttribute(rawValue: attribute) ?? .ordinary, mainCause: mainCause.flatMap(PovertyCause.init),
                               otherCauses: otherCauses.split(separator: ",").compactMap { PovertyCause(rawValue: String($0)) })
            }
        }
    }

    /// A person as stored, with their current household if any.
    public struct StoredPerson: Sendable, Decodable {
        /// Their id.
        public let id: Int
        /// The ID number.
        public let residentId: String
        let name: String
        let ethnicity: String
        let education: String
        let inSchool: String
        let health: String
        let labour: String
        let employment: String
        let monthsWorked: Int
        let medicalInsurance: Bool
        let pensionInsurance: Bool
        let partyMember: Bool
        let phone: String
        /// The current household's id.
        public let householdId: Int?
        /// The relation in it.
        public let relation: String?
        /// The current household's village.
        public let villageCode: String?
        /// The current household's number.
        public let number: String?

        enum CodingKeys: String, CodingKey {
            case id, name, ethnicity, education, health, labour, employment, phone, relation, number
            case residentId = "resident_id", inSchool = "in_school", monthsWorked = "months_worked", medicalInsurance = "medical_insurance"
            case pensionInsurance = "pension_insurance", partyMember = "party_member", householdId = "household_id", villageCode = "village_code"
        }

        /// The facts forms edit.
        public var facts: PersonFacts {
            PersonFacts(name: name, ethnicity: ethnicity, education: education, inSchool: inSchool, health: health, labour: labour,
                        employment: employment, monthsWorked: monthsWorked, medicalInsurance: medicalInsurance,
                        pensionInsurance: pensionInsurance, partyMember: partyMember, phone: phone)
        }
    }

    /// The villages at or below `division`.
    public static func villages(under division: DivisionCode, in sql: any SQLDatabase) async throws -> Set<String> {
        let codes = try await sql.raw("SELECT code FROM divisions WHERE \(division.covers("code"))")
            .all(decodingColumn: "code", as: String.self)
        return Set(codes.filter { (try? DivisionCode(validating: $0))?.level == .village })
    }

    /// The stored households among `keys` (village, number), by "village/number".
    public static func households(_ keys: [(village: String, number: String)], in sql: any SQLDatabase) async throws -> [String: StoredHousehold] {
        guard !keys.isEmpty else { return [:] }
        let wanted = Set(keys.map { $0.village + "/" + $0.number })
        let rows = try await sql.raw("""
            SELECT id, village_code, number, group_number, natural_village, address, attribute, main_cause, other_causes FROM households
            WHERE village_code IN (\(binds: Array(Set(keys.map(\.village))))) AND number IN (\(binds: Array(Set(keys.map(\.number)))))
            """).all(decoding: StoredHousehold.self)
        return Dictionary(rows.filter { wanted.contains($0.key) }.map { ($0.key, $0) }) { first, _ in first }
    }

    /// The stored people among `ids`, by ID number.
    public static func people(_ ids: [String], in sql: any SQLDatabase) async throws -> [String: StoredPerson] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT p.id, p.resident_id, p.name, p.ethnicity, p.education, p.in_school, p.health, p.labour, p.employment, p.months_worked,
                   p.medical_insurance, p.pension_insurance, p.party_member, p.phone, m.household_id, m.relation, h.village_code, h.number
            FROM people p LEFT JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL LEFT JOIN households h ON h.id = m.household_id
            WHERE p.resident_id IN (\(binds: ids))
            """).all(decoding: StoredPerson.self)
        return Dictionary(rows.map { ($0.residentId, $0) }) { first, _ in first }
    }

    /// Inserts households; returns their ids by "village/number".
    public static func insertHouseholds(_ drafts: [HouseholdDraft], in sql: any SQLDatabase) async throws -> [String: Int] {
        guard !drafts.isEmpty else { return [:] }
        let now = Timestamp.now()
        try await BulkInsert.rows(drafts.map { draft in
            [draft.village.rawValue, draft.number, draft.groupNumber, draft.naturalVillage, draft.address, draft.attribute.rawValue,
             draft.mainCause?.rawValue, draft.otherCauses.map(\.rawValue).joined(separator: ","), 1, now, now]
        }, into: "households", columns: [
            "village_code", "number", "group_number", "natural_village", "address", "attribute", "main_cause", "other_causes", "version",
            "created_at", "updated_at",
        ], in: sql)
        struct Key: Decodable {
            let id: Int, village: String, number: String
            enum CodingKeys: String, CodingKey { case id, number, village = "village_code" }
        }
        let wanted = Set(drafts.map { $0.village.rawValue + "/" + $0.number })
        let keys = try await sql.raw("""
            SELECT id, village_code, number FROM households
            WHERE village_code IN (\(binds: Array(Set(drafts.map(\.village.rawValue))))) AND number IN (\(binds: Array(Set(drafts.map(\.number)))))
            """).all(decoding: Key.self)
        return Dictionary(keys.map { ($0.village + "/" + $0.number, $0.id) }.filter { wanted.contains($0.0) }) { first, _ in first }
    }

    /// Rewrites a household's fields and counts a new version.
    public static func updateHousehold(_ id: Int, _ draft: HouseholdDraft, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE households SET group_number = \(bind: draft.groupNumber), natural_village = \(bind: draft.naturalVillage),
                address = \(bind: draft.address), attribute = \(bind: draft.attribute.rawValue), main_cause = \(bind: draft.mainCause?.rawValue),
                other_causes = \(bind: draft.otherCauses.map(\.rawValue).joined(separator: ",")), version = version + 1,
                updated_at = \(bind: Timestamp.now())
            WHERE id = \(bind: id)
            """).run()
    }

    /// Inserts people, their work recorded from `since`; returns their ids by ID number.
    public static func insertPeople(_ drafts: [PersonDraft], since: String, in sql: any SQLDatabase) async throws -> [String: Int] {
        guard !drafts.isEmpty else { return [:] }
        let now = Timestamp.now()
        try await BulkInsert.rows(drafts.map { draft in
            let facts = draft.facts
            return [draft.residentID.value, draft.residentID.lastFour, facts.name.trimmingCharacters(in: .whitespaces), draft.sex.rawValue,
                    draft.birthDate, facts.ethnicity, facts.education, facts.inSchool, facts.health, facts.labour, facts.employment,
                    facts.monthsWorked, facts.medicalInsurance, facts.pensionInsurance, facts.partyMember, facts.phone, 1, now, now]
        }, into: "people", columns: [
            "resident_id", "id_last_four", "name", "sex", "birth_date", "ethnicity", "education", "in_school", "health", "labour", "employment",
            "months_worked", "medical_insurance", "pension_insurance", "party_member", "phone", "version", "created_at", "updated_at",
        ], in: sql)
        struct Key: Decodable {
            let id: Int, residentID: String
            enum CodingKeys: String, CodingKey { case id, residentID = "resident_id" }
        }
        let keys = try await sql.raw("SELECT id, resident_id FROM people WHERE resident_id IN (\(binds: drafts.map(\.residentID.value)))")
            .all(decoding: Key.self)
        let ids = Dictionary(keys.map { ($0.residentID, $0.id) }) { first, _ in first }
        try await WorkRecords.start(drafts.compactMap { draft in ids[draft.residentID.value].map { ($0, draft.facts.work(since: since)) } }, in: sql)
        return ids
    }

    /// Rewrites a person's facts and counts a new version; their work, when it changed, is recorded from `workSince`.
    public static func updatePerson(_ id: Int, _ facts: PersonFacts, workSince: String?, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE people SET name = \(bind: facts.name), ethnicity = \(bind: facts.ethnicity), education = \(bind: facts.education),
                in_school = \(bind: facts.inSchool), health = \(bind: facts.health),
                medical_insurance = \(bind: facts.medicalInsurance), pension_insurance = \(bind: facts.pensionInsurance),
                party_member = \(bind: facts.partyMember), phone = \(bind: facts.phone), version = version + 1, updated_at = \(bind: Timestamp.now())
            WHERE id = \(bind: id)
            """).run()
        if let workSince { try await WorkRecords.record([(id, facts.work(since: workSince))], in: sql) }
    }

    /// Starts memberships from `date`.
    public static func addMembers(_ members: [(person: Int, household: Int, relation: Relation)], from date: String, reason: String,
                                  in sql: any SQLDatabase) async throws {
        try await BulkInsert.rows(members.map { [$0.person, $0.household, $0.relation.rawValue, date, reason] },
                                  into: "memberships", columns: ["person_id", "household_id", "relation", "from_date", "reason_in"], in: sql)
    }

    /// Corrects the relation of a person's current membership.
    public static func setRelation(person: Int, _ relation: Relation, in sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE memberships SET relation = \(bind: relation.rawValue) WHERE person_id = \(bind: person) AND to_date IS NULL").run()
    }

    /// A member of a household as a roster lists them.
    public struct Member: Sendable, Decodable {
        public let villageCode: String
        public let number: String
        public let groupNumber: Int?
        public let naturalVillage: String?
        public let address: String
        public let attribute: String
        public let mainCause: String?
        public let otherCauses: String
        public let residentId: String
        public let name: String
        public let sex: String
        public let birthDate: String
        public let relation: String
        public let ethnicity: String
        public let education: String
        public let inSchool: String
        public let health: String
        public let labour: String
        public let employment: String
        public let monthsWorked: Int
        public let medicalInsurance: Bool
        public let pensionInsurance: Bool
        public let partyMember: Bool
        public let phone: String
    }

    /// The members at `date` of the next `households` households of `division` after the key
    /// (village, number), in key order, the head first in each.
    public static func members(
        of division: DivisionCode, asOf date: String, after: (village: String, number: String), households: Int, database: Database
    ) async throws -> [Member] {
        try await database.read { sql in
            try await sql.raw("""
                WITH page AS (
                    SELECT id FROM households
                    WHERE \(division.covers("village_code"))
                      AND (village_code > \(bind: after.village) OR (village_code = \(bind: after.village) AND number > \(bind: after.number)))
                    ORDER BY village_code, number LIMIT \(literal: households))
                SELECT h.village_code, h.number, h.group_number, h.natural_village, h.address, h.attribute, h.main_cause, h.other_causes,
                       p.resident_id, p.name, p.sex, p.birth_date, m.relation, p.ethnicity, p.education, p.in_school, p.health, p.labour,
                       p.employment, p.months_worked, p.medical_insurance, p.pension_insurance, p.party_member, p.phone
                FROM page JOIN households h ON h.id = page.id
                JOIN memberships m ON m.household_id = h.id AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                JOIN people p ON p.id = m.person_id
                ORDER BY h.village_code, h.number, CASE m.relation WHEN 'head' THEN 0 ELSE 1 END, m.id
                """).all(decoding: Member.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }
}
