import SQLKit
import ZhenxingDomain

/// Which people of the list: everyone, or by their work.
public enum WorkFilter: String, Sendable, CaseIterable {
    /// Able to work (普通劳动力, 技能劳动力).
    case able
    /// Able to work and working.
    case employed
    /// Able to work without work: whom the team must still help into a job.
    case unemployed

    public var title: LocalizedText {
        switch self {
        case .able: LocalizedText(zh: "有劳动能力", en: "Able to work")
        case .employed: LocalizedText(zh: "已就业", en: "Employed")
        case .unemployed: LocalizedText(zh: "有劳动能力未就业", en: "Able to work, no work")
        }
    }
}

/// A person living in a division on a date, with their household.
public struct PersonListRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let residentId: String
    public let name: String
    public let sex: String
    public let birthDate: String
    public let relation: String
    public let membershipId: Int
    public let householdId: Int
    public let householdNumber: String
    public let villageCode: String
    public let groupNumber: Int?
    public let health: String
    public let labour: String
    public let employment: String
    public let monthsWorked: Int
    public let partyMember: Bool

    /// The keyset key of the row: pass it as `after` for the next page.
    public var key: String { "\(villageCode)/\(householdNumber)/\(membershipId)" }
}

/// A household's assessment of a year, with its household.
public struct AssessmentListRow: Sendable, Hashable {
    public let householdId: Int
    public let villageCode: String
    public let householdNumber: String
    public let headName: String?
    public let assessment: Assessment

    /// The keyset key of the row: pass it as `after` for the next page.
    public var key: String { "\(villageCode)/\(householdNumber)" }
}

extension RegistryRepository {
    /// A page of the people living in `division` on `date`, by village, household number and membership; `after` is the
    /// previous page's last `PersonListRow.key`. `search` matches a name or the last four characters of an ID number.
    public func people(in division: DivisionCode, work: WorkFilter?, search: String?, asOf date: String, after: String?, limit: Int) async throws -> [PersonListRow] {
        var conditions: [SQLQueryString] = [division.covers("h.village_code")]
        let key = after?.split(separator: "/", omittingEmptySubsequences: false).map(String.init) ?? []
        if key.count == 3, let membership = Int(key[2]) {
            conditions.append("(h.village_code, h.number, m.id) > (\(bind: key[0]), \(bind: key[1]), \(bind: membership))")
        }
        let able = Employment.ableToWork.sorted()
        switch work {
        case .able?: conditions.append("w.labour IN (\(binds: able))")
        case .employed?: conditions.append("w.labour IN (\(binds: able)) AND w.employment IN (\(binds: Employment.employed))")
        case .unemployed?: conditions.append("w.labour IN (\(binds: able)) AND w.employment NOT IN (\(binds: Employment.employed))")
        case nil: break
        }
        if let search = search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            // Names only: a search by ID characters would complete a mask, and a whole number would sit in the URL.
            conditions.append("p.name LIKE \(bind: "%" + search + "%")")
        }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.resident_id, p.name, p.sex, p.birth_date, m.relation, m.id AS membership_id, h.id AS household_id,
                       h.number AS household_number, h.village_code, h.group_number, p.health, w.labour, w.employment, w.months_worked,
                       p.party_member
                FROM households h
                JOIN memberships m ON m.household_id = h.id AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                JOIN people p ON p.id = m.person_id
                JOIN work_records w ON w.person_id = p.id AND \(WorkRecords.inForce("w", on: date))
                WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))
                ORDER BY h.village_code, h.number, m.id LIMIT \(literal: limit)
                """).all(decoding: PersonListRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// A page of the assessments of `year` of the households of `division`, by village and household number; `after`
    /// is the previous page's last `AssessmentListRow.key`.
    public func assessments(in division: DivisionCode, year: Int, group: Int?, after: String?, limit: Int) async throws -> [AssessmentListRow] {
        var conditions: [SQLQueryString] = [division.covers("h.village_code"), "a.year = \(bind: year)"]
        let key = after?.split(separator: "/", omittingEmptySubsequences: false).map(String.init) ?? []
        if key.count == 2 {
            conditions.append("(h.village_code, h.number) > (\(bind: key[0]), \(bind: key[1]))")
        }
        if let group { conditions.append("h.group_number = \(bind: group)") }
        struct Row: Decodable {
            let householdId: Int, villageCode: String, householdNumber: String, headName: String?
            let year: Int, members: Int, wages: Int, production: Int, property: Int, transfers: Int, productionCosts: Int
            let medicalSpending: Int, schoolingSpending: Int
            let foodClothing: Bool, education: Bool, medical: Bool, housing: Bool, water: Bool, note: String, version: Int
        }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT a.household_id, h.village_code, h.number AS household_number,
                       (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                        WHERE m.household_id = h.id AND m.relation = 'head' ORDER BY m.to_date IS NULL DESC, m.from_date DESC LIMIT 1) AS head_name,
                       a.year, a.members, a.wages, a.production, a.property, a.transfers, a.production_costs, a.medical_spending,
                       a.schooling_spending, a.food_clothing, a.education, a.medical, a.housing, a.water, a.note, a.version
                FROM assessments a JOIN households h ON h.id = a.household_id
                WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))
                ORDER BY h.village_code, h.number LIMIT \(literal: limit)
                """).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        }.map {
            AssessmentListRow(
                householdId: $0.householdId, villageCode: $0.villageCode, householdNumber: $0.householdNumber, headName: $0.headName,
                assessment: Assessment(
                    year: $0.year, members: $0.members,
                    income: IncomeSheet(wages: $0.wages, production: $0.production, property: $0.property, transfers: $0.transfers,
                                        productionCosts: $0.productionCosts),
                    guarantees: Guarantees(foodAndClothing: $0.foodClothing, education: $0.education, medical: $0.medical, housing: $0.housing,
                                           water: $0.water),
                    spending: RigidSpending(medical: $0.medicalSpending, schooling: $0.schoolingSpending), note: $0.note, version: $0.version))
        }
    }
}
