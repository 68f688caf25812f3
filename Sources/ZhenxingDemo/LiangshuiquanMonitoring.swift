import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// 凉水泉村's monitoring 2022–2026, kept as a work team keeps it: five households found through the four ways a risk
/// is found, each carried through the procedure on working days, helped, and most of them cleared.
///
/// - the rules over the 2021 assessments (January 2022): a household that left poverty in 2021 under the threshold —
///   entered as unstable after exit, found work, cleared in January 2023;
/// - a visit after the July 2023 rainstorm: a cracked house — entered as sudden hardship, rebuilt, cleared in March 2024;
/// - a self-report in May 2024: the son's factory closed — entered as marginal, placed in a job, cleared in January 2025;
/// - the rules over the 2024 assessments (January 2025): income fell by two fifths after the householder's illness,
///   and the medical insurance file of the same week shows the hospital bills — entered, and in January 2026 cleared
///   as stable but kept under watch, living on 低保 and the disability allowance;
/// - a self-report in November 2025: a daughter's university fees — checked and signed for, its appraisal overdue.
enum LiangshuiquanMonitoring {
    static let team = "驻村工作队 刘志强", secretary = "第一书记 周立新", committee = "凉水泉村村民委员会"
    static let township = "老庄镇人民政府", county = "镇平县乡村振兴局"
    static let staff = MonitoringWalk.Staff(team: team, secretary: secretary, committee: committee, township: township, county: county)

    static func load(village: DivisionCode, database: Database, today: String) async throws {
        let monitoring = MonitoringRepository(database: database), plans = PlanRepository(database: database)
        let visits = VisitRepository(database: database)
        func household(_ condition: SQLQueryString) async throws -> (id: Int, members: Int) {
            try await database.read { sql in
                struct Row: Decodable { let id: Int; let members: Int }
                return try await sql.raw("""
                    SELECT h.id, (SELECT count(*) FROM memberships m WHERE m.household_id = h.id AND m.to_date IS NULL) AS members
                    FROM households h WHERE h.village_code = \(bind: village.rawValue) AND \(condition) ORDER BY h.number LIMIT 1
                    """).first(decoding: Row.self).map { ($0.id, $0.members) }!
            }
        }
        func assess(_ assessment: Assessment, _ household: Int) async throws {
            try await database.transaction { sql in try await RegistryRepository.saveAssessment(assessment, household: household, in: sql) }
        }
        /// Records `steps` of household `household`'s `warning`, in order.
        func carry(_ warning: Int, _ household: Int, _ steps: [StepRecord]) async throws {
            for step in steps { _ = try await monitoring.recordStep(step, warning: warning, household: household, today: today, by: .system) }
        }
        func entry(homeCheck: String, undertaking: String, appraisal: String, attendance: Int, notice: (String, String), review: String,
                   decision: String, category: String, riskTypes: [String], found: String, signer: String, reason: String) -> [StepRecord] {
            MonitoringWalk.entry(staff, homeCheck: homeCheck, undertaking: undertaking, appraisal: appraisal, attendance: attendance, notice: notice,
                                 review: review, decision: decision, category: category, riskTypes: riskTypes, found: found, signer: signer, reason: reason)
        }
        func clearance(proposal: String, appraisal: String, attendance: Int, notice: (String, String), review: String, decision: String,
                       result: StepResult = .cleared, reason: String) -> [StepRecord] {
            MonitoringWalk.clearance(staff, proposal: proposal, appraisal: appraisal, attendance: attendance, notice: notice, review: review,
                                     decision: decision, result: result, reason: reason)
        }

        // 1. The rules' warning of 10 January 2022.
        let ruled = try await monitoring.openWarnings(in: village)
        if let first = ruled.first {
            let id = first.householdID
            try await carry(first.id, id, entry(
                homeCheck: "2022-01-13", undertaking: "2022-01-14", appraisal: "2022-01-19", attendance: 23, notice: ("2022-01-20", "2022-01-26"),
                review: "2022-01-27", decision: "2022-01-28", category: "unstable_exited", riskTypes: ["employment"], found: "家中劳动力务工不稳定，2021年人均纯收入低于监测标准",
                signer: "户主", reason: "人均纯收入低于6000元监测标准，纳入脱贫不稳定户"))
            _ = try await plans.save(household: id, year: 2022, measures: [
                MeasureDraft(category: .employment, content: "推荐到县城扶贫车间稳定务工", amountFen: 0, funding: "就业帮扶", start: "2022-02-14", end: "2022-12-31",
                             status: .done, result: "已稳定务工10个月"),
                MeasureDraft(category: .production, content: "发放蛋鸡养殖产业奖补", amountFen: 300_000, funding: "衔接推进乡村振兴补助资金", start: "2022-03-01",
                             end: "2022-10-31", status: .done, result: "养殖蛋鸡200只"),
            ], by: .system)
            _ = try await visits.add(VisitDraft(date: "2022-03-15", visitor: team, seen: "已到扶贫车间上班，月工资2600元", promised: "落实产业奖补"),
                                     household: id, today: today, by: .system)
            let members = try await household("h.id = \(bind: id)").members
            try await assess(LiangshuiquanRegistry.assessment(year: 2022, members: members, perCapitaYuan: 8_200), id)
            try await carry(first.id, id, clearance(
                proposal: "2023-01-09", appraisal: "2023-01-11", attendance: 22, notice: ("2023-01-12", "2023-01-18"), review: "2023-01-19",
                decision: "2023-01-20", reason: "稳定务工，2022年人均纯收入8200元，持续超过监测标准"))
        }

        // 2. A visit after the rainstorm of 29–31 July 2023 finds a cracked house.
        let storm = try await household("h.number >= '0030' AND NOT EXISTS (SELECT 1 FROM status_events e WHERE e.household_id = h.id)")
        _ = try await visits.add(VisitDraft(date: "2023-07-31", visitor: "网格员 王秀兰", seen: "暴雨致房屋后墙开裂、屋顶漏雨", promised: "上报镇村，安排临时安置"),
                                 household: storm.id, today: today, by: .system)
        let stormWarning = try await monitoring.report(RiskReport(
            source: .visit, riskType: "disaster", detail: "暴雨致房屋后墙开裂、屋顶漏雨，经鉴定为C级危房", reportedBy: "网格员 王秀兰", foundOn: "2023-07-31",
            spendingFen: 3_000_000), household: storm.id, today: today, by: .system)
        try await carry(stormWarning, storm.id, entry(
            homeCheck: "2023-08-01", undertaking: "2023-08-02", appraisal: "2023-08-04", attendance: 31, notice: ("2023-08-07", "2023-08-11"),
            review: "2023-08-14", decision: "2023-08-16", category: "sudden_hardship", riskTypes: ["disaster", "housing"], found: "房屋C级危房，修缮需3万元",
            signer: "户主", reason: "因灾房屋受损，修缮支出超过家庭承受能力，纳入突发严重困难户"))
        _ = try await plans.save(household: storm.id, year: 2023, measures: [
            MeasureDraft(category: .housing, content: "农村危房改造：后墙重砌、屋顶翻修", amountFen: 2_000_000, funding: "农村危房改造补助资金", start: "2023-08-21",
                         end: "2023-10-31", status: .done, result: "已完工并验收"),
        ], by: .system)
        _ = try await visits.add(VisitDraft(date: "2023-09-20", visitor: team, seen: "危房改造施工中", promised: "竣工后组织验收"),
                                 household: storm.id, today: today, by: .system)
        try await assess(LiangshuiquanRegistry.assessment(year: 2023, members: storm.members, perCapitaYuan: 9_600), storm.id)
        try await carry(stormWarning, storm.id, clearance(
            proposal: "2024-03-04", appraisal: "2024-03-06", attendance: 29, notice: ("2024-03-07", "2024-03-13"), review: "2024-03-14",
            decision: "2024-03-15", reason: "住房安全有保障，2023年人均纯收入9600元，风险已消除"))

        // 3. A self-report in May 2024: the son's factory in the city closed.
        let jobless = try await household("h.number >= '0120' AND NOT EXISTS (SELECT 1 FROM status_events e WHERE e.household_id = h.id)")
        let joblessWarning = try await monitoring.report(RiskReport(
            source: .selfReport, riskType: "employment", detail: "儿子务工的工厂倒闭，失业返乡", reportedBy: "户主", foundOn: "2024-05-06", incomeFen: 1_200_000),
            household: jobless.id, today: today, by: .system)
        try await carry(joblessWarning, jobless.id, entry(
            homeCheck: "2024-05-08", undertaking: "2024-05-09", appraisal: "2024-05-13", attendance: 27, notice: ("2024-05-14", "2024-05-20"),
            review: "2024-05-21", decision: "2024-05-23", category: "marginal", riskTypes: ["employment"], found: "家庭主要劳动力失业，预计当年收入低于监测标准",
            signer: "户主", reason: "务工就业不稳，纳入边缘易致贫户"))
        _ = try await plans.save(household: jobless.id, year: 2024, measures: [
            MeasureDraft(category: .employment, content: "开发公益性岗位并推荐县产业园就业", amountFen: 0, funding: "就业帮扶", start: "2024-06-01", end: "2024-12-31",
                         status: .done, result: "已在县产业园就业"),
        ], by: .system)
        _ = try await visits.add(VisitDraft(date: "2024-06-18", visitor: team, seen: "已到县产业园上班", promised: "跟踪稳岗"),
                                 household: jobless.id, today: today, by: .system)
        try await assess(LiangshuiquanRegistry.assessment(year: 2024, members: jobless.members, perCapitaYuan: 8_800), jobless.id)
        try await carry(joblessWarning, jobless.id, clearance(
            proposal: "2025-01-06", appraisal: "2025-01-08", attendance: 26, notice: ("2025-01-09", "2025-01-15"), review: "2025-01-16",
            decision: "2025-01-17", reason: "稳定就业，2024年人均纯收入8800元，风险已消除"))

        // 4. The rules over the 2024 assessments: a household out of poverty since 2018 whose income fell after the
        //    householder fell ill.
        let ill = try await household("h.number >= '0200' AND EXISTS (SELECT 1 FROM status_events e WHERE e.household_id = h.id AND e.status = 'exited')")
        try await assess(LiangshuiquanRegistry.assessment(year: 2023, members: ill.members, perCapitaYuan: 9_200), ill.id)
        try await assess(LiangshuiquanRegistry.assessment(year: 2024, members: ill.members, perCapitaYuan: 5_400, note: "户主患病住院，无法务工"), ill.id)
        _ = try await monitoring.scan(village, year: 2024, today: "2025-01-13", dryRun: false, by: .system)
        //    The county's medical insurance file of the same week names the householder's hospital bills: it joins the warning.
        let head = try await database.read { sql in
            try await sql.raw("""
                SELECT p.resident_id FROM people p JOIN memberships m ON m.person_id = p.id
                WHERE m.household_id = \(bind: ill.id) AND m.relation = 'head' AND m.to_date IS NULL
                """).first(decodingColumn: "resident_id", as: String.self)!
        }
        _ = try await monitoring.importDepartment([DepartmentWarning(
            row: 2, residentID: try ResidentID(validating: head), source: .medical, foundOn: "2024-12-20", detail: "脑梗塞住院治疗，医保报销后个人自付较高",
            amountFen: 4_600_000)], into: village, today: "2025-01-14", dryRun: false, by: .system)
        if let illWarning = try await monitoring.warnings(ofHousehold: ill.id).first(where: { $0.closedOn == nil }) {
            try await carry(illWarning.id, ill.id, entry(
                homeCheck: "2025-01-15", undertaking: "2025-01-16", appraisal: "2025-01-20", attendance: 24, notice: ("2025-01-21", "2025-01-27"),
                review: "2025-02-05", decision: "2025-02-07", category: "unstable_exited", riskTypes: ["illness"], found: "户主患慢性病丧失劳动能力，收入大幅下降",
                signer: "户主之妻", reason: "因病收入下降超过三成且低于监测标准，纳入脱贫不稳定户"))
            _ = try await plans.save(household: ill.id, year: 2025, measures: [
                MeasureDraft(category: .health, content: "慢性病签约服务和医疗救助", amountFen: 800_000, funding: "医疗救助资金", start: "2025-02-10", end: "2025-12-31",
                             status: .done, result: "住院费用报销比例提高到90%"),
                MeasureDraft(category: .socialSecurity, content: "纳入农村低保，申领残疾人两项补贴", amountFen: 0, funding: "民政兜底", start: "2025-02-10", end: "2025-12-31",
                             status: .done, result: "已纳入低保"),
            ], by: .system)
            _ = try await visits.add(VisitDraft(date: "2025-03-10", visitor: team, seen: "户主出院在家休养", promised: "协助办理低保"),
                                     household: ill.id, today: today, by: .system)
            let members = ill.members
            try await assess(Assessment(year: 2025, members: members, income: IncomeSheet(
                wages: 0, production: 120_000 * members, property: 30_000 * members, transfers: 600_000 * members, productionCosts: 20_000 * members),
                guarantees: Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true), note: "低保、残疾人补贴为主要收入"), ill.id)
            try await carry(illWarning.id, ill.id, clearance(
                proposal: "2026-01-12", appraisal: "2026-01-14", attendance: 25, notice: ("2026-01-15", "2026-01-21"), review: "2026-01-22",
                decision: "2026-01-23", result: .clearedWatch, reason: "无劳动能力，依靠低保等兜底保障，收入稳定超过监测标准"))
        }

        // 5. A self-report in November 2025: a daughter starts university; checked and signed for, the appraisal is overdue.
        let fees = try await household("h.number >= '0250' AND NOT EXISTS (SELECT 1 FROM status_events e WHERE e.household_id = h.id)")
        let feesWarning = try await monitoring.report(RiskReport(
            source: .selfReport, riskType: "schooling", detail: "女儿考入大学，学费和生活费每年约1.5万元", reportedBy: "户主", foundOn: "2025-11-17",
            spendingFen: 1_500_000), household: fees.id, today: today, by: .system)
        try await carry(feesWarning, fees.id, [
            StepRecord(procedure: .entry, step: .homeCheck, day: "2025-11-19", person: team, result: .confirmed, detail: "刚性支出较大，收入能否覆盖待评议"),
            StepRecord(procedure: .entry, step: .undertaking, day: "2025-11-20", person: "户主", detail: "签订承诺书和家庭经济状况核对授权书"),
        ])
    }
}
