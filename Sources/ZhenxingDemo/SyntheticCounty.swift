import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// A synthetic county for benchmarks and load tests: townships, villages of about 1,000 people,
/// households of 1–6, people with valid ID numbers, about 12 % registered poor in 2014 with exits
/// in 2016–2020 and assessments. Deterministic for a seed; written in bulk, one transaction per village.
public enum SyntheticCounty {
    /// What was made.
    public struct Summary: Sendable {
        /// Townships made.
        public let townships: Int
        /// Villages made.
        public let villages: Int
        /// Households made.
        public let households: Int
        /// People made.
        public let people: Int
    }

    /// Builds the county `county` (its province and city are created when missing) with about `people` people.
    /// With `roster`, households and people go to that CSV file in the import's columns instead of the
    /// database (the divisions are still created), so importing the file is a benchmark.
    public static func generate(
        county: DivisionCode, people target: Int, seed: UInt64, into database: Database, roster: URL? = nil,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Summary {
        guard county.level == .county else {
            throw ValidationFailure([FieldIssue(field: "county", message: LocalizedText(zh: "请给出县级区划代码", en: "Give a county code"))])
        }
        var random = LiangshuiquanRegistry.Generator(seed: seed)
        let villageSize = 1_000, villagesPerTownship = 15
        let villageCount = max(1, target / villageSize)
        let townshipCount = (villageCount + villagesPerTownship - 1) / villagesPerTownship
        // Ids are assigned here so memberships and events can be written without reading ids back.
        var (nextHousehold, nextPerson) = try await database.read { sql in
            (try await sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM households").first(decodingColumn: "n", as: Int.self) ?? 0,
             try await sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM people").first(decodingColumn: "n", as: Int.self) ?? 0)
        }
        try await database.transaction { sql in
            for code in county.chain {
                let name = code == county ? "合成县\(county.rawValue.prefix(6))" : "合成\(code.level.title.zh)\(code.prefix)"
                if try await DivisionRepository(database: database).find(code) == nil {
                    try await DivisionRepository.save(Division(code: code, name: name), in: sql)
                }
            }
        }
        var households = 0, people = 0
        let now = Timestamp.now()
        let writer = try roster.map { try CSVWriter(url: $0) }
        try writer?.append(RosterExport.fields.map(\.title.zh))
        for index in 0..<villageCount {
            let township = index / villagesPerTownship, villageNumber = index % villagesPerTownship
            let townshipCode = try DivisionCode(validating: county.prefix + String(format: "%03d", 100 + township) + "000")
            let village = try DivisionCode(validating: townshipCode.prefix + String(format: "%03d", 201 + villageNumber))
            var householdRows: [[any Encodable & Sendable]] = []
            var personRows: [[any Encodable & Sendable]] = []
            var membershipRows: [[any Encodable & Sendable]] = []
            var eventRows: [[any Encodable & Sendable]] = []
            var assessmentRows: [[any Encodable & Sendable]] = []
            var made = 0
            while made < villageSize {
                nextHousehold += 1
                households += 1
                let size = random.int(1...6)
                let poor = random.int(0...99) < 12
                householdRows.append([nextHousehold, village.rawValue, String(format: "%05d", nextHousehold), random.int(1...10), "合成村\(random.int(1...99))号",
                                      poor && random.int(0...3) == 0 ? "subsistence" : "ordinary", poor ? "illness" : nil as String?, "", 1, now, now])
                let household = householdRows.last!
                for member in 0..<size {
                    nextPerson += 1
                    made += 1
                    let id = Self.residentID(county: county, person: nextPerson)
                    if let writer {
                        let attribute = HouseholdAttribute(rawValue: household[5] as! String)!.title.zh
                        try writer.append(RosterExport.row([
                            .village: village.rawValue, .householdNumber: household[2] as! String, .name: LiangshuiquanRegistry.surnames[random.int(0...19)] + "某",
                            .residentID: id, .relation: member == 0 ? "户主" : "其他", .size: String(size), .group: String(household[3] as! Int),
                            .address: household[4] as! String, .attribute: attribute, .mainCause: poor ? "因病" : "", .ethnicity: "汉族", .education: "初中",
                            .health: "健康", .labour: "普通劳动力", .monthsWorked: "0", .medicalInsurance: "是", .pensionInsurance: "否", .partyMember: "否",
                        ]))
                        continue
                    }
                    personRows.append([nextPerson, id, String(id.suffix(4)), LiangshuiquanRegistry.surnames[random.int(0...19)] + "某",
                                       Int(String(Array(id)[16]))! % 2 == 1 ? "male" : "female",
                                       "\(id.dropFirst(6).prefix(4))-\(id.dropFirst(10).prefix(2))-\(id.dropFirst(12).prefix(2))",
                                       "汉族", "初中", "健康", "普通劳动力", "", 0, true, false, false, "", 1, now, now])
                    membershipRows.append([nextPerson, nextHousehold, member == 0 ? "head" : "other", "2014-01-01", "登记"])
                }
                if poor {
                    eventRows.append([nextHousehold, "2014-10-20", "poor", "识别", "县", "generator", now])
                    let exit = random.int(2016...2021)
                    if exit <= 2020 { eventRows.append([nextHousehold, "\(exit)-12-01", "exited", "脱贫", "县", "generator", now]) }
                    assessmentRows.append([nextHousehold, 2016, size, 150_000 * size, 50_000 * size, 0, 20_000 * size, 10_000 * size,
                                           true, true, true, random.int(0...1) == 0, true, "", 1, now])
                }
            }
            people += made
            try await database.transaction { sql in
                try await DivisionRepository.save(Division(code: townshipCode, name: "合成镇\(township + 1)"), in: sql)
                try await DivisionRepository.save(Division(code: village, name: "合成村\(index + 1)"), in: sql)
                guard writer == nil else { return }
                try await BulkInsert.rows(householdRows, into: "households", columns: ["id", "village_code", "number", "group_number", "address", "attribute", "main_cause",
                                                     "other_causes", "version", "created_at", "updated_at"], in: sql)
                try await BulkInsert.rows(personRows, into: "people", columns: ["id", "resident_id", "id_last_four", "name", "sex", "birth_date", "ethnicity", "education",
                                                 "health", "labour", "employment", "months_worked", "medical_insurance", "pension_insurance",
                                                 "party_member", "phone", "version", "created_at", "updated_at"], in: sql)
                try await BulkInsert.rows(membershipRows, into: "memberships", columns: ["person_id", "household_id", "relation", "from_date", "reason_in"], in: sql)
                try await BulkInsert.rows(eventRows, into: "status_events", columns: ["household_id", "event_date", "status", "reason", "decided_by", "recorded_by", "created_at"], in: sql)
                try await BulkInsert.rows(assessmentRows, into: "assessments", columns: ["household_id", "year", "members", "wages", "production", "property", "transfers",
                                                      "production_costs", "food_clothing", "education", "medical", "housing", "water", "note",
                                                      "version", "updated_at"], in: sql)
            }
            progress(people)
        }
        try writer?.finish()
        if database.engine == .postgres {
            try await database.transaction { sql in
                for table in ["households", "people"] {
                    try await sql.raw("SELECT setval(pg_get_serial_sequence(\(literal: table), 'id'), (SELECT MAX(id) FROM \(ident: table)))").run()
                }
            }
        }
        try await AuditLog(database: database).record(.create, entity: "synthetic_county", key: county.rawValue, division: county, by: .system)
        return Summary(townships: townshipCount, villages: villageCount, households: households, people: people)
    }

    /// A valid ID number unique to the person number: birth dates from 1945 on are spread over
    /// 23,520 days (70 years of 12 × 28) by a multiplier coprime with that count, and the sequence
    /// digits count the rounds, so no two person numbers share a number below 23.5 million.
    static func residentID(county: DivisionCode, person: Int) -> String {
        let days = 23_520
        let day = (person &* 7_919) % days
        let body = String(county.rawValue.prefix(6))
            + String(format: "%04d%02d%02d%03d", 1945 + day / 336, 1 + (day % 336) / 28, 1 + day % 28, (person / days) % 1000)
        return body + String(ResidentID.checkCharacter(for: body))
    }
}
