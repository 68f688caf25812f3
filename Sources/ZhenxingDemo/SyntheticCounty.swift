import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// A synthetic county for benchmarks and load tests: townships, villages of about 1,000 people,
/// households of 1–6, people with valid ID numbers, about 12 % registered poor in 2014 with exits
/// in 2016–2020 and assessments, every household assessed in 2021 and 2022 (its 2021 monitoring warnings raised by the
/// rules, and risks reported in 2022–2023, carried through the procedures: about 2.5 % of the people monitored at the end
/// of 2022, half of them cleared by the end of 2023, see `walkMonitoring`); each poor household with a 2016 plan of two measures and a visit; each village
/// with issues raised and answered in 2017–2020, lectures and health checks in 2019–2020 and collective income.
/// Deterministic for a seed; written in bulk, one transaction per village.
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
        /// The monitoring made (nothing when the households went to a roster file).
        public let monitoring: MonitoringSummary
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
        var (nextHousehold, nextPerson, nextPlan, nextIssue) = try await database.read { sql in
            let top = { (table: String) in
                try await sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0
            }
            return (try await top("households"), try await top("people"), try await top("plans"), try await top("issues"))
        }
        // The records beyond the registry draw from their own sequence, so the registry (and the roster file) stay as
        // they were for a seed.
        var extra = LiangshuiquanRegistry.Generator(seed: seed ^ 0x5EED_5EED)
        // The yearly assessments of the monitoring years draw from a third.
        var yearly = LiangshuiquanRegistry.Generator(seed: seed ^ 0x2021_2022)
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
        var villages: [DivisionCode] = []
        let writer = try roster.map { try CSVWriter(url: $0) }
        try writer?.append(RosterExport.fields.map(\.title.zh))
        for index in 0..<villageCount {
            let township = index / villagesPerTownship, villageNumber = index % villagesPerTownship
            let townshipCode = try DivisionCode(validating: county.prefix + String(format: "%03d", 100 + township) + "000")
            let village = try DivisionCode(validating: townshipCode.prefix + String(format: "%03d", 201 + villageNumber))
            villages.append(village)
            var householdRows: [[any Encodable & Sendable]] = []
            var personRows: [[any Encodable & Sendable]] = []
            var membershipRows: [[any Encodable & Sendable]] = []
            var workRecords: [(person: Int, work: WorkRecord)] = []
            var eventRows: [[any Encodable & Sendable]] = []
            var assessmentRows: [[any Encodable & Sendable]] = []
            var poorHouseholds: [Int] = []
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
                    let work = Self.work(id: id, person: nextPerson)
                    if let writer {
                        let attribute = HouseholdAttribute(rawValue: household[5] as! String)!.title.zh
                        try writer.append(RosterExport.row([
                            .village: village.rawValue, .householdNumber: household[2] as! String, .name: LiangshuiquanRegistry.surnames[random.int(0...19)] + "某",
                            .residentID: id, .relation: member == 0 ? "户主" : "其他", .size: String(size), .group: String(household[3] as! Int),
                            .address: household[4] as! String, .attribute: attribute, .mainCause: poor ? "因病" : "", .ethnicity: "汉族", .education: "初中",
                            .health: "健康", .labour: work.labour, .employment: work.employment, .monthsWorked: String(work.months), .medicalInsurance: "是", .pensionInsurance: "否", .partyMember: "否",
                        ]))
                        continue
                    }
                    personRows.append([nextPerson, id, String(id.suffix(4)), LiangshuiquanRegistry.surnames[random.int(0...19)] + "某",
                                       Int(String(Array(id)[16]))! % 2 == 1 ? "male" : "female",
                                       "\(id.dropFirst(6).prefix(4))-\(id.dropFirst(10).prefix(2))-\(id.dropFirst(12).prefix(2))",
                                       "汉族", "初中", "健康", work.labour, work.employment, work.months, true, false, false, "", 1, now, now])
                    membershipRows.append([nextPerson, nextHousehold, member == 0 ? "head" : "other", "2014-01-01", "登记"])
                    workRecords.append((nextPerson, WorkRecord(since: "2014-01-01", labour: work.labour, employment: work.employment, monthsWorked: work.months)))
                }
                var exited = false
                if poor {
                    poorHouseholds.append(nextHousehold)
                    eventRows.append([nextHousehold, "2014-10-20", "poor", "识别", "县", "generator", now])
                    let exit = random.int(2016...2021)
                    exited = exit <= 2020
                    if exited { eventRows.append([nextHousehold, "\(exit)-12-01", "exited", "脱贫", "县", "generator", now]) }
                    assessmentRows.append([nextHousehold, 2016, size, 150_000 * size, 50_000 * size, 0, 20_000 * size, 10_000 * size,
                                           true, true, true, random.int(0...1) == 0, true, "", 1, now])
                }
                if writer == nil {
                    assessmentRows += Self.monitoringYears(household: nextHousehold, size: size, exited: exited, random: &yearly, now: now)
                }
            }
            people += made
            let records = writer == nil ? Self.records(village: village, poor: poorHouseholds, nextPlan: &nextPlan, nextIssue: &nextIssue,
                                                       random: &extra, now: now) : Records()
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
                try await WorkRecords.start(workRecords, in: sql)
                try await BulkInsert.rows(eventRows, into: "status_events", columns: ["household_id", "event_date", "status", "reason", "decided_by", "recorded_by", "created_at"], in: sql)
                try await BulkInsert.rows(assessmentRows, into: "assessments", columns: ["household_id", "year", "members", "wages", "production", "property", "transfers",
                                                      "production_costs", "food_clothing", "education", "medical", "housing", "water", "note",
                                                      "version", "updated_at"], in: sql)
                try await records.insert(in: sql)
            }
            progress(people)
        }
        try writer?.finish()
        if database.engine == .postgres {
            try await database.transaction { sql in
                for table in ["households", "people", "plans", "issues"] {
                    try await sql.raw("SELECT setval(pg_get_serial_sequence(\(literal: table), 'id'), (SELECT MAX(id) FROM \(ident: table)))").run()
                }
            }
        }
        var monitoring = MonitoringSummary()
        if writer == nil {
            // January 2022: the monitoring rules run over the county's 2021 assessments, so the inbox has its warnings;
            // then those and the risks reported later are carried through the procedures.
            _ = try await MonitoringRepository(database: database).scan(county, year: 2021, today: "2022-01-10", dryRun: false, by: .system)
            monitoring = try await Self.walkMonitoring(county: county, villages: villages, seed: seed, into: database)
        }
        try await AuditLog(database: database).record(.create, entity: .syntheticCounty, key: county.rawValue, division: county, by: .system)
        try await database.analyze()
        return Summary(townships: townshipCount, villages: villageCount, households: households, people: people, monitoring: monitoring)
    }

    /// The 2021 and 2022 assessments (全面排查) of a household, at the rates counties see under monitoring: under the
    /// 6,000 yuan threshold about 1.5 % of the households never poor and 10 % of those that left poverty (`exited`),
    /// so about 2.3 % in all; 1 % whose income falls by 35–60 % the next year, 0.3 % found in an unsafe house.
    static func monitoringYears(household: Int, size: Int, exited: Bool, random: inout LiangshuiquanRegistry.Generator,
                                now: String) -> [[any Encodable & Sendable]] {
        var perCapita = random.int(0...999) < (exited ? 100 : 15) ? random.int(4_000...5_900) : random.int(7_000...30_000)
        var rows: [[any Encodable & Sendable]] = []
        for year in 2021...2022 {
            if year == 2022 {
                perCapita = random.int(0...99) == 0 ? perCapita * random.int(40...65) / 100 : perCapita * random.int(100...110) / 100
            }
            let total = perCapita * 100 * size
            rows.append([household, year, size, total * 6 / 10, total * 3 / 10, 0, total / 10, 0, true, true, true, random.int(0...999) >= 3, true, "", 1, now])
        }
        return rows
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

    /// Labour capacity by age in 2016 (under 16: none; over 60: weak), and for those able to work one kind of work in
    /// turn, one in twenty without work.
    static func work(id: String, person: Int) -> (labour: String, employment: String, months: Int) {
        let age = 2016 - (Int(id.dropFirst(6).prefix(4)) ?? 1980)
        if age < 16 { return ("无劳动力", "", 0) }
        if age > 60 { return ("弱劳动力或半劳动力", "", 0) }
        if person % 20 == 0 { return ("普通劳动力", "", 0) }
        return ("普通劳动力", Employment.employed[person % Employment.employed.count], 6 + person % 7)
    }

    /// A village's records beyond the registry, as rows to insert.
    struct Records {
        var plans: [[any Encodable & Sendable]] = []
        var measures: [[any Encodable & Sendable]] = []
        var visits: [[any Encodable & Sendable]] = []
        var issues: [[any Encodable & Sendable]] = []
        var events: [[any Encodable & Sendable]] = []
        var activities: [[any Encodable & Sendable]] = []
        var income: [[any Encodable & Sendable]] = []

        func insert(in sql: any SQLDatabase) async throws {
            try await BulkInsert.rows(plans, into: "plans", columns: ["id", "household_id", "year", "version", "created_by", "created_at"], in: sql)
            try await BulkInsert.rows(measures, into: "measures", columns: ["plan_id", "category", "content", "amount_fen", "funding", "start_on", "end_on",
                                                                            "status", "result"], in: sql)
            try await BulkInsert.rows(visits, into: "visits", columns: ["household_id", "visited_on", "visitor", "seen", "promised", "follow_up_on",
                                                                        "followed_up_on", "recorded_by", "recorded_at"], in: sql)
            try await BulkInsert.rows(issues, into: "issues", columns: ["id", "village_code", "title", "description", "source", "raised_by", "household_id",
                                                                        "category", "raised_on", "state", "owner", "deadline", "result", "finished_on", "version"], in: sql)
            try await BulkInsert.rows(events, into: "issue_events", columns: ["issue_id", "happened_on", "from_state", "to_state", "response", "owner",
                                                                              "deadline", "result", "recorded_by", "recorded_at"], in: sql)
            try await BulkInsert.rows(activities, into: "activities", columns: ["village_code", "kind", "title", "held_on", "place", "organiser", "partner",
                                                                                "speaker", "speaker_type", "classroom", "counted", "parties", "outcome",
                                                                                "created_at"], in: sql)
            try await BulkInsert.rows(income, into: "collective_income", columns: ["village_code", "year", "received_on", "source", "amount_fen", "note",
                                                                                   "recorded_by"], in: sql)
        }
    }

    static func records(village: DivisionCode, poor: [Int], nextPlan: inout Int, nextIssue: inout Int,
                        random: inout LiangshuiquanRegistry.Generator, now: String) -> Records {
        var records = Records()
        let categories: [MeasureCategory] = [.health, .education, .employment, .microcredit, .socialSecurity]
        for household in poor {
            nextPlan += 1
            records.plans.append([nextPlan, household, 2016, 1, "generator", now])
            records.measures.append([nextPlan, MeasureCategory.production.rawValue, "产业入股分红", 300_000, "财政专项扶贫资金", "2016-03-01", "2016-12-31",
                                     MeasureStatus.done.rawValue, "年分红"])
            let category = categories[random.int(0...categories.count - 1)]
            records.measures.append([nextPlan, category.rawValue, category.title.zh, random.int(0...50) * 10_000, "行业部门资金", "2016-04-01", "2016-12-31",
                                     MeasureStatus.done.rawValue, "已落实"])
            let day = String(format: "2016-%02d-%02d", random.int(3...10), random.int(1...28))
            records.visits.append([household, day, "驻村工作队", "了解两不愁三保障情况", "", nil as String?, nil as String?, "generator", now])
        }
        for year in 2017...2020 {
            for _ in 0..<random.int(2...5) {
                nextIssue += 1
                let raised = String(format: "%d-%02d-%02d", year, random.int(1...11), random.int(1...28))
                let household = poor.isEmpty ? nil : poor[random.int(0...poor.count - 1)]
                if random.int(0...2) > 0 {
                    records.issues.append([nextIssue, village.rawValue, "群众诉求", "", IssueSource.household.rawValue, "村民", household, "其他", raised,
                                           IssueState.solved.rawValue, nil as String?, nil as String?, "当场解决", raised, 2])
                    records.events.append([nextIssue, raised, IssueState.collected.rawValue, IssueState.solved.rawValue, "当场答复", nil as String?, nil as String?,
                                           "当场解决", "generator", now])
                } else {
                    let deadline = String(format: "%d-12-28", year)
                    records.issues.append([nextIssue, village.rawValue, "需协调的问题", "", IssueSource.meeting.rawValue, "村民", household, "基础设施", raised,
                                           IssueState.assigned.rawValue, "村委会", deadline, nil as String?, nil as String?, 3])
                    records.events.append([nextIssue, raised, IssueState.collected.rawValue, IssueState.referred.rawValue, "提交会议研究", nil as String?,
                                           nil as String?, nil as String?, "generator", now])
                    records.events.append([nextIssue, raised, IssueState.referred.rawValue, IssueState.assigned.rawValue, "明确责任人和时限", "村委会",
                                           deadline, nil as String?, "generator", now])
                }
            }
        }
        for year in 2019...2020 {
            for session in 0..<random.int(6...12) {
                let held = String(format: "%d-%02d-%02d", year, 1 + session, random.int(1...28))
                records.activities.append([village.rawValue, ActivityKind.lecture.rawValue, "讲习所", held, "村党群服务中心", "村党支部", "", "驻村工作队",
                                           SpeakerType.allCases[session % 4].rawValue, Classroom.allCases[session % 3].rawValue, random.int(20...45), "", "", now])
            }
            records.activities.append([village.rawValue, ActivityKind.healthCheck.rawValue, "义诊", "\(year)-06-15", "村卫生室", "村党支部", "乡镇卫生院", "",
                                       nil as String?, nil as String?, random.int(40...90), "", "", now])
            records.income.append([village.rawValue, year, "\(year)-12-20", "集体产业收益", random.int(5...60) * 1_000_000, "", "generator"])
        }
        return records
    }
}
