import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// The synthetic county's monitoring 2022–2023, at the rates counties report (1–3 % of people monitored), so every
/// monitoring figure has data:
///
/// - the rules' warnings of 10 January 2022 (about 2.3 % of the households not poor, see `monitoringYears`), and risks reported from
///   February 2022 to June 2023 by the household (self_report), on a visit (visit) or in a department's file
///   (department), the three in turn: about 0.7 % of the households not poor, 2 % of those that left poverty;
/// - each warning carried through the entry procedure on working days: of every 100 warnings, 10 are decided "not
///   entered" (the home check does not confirm the risk, or the appraisal does not agree), 4 run late (the data
///   matching holds the appraisal past its deadline: decided in 25–31 working days), and 2–3 stall after the home
///   check and stay open, overdue; the rest are decided within 11–17 working days, inside the 20 of the guidance;
/// - entered under 脱贫不稳定户 (`unstable_exited`: left poverty, income under the threshold), 边缘易致贫户
///   (`marginal`: never poor, income under it) or 突发严重困难户 (`sudden_hardship`: heavy costs, an unsafe house),
///   with the risk types the home check found (work, illness, farming, disability, schooling … one in four with a
///   second); about 2.5 % of the people are monitored at the end of 2022 (2.2 % in a county of 10,000);
/// - every household entered gets an assistance plan of its year within the plan deadline, one or two measures for
///   its risks, and a visit;
/// - about half of those entered in 2022 are cleared once monitored six months (a sixth of them in December 2022,
///   after the year's assessment, the rest in 2023), through proposal, appraisal, notice, township review and
///   decision; one in twelve of those with illness or disability as cleared but kept under watch. Their 2022
///   assessment shows the income the help brought, above the threshold.
///
/// Steps are checked with the domain rules `MonitoringRepository.recordStep` applies (`ProcedureProgress.problems`,
/// `ClearanceRules.problems`, `RiskReport.problems`) and written in bulk as the rows it writes, one transaction per
/// village; a step the rules refuse stops the generation.
extension SyntheticCounty {
    /// What the monitoring walk made, county-wide.
    public struct MonitoringSummary: Sendable {
        /// Warnings carried (the rules' and the reported).
        public var warnings = 0
        /// Of them reported (self-report, visit, department).
        public var reported = 0
        /// Households entered into monitoring.
        public var entered = 0
        /// Warnings decided "not entered".
        public var notEntered = 0
        /// Warnings left open after a step, overdue.
        public var stalled = 0
        /// Households whose risk was cleared (under watch or not).
        public var cleared = 0
    }

    /// The story's last day: no step falls after it.
    static let monitoringEnd = "2023-12-31"
    static let monitoringStaff = MonitoringWalk.Staff(team: "驻村工作队", secretary: "村党支部书记", committee: "村民委员会", township: "合成镇人民政府",
                                                      county: "合成县乡村振兴局")

    /// A household of a village as the walk reads it after the scan: its status, its warning and its 2022 assessment.
    private struct WalkRow: Decodable, Sendable {
        let id: Int, status: String?
        let members: Int?, wages: Int?, production: Int?, property: Int?, transfers: Int?, productionCosts: Int?
        let foodClothing: Bool?, education: Bool?, medical: Bool?, housing: Bool?, water: Bool?

        var assessment: Assessment? {
            guard let members, let wages, let production, let property, let transfers, let productionCosts, let foodClothing, let education,
                  let medical, let housing, let water else { return nil }
            return Assessment(year: 2022, members: members, income: IncomeSheet(wages: wages, production: production, property: property,
                                                                                transfers: transfers, productionCosts: productionCosts),
                              guarantees: Guarantees(foodAndClothing: foodClothing, education: education, medical: medical, housing: housing, water: water))
        }
    }

    /// A warning of a village as the walk reads it: the rules' first finding, for a rule's.
    private struct WarningRow: Decodable, Sendable {
        let id: Int, householdId: Int, openedOn: String, rule: String?
    }

    /// A risk as reported: where from, its type, what was said, and whether it cut the income (else it raised costs).
    private struct ReportKind {
        let source: WarningSource, riskType: String, detail: String, reportedBy: String, cutsIncome: Bool
    }

    /// The risks reported, in turn (the sources alternate, so a small county has all three).
    private static let reportKinds: [ReportKind] = [
        ReportKind(source: .selfReport, riskType: "illness", detail: "家人患重病住院，医疗费用负担重", reportedBy: "户主", cutsIncome: false),
        ReportKind(source: .visit, riskType: "disaster", detail: "强降雨致房屋受损、农作物减产", reportedBy: "网格员", cutsIncome: false),
        ReportKind(source: .department, riskType: DepartmentSource.medical.riskType, detail: "住院治疗，医保报销后个人自付较高",
                   reportedBy: DepartmentSource.medical.title.zh, cutsIncome: false),
        ReportKind(source: .selfReport, riskType: "employment", detail: "家中主要劳动力失业返乡，收入中断", reportedBy: "户主", cutsIncome: true),
        ReportKind(source: .visit, riskType: "industry", detail: "养殖项目亏损，家庭收入大幅下降", reportedBy: "驻村工作队员", cutsIncome: true),
        ReportKind(source: .department, riskType: DepartmentSource.disability.riskType, detail: "新认定残疾，丧失部分劳动能力",
                   reportedBy: DepartmentSource.disability.title.zh, cutsIncome: true),
        ReportKind(source: .selfReport, riskType: "schooling", detail: "子女考入大学，学费和生活费支出较大", reportedBy: "户主", cutsIncome: false),
        ReportKind(source: .visit, riskType: "employment", detail: "务工不稳定，今年收入明显减少", reportedBy: "驻村工作队员", cutsIncome: true),
        ReportKind(source: .department, riskType: DepartmentSource.education.riskType, detail: "在校生家庭经济困难",
                   reportedBy: DepartmentSource.education.title.zh, cutsIncome: false),
        ReportKind(source: .selfReport, riskType: "accident", detail: "家庭成员意外受伤，暂时无法务工", reportedBy: "户主", cutsIncome: true),
        ReportKind(source: .department, riskType: DepartmentSource.unemployment.riskType, detail: "失业登记，领取失业保险金",
                   reportedBy: DepartmentSource.unemployment.title.zh, cutsIncome: true),
    ]

    /// What the home check finds behind an income under the threshold, by weight.
    private static let causes: [(String, Int)] = [("employment", 30), ("illness", 24), ("industry", 12), ("disability", 10), ("schooling", 10),
                                                   ("accident", 6), ("other", 8)]

    /// The measure a plan takes for a risk type: category, content, base amount (fen) and funding.
    private static func measure(for riskType: String) -> (MeasureCategory, String, Int, String) {
        switch riskType {
        case "employment": (.employment, "推荐稳定务工，开发公益性岗位", 0, "就业帮扶")
        case "illness": (.health, "落实医疗保障和医疗救助，家庭医生签约服务", 500_000, "医疗救助资金")
        case "disability": (.socialSecurity, "申领残疾人两项补贴，纳入兜底保障", 240_000, "民政兜底")
        case "schooling": (.education, "落实教育资助和生源地助学贷款", 400_000, "教育资助资金")
        case "disaster", "housing": (.housing, "农村危房改造和灾后修缮", 2_000_000, "农村危房改造补助资金")
        case "accident", "coverage": (.socialSecurity, "临时救助", 200_000, "临时救助资金")
        case "water": (.water, "农村供水工程入户", 150_000, "农村饮水安全资金")
        default: (.production, "产业奖补和技术指导", 300_000, "衔接推进乡村振兴补助资金")
        }
    }

    /// Carries the county's warnings (the rules' of January 2022, raised before) and reported risks through the
    /// procedures, village by village in `villages` order, deterministic for `seed`.
    static func walkMonitoring(county: DivisionCode, villages: [DivisionCode], seed: UInt64, into database: Database) async throws -> MonitoringSummary {
        var random = LiangshuiquanRegistry.Generator(seed: seed ^ 0x3013_2023)
        let repository = MonitoringRepository(database: database)
        let calendar = try await repository.calendar()
        let categoryNames = try await repository.categories(for: county, year: 2022)
        let riskNames = try await repository.riskTypes(for: county, year: 2022)
        let categories = Set(categoryNames.keys), riskTypes = Set(riskNames.keys)
        var parameters: [Int: ProcedureParameters] = [:]
        for year in [2022, 2023] { parameters[year] = try await repository.procedureParameters(for: county, year: year) }
        guard let threshold = try await RegistryRepository(database: database).parameters(for: county, year: 2022).monitoringThreshold else {
            return MonitoringSummary()
        }
        let staff = Self.monitoringStaff, actor = AuditActor.system.username, end = Self.monitoringEnd
        var summary = MonitoringSummary()
        var nextPlan = try await database.read { sql in
            try await sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM plans").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        let firstReport = Day.number("2022-02-07")!, lastReport = Day.number("2023-06-30")!
        /// The first working day `count` working days after `day` (`day` itself, or the next working day, for 0).
        func working(_ day: String, _ count: Int) -> String {
            if count > 0 { return calendar.adding(workingDays: count, to: day)! }
            return calendar.isWorkingDay(day) ? day : calendar.adding(workingDays: 1, to: day)!
        }
        func check(_ problems: [FieldIssue], _ what: String) throws {
            guard problems.isEmpty else {
                throw ValidationFailure([FieldIssue(field: "monitoring", message: LocalizedText(zh: "合成监测数据有误：\(what)", en: "Bad synthetic monitoring: \(what)"))]
                    + problems)
            }
        }
        func names(_ codes: [String]) -> String { codes.map { riskNames[$0]?.zh ?? $0 }.joined(separator: "、") }
        var counter = 0, reported = 0
        for village in villages {
            // the warnings by their village's index (one per household here), then the households
            let (rows, ruled) = try await database.read { sql in
                let warnings = try await sql.raw("""
                    SELECT w.id, w.household_id, w.opened_on,
                           (SELECT s.rule FROM monitoring_signals s WHERE s.warning_id = w.id ORDER BY s.id LIMIT 1) AS rule
                    FROM monitoring_warnings w WHERE w.village_code = \(bind: village.rawValue)
                    """).all(decoding: WarningRow.self, keyDecodingStrategy: .convertFromSnakeCase)
                let rows = try await sql.raw("""
                    SELECT h.id, (SELECT e.status FROM status_events e WHERE e.household_id = h.id ORDER BY e.event_date DESC, e.id DESC LIMIT 1) AS status,
                           a.members, a.wages, a.production, a.property, a.transfers, a.production_costs, a.food_clothing, a.education, a.medical,
                           a.housing, a.water
                    FROM households h LEFT JOIN assessments a ON a.household_id = h.id AND a.year = 2022
                    WHERE h.village_code = \(bind: village.rawValue) AND h.closed_on IS NULL ORDER BY h.id
                    """).all(decoding: WalkRow.self, keyDecodingStrategy: .convertFromSnakeCase)
                return (rows, Dictionary(warnings.map { ($0.householdId, $0) }, uniquingKeysWith: { first, _ in first }))
            }
            // The risks reported in the village, before any step: each opens the household's warning.
            var reports: [Int: (kind: ReportKind, report: RiskReport)] = [:]
            var newWarnings: [[any Encodable & Sendable]] = [], visits: [[any Encodable & Sendable]] = []
            let now = Timestamp.now()
            for row in rows where ruled[row.id] == nil && row.status != PovertyStatus.poor.rawValue {
                guard let members = row.assessment?.members, random.int(0...9_999) < (row.status == PovertyStatus.exited.rawValue ? 200 : 70)
                else { continue }
                let kind = Self.reportKinds[reported % Self.reportKinds.count]
                reported += 1
                let day = Day.text(random.int(firstReport...lastReport))
                let report = RiskReport(source: kind.source, riskType: kind.riskType, detail: kind.detail, reportedBy: kind.reportedBy, foundOn: day,
                                        spendingFen: kind.cutsIncome ? nil : random.int(10...60) * 100_000,
                                        incomeFen: kind.cutsIncome ? threshold.value * members * random.int(40...90) / 100 : nil)
                if kind.source != .department { try check(report.problems(today: end, riskTypes: riskTypes), "report \(row.id)") }
                reports[row.id] = (kind, report)
                newWarnings.append([row.id, village.rawValue, day, 1])
                if kind.source == .visit {
                    visits.append([row.id, day, kind.reportedBy, kind.detail, "上报镇村，安排入户核实", nil as String?, nil as String?, actor, now])
                }
            }
            var signals: [(household: Int, row: [any Encodable & Sendable])] = []
            var steps: [(household: Int, row: [any Encodable & Sendable])] = []
            var decisions: [(household: Int, day: String, outcome: String)] = []
            var events: [[any Encodable & Sendable]] = [], plans: [[any Encodable & Sendable]] = [], measures: [[any Encodable & Sendable]] = []
            var assessments: [[any Encodable & Sendable]] = []
            for (household, entry) in reports.sorted(by: { $0.key < $1.key }) {
                let report = entry.report
                signals.append((household, [household, report.source.rawValue, nil as String?, nil as Int?, nil as Int?, nil as Int?, nil as String?, nil as Int?,
                                            report.riskType, report.detail, report.foundOn, report.reportedBy, report.spendingFen, report.incomeFen, actor, now]))
            }
            for row in rows {
                guard let opened = ruled[row.id]?.openedOn ?? reports[row.id]?.report.foundOn, let assessment = row.assessment else { continue }
                let start = opened, year = Int(opened.prefix(4))!
                guard let entryParameters = parameters[year] else { continue }
                summary.warnings += 1
                if reports[row.id] != nil { summary.reported += 1 }
                counter += 1
                func stepRow(_ record: StepRecord, round: Int = 1) -> [any Encodable & Sendable] {
                    [row.id, record.procedure.rawValue, round, record.step.rawValue, record.day, record.step == .notice ? record.endDay : nil,
                     record.person, record.step == .appraisal ? record.attendance : nil, record.step == .notice ? (record.objections ?? 0) : nil,
                     record.result?.rawValue, record.result == .entered ? record.category : nil,
                     record.result == .entered ? record.riskTypes.joined(separator: ",") : "", record.detail, actor, now]
                }
                // What the warning points to: the category and risk types the decision would give.
                let category: String, risks: [String]
                if let kind = reports[row.id]?.kind {
                    category = kind.cutsIncome ? (row.status == PovertyStatus.exited.rawValue ? "unstable_exited" : "marginal") : "sudden_hardship"
                    risks = Self.withSecond([kind.riskType], &random)
                } else if let rule = ruled[row.id]?.rule, rule == MonitoringRule.incomeBelowThreshold.rawValue || rule == MonitoringRule.incomeDrop.rawValue {
                    category = row.status == PovertyStatus.exited.rawValue ? "unstable_exited" : "marginal"
                    risks = Self.withSecond([Self.weighted(Self.causes, &random)], &random)
                } else {
                    category = "sudden_hardship"
                    let type = ruled[row.id]?.rule.flatMap(MonitoringRule.init(rawValue:))?.riskType ?? "other"
                    risks = type == "housing" && random.int(0...2) == 0 ? ["housing", "disaster"] : [type]
                }
                let home = working(start, random.int(1...3))
                let confirmed = StepRecord(procedure: .entry, step: .homeCheck, day: home, person: staff.team, result: .confirmed,
                                           detail: "入户核实：\(names(risks))，情况属实")
                let undertaking = StepRecord(procedure: .entry, step: .undertaking, day: working(home, random.int(0...2)), person: "户主",
                                             detail: "签订承诺书和家庭经济状况核对授权书")
                var walk: [StepRecord]
                var fate = "entered"
                if counter % 10 == 9 {
                    fate = "not_entered"
                    if counter % 20 == 9 {
                        let unconfirmed = StepRecord(procedure: .entry, step: .homeCheck, day: home, person: staff.team, result: .unconfirmed,
                                                     detail: "经入户核实，家庭收支情况与预警信息不符")
                        walk = [unconfirmed, StepRecord(procedure: .entry, step: .decision, day: working(home, random.int(2...4)), person: staff.county,
                                                        result: .notEntered, detail: "入户核实不属实，不纳入监测")]
                    } else {
                        let appraisal = StepRecord(procedure: .entry, step: .appraisal, day: working(undertaking.day, random.int(1...3)), person: staff.secretary,
                                                   attendance: random.int(18...40), result: .disagreed, detail: "经比对，家庭收入稳定超过监测标准")
                        walk = [confirmed, undertaking, appraisal,
                                StepRecord(procedure: .entry, step: .decision, day: working(appraisal.day, random.int(2...4)), person: staff.county,
                                           result: .notEntered, detail: "村民代表评议不同意纳入，不纳入监测")]
                    }
                } else if counter % 40 == 20 {
                    // waiting for the household's signature, or the data matching: overdue in the inbox
                    fate = "stalled"
                    walk = random.int(0...1) == 0 ? [confirmed] : [confirmed, undertaking]
                } else {
                    let delay = counter % 25 == 12 ? random.int(8...14) : 0
                    let appraisal = working(undertaking.day, random.int(1...3) + delay)
                    let notice = working(appraisal, random.int(0...1))
                    let noticeEnd = working(notice, max(0, entryParameters.noticeWorkingDays - 1))
                    let review = working(noticeEnd, random.int(1...2))
                    walk = MonitoringWalk.entry(
                        staff, homeCheck: home, undertaking: undertaking.day, appraisal: appraisal, attendance: random.int(18...40),
                        notice: (notice, noticeEnd), review: review, decision: working(review, random.int(1...2)), category: category, riskTypes: risks,
                        found: confirmed.detail, signer: "户主", reason: "\(names(risks))，纳入\(categoryNames[category]?.zh ?? category)")
                }
                try check(MonitoringWalk.problems(walk, start: start, today: end, calendar: calendar, parameters: entryParameters, categories: categories,
                                                  riskTypes: riskTypes), "entry of household \(row.id)")
                steps += walk.map { (row.id, stepRow($0)) }
                switch fate {
                case "stalled":
                    summary.stalled += 1
                    continue
                case "not_entered":
                    summary.notEntered += 1
                    decisions.append((row.id, walk.last!.day, StepResult.notEntered.rawValue))
                    continue
                default:
                    break
                }
                // Entered: the status, the plan of the year within its deadline, and a visit.
                let decision = walk.last!
                summary.entered += 1
                decisions.append((row.id, decision.day, StepResult.entered.rawValue))
                events.append([row.id, decision.day, PovertyStatus.monitored.rawValue, category, decision.detail, decision.person, actor, now])
                let planYear = Int(decision.day.prefix(4))!
                nextPlan += 1
                plans.append([nextPlan, row.id, planYear, 1, "generator", now])
                let begins = working(decision.day, random.int(2...max(2, min(8, entryParameters.planWorkingDays))))
                for risk in risks {
                    let (kind, content, base, funding) = Self.measure(for: risk)
                    // a decision of late December starts its measures in January, for that year
                    let draft = MeasureDraft(category: kind, content: content, amountFen: base * random.int(5...15) / 10, funding: funding, start: begins,
                                             end: "\(begins.prefix(4))-12-31", status: .done, result: "已落实")
                    try check(draft.problems(), "plan of household \(row.id)")
                    measures.append([nextPlan, draft.category.rawValue, draft.content, draft.amountFen, draft.funding, draft.start, draft.end,
                                     draft.status.rawValue, draft.result])
                }
                let visited = working(decision.day, random.int(10...30))
                if visited <= end {
                    visits.append([row.id, visited, staff.team, "了解帮扶措施落实情况", "跟踪收入变化", nil as String?, nil as String?, "generator", now])
                }
                // Cleared, about half of those entered in 2022, once monitored the months the parameters ask.
                guard planYear == 2022, random.int(0...1) == 0, let earliest = Day.adding(months: entryParameters.clearanceMonths, to: decision.day)
                else { continue }
                var proposal = working(max(earliest, "2023-01-04"), random.int(0...40))
                if random.int(0...5) == 0, earliest <= "2022-11-30" {
                    let december = working(max(earliest, "2022-12-01"), random.int(0...8))
                    if december <= "2022-12-14" { proposal = december }
                }
                guard proposal <= "2023-11-30", let clearanceParameters = parameters[Int(proposal.prefix(4))!] else { continue }
                var helped = assessment
                if (assessment.income.perCapita(members: assessment.members) ?? 0) <= threshold.value || !Self.allInPlace(assessment.guarantees) {
                    let total = random.int(6_600...9_800) * 100 * assessment.members
                    helped = Assessment(year: 2022, members: assessment.members,
                                        income: IncomeSheet(wages: total * 6 / 10, production: total * 3 / 10, property: 0, transfers: total / 10, productionCosts: 0),
                                        guarantees: Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true),
                                        note: "帮扶后收入稳定超过监测标准")
                    let income = helped.income
                    assessments.append([row.id, 2022, helped.members, income.wages, income.production, income.property, income.transfers,
                                        income.productionCosts, true, true, true, true, true, helped.note, 2, now])
                }
                try check(ClearanceRules.problems(enteredOn: decision.day, today: proposal, months: clearanceParameters.clearanceMonths, assessment: helped,
                                                  threshold: threshold), "clearance of household \(row.id)")
                let watch = (risks.contains("illness") || risks.contains("disability")) && random.int(0...3) == 0
                let appraisal = working(proposal, random.int(1...3))
                let notice = working(appraisal, random.int(0...1))
                let noticeEnd = working(notice, max(0, clearanceParameters.noticeWorkingDays - 1))
                let review = working(noticeEnd, random.int(1...2))
                let clearance = MonitoringWalk.clearance(
                    staff, proposal: proposal, appraisal: appraisal, attendance: random.int(18...40), notice: (notice, noticeEnd), review: review,
                    decision: working(review, random.int(1...2)), result: watch ? .clearedWatch : .cleared,
                    reason: watch ? "无劳动能力，依靠兜底保障，收入稳定超过监测标准" : "帮扶措施落实，收入持续稳定超过监测标准，风险已消除")
                try check(MonitoringWalk.problems(clearance, start: proposal, today: end, calendar: calendar, parameters: clearanceParameters,
                                                  categories: categories, riskTypes: riskTypes), "clearance of household \(row.id)")
                steps += clearance.map { (row.id, stepRow($0)) }
                let cleared = clearance.last!
                summary.cleared += 1
                events.append([row.id, cleared.day, PovertyStatus.riskEliminated.rawValue, nil as String?,
                               watch ? "\(cleared.detail)（\(StepResult.clearedWatch.title.zh)）" : cleared.detail, cleared.person, actor, now])
            }
            guard !steps.isEmpty || !newWarnings.isEmpty else { continue }
            try await database.transaction { sql in
                try await BulkInsert.rows(newWarnings, into: "monitoring_warnings", columns: ["household_id", "village_code", "opened_on", "version"], in: sql)
                struct Open: Decodable { let id: Int; let householdId: Int }
                let warnings = Dictionary(try await sql.raw("""
                    SELECT id, household_id FROM monitoring_warnings WHERE village_code = \(bind: village.rawValue) AND closed_on IS NULL
                    """).all(decoding: Open.self, keyDecodingStrategy: .convertFromSnakeCase).map { ($0.householdId, $0.id) }, uniquingKeysWith: { max($0, $1) })
                try await BulkInsert.rows(signals.map { [warnings[$0.household]!] + $0.row }, into: "monitoring_signals", columns: [
                    "warning_id", "household_id", "source", "rule", "year", "observed", "threshold", "parameter_scope", "parameter_year", "risk_type", "detail",
                    "found_on", "reported_by", "spending_fen", "income_fen", "recorded_by", "recorded_at",
                ], in: sql)
                try await BulkInsert.rows(steps.map { [warnings[$0.household]!] + $0.row }, into: "monitoring_steps", columns: [
                    "warning_id", "household_id", "procedure", "round", "step", "day", "end_day", "person", "attendance", "objections", "result", "category",
                    "risk_types", "detail", "recorded_by", "recorded_at",
                ], in: sql)
                for (household, day, outcome) in decisions {
                    try await sql.raw("""
                        UPDATE monitoring_warnings SET closed_on = \(bind: day), outcome = \(bind: outcome), version = version + 1
                        WHERE id = \(bind: warnings[household]!) AND closed_on IS NULL
                        """).run()
                }
                try await BulkInsert.rows(events, into: "status_events", columns: ["household_id", "event_date", "status", "monitoring_kind", "reason",
                                                                                   "decided_by", "recorded_by", "created_at"], in: sql)
                try await BulkInsert.rows(plans, into: "plans", columns: ["id", "household_id", "year", "version", "created_by", "created_at"], in: sql)
                try await BulkInsert.rows(measures, into: "measures", columns: ["plan_id", "category", "content", "amount_fen", "funding", "start_on", "end_on",
                                                                                "status", "result"], in: sql)
                try await BulkInsert.rows(visits, into: "visits", columns: ["household_id", "visited_on", "visitor", "seen", "promised", "follow_up_on",
                                                                            "followed_up_on", "recorded_by", "recorded_at"], in: sql)
                try await BulkInsert.rows(assessments, into: "assessments", columns: [
                    "household_id", "year", "members", "wages", "production", "property", "transfers", "production_costs", "food_clothing", "education",
                    "medical", "housing", "water", "note", "version", "updated_at",
                ], upsertingOn: ["household_id", "year"], in: sql)
            }
        }
        if database.engine == .postgres {
            try await database.transaction { sql in
                try await sql.raw("SELECT setval(pg_get_serial_sequence('plans', 'id'), (SELECT MAX(id) FROM plans))").run()
            }
        }
        return summary
    }

    /// `found` with, one time in four, a second cause the home check found.
    private static func withSecond(_ found: [String], _ random: inout LiangshuiquanRegistry.Generator) -> [String] {
        guard random.int(0...3) == 0 else { return found }
        let second = weighted(causes, &random)
        return found.contains(second) ? found : found + [second]
    }

    /// Whether the two assurances, three guarantees and safe water are all in place.
    private static func allInPlace(_ guarantees: Guarantees) -> Bool {
        guarantees.foodAndClothing && guarantees.education && guarantees.medical && guarantees.housing && guarantees.water
    }

    /// A code drawn by weight.
    private static func weighted(_ items: [(String, Int)], _ random: inout LiangshuiquanRegistry.Generator) -> String {
        var left = random.int(0...items.reduce(0) { $0 + $1.1 } - 1)
        for (code, weight) in items {
            if left < weight { return code }
            left -= weight
        }
        return items.last!.0
    }
}
