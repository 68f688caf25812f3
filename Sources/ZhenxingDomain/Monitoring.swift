/// Working days as China's offices count them: Monday to Friday, less the public holidays, plus the weekend days
/// the State Council's yearly schedule turns into working days (调休上班). Deadlines of the monitoring procedure are
/// counted in these days; the exceptions are data kept per year (`working_calendar`), not rules in code.
public struct WorkingCalendar: Sendable, Hashable {
    /// What a listed day is instead of what its weekday says.
    public enum Exception: String, Sendable, Hashable, Codable, CaseIterable {
        /// A public holiday (or a day off moved onto a weekday): no work.
        case holiday
        /// A weekend day worked to make up for a holiday.
        case workday
    }

    /// The listed days, by day number (`Day.number`).
    private let exceptions: [Int: Exception]

    /// A calendar with the listed days, `YYYY-MM-DD` → what each is; days that are not valid are ignored.
    public init(exceptions: [String: Exception]) {
        var byNumber: [Int: Exception] = [:]
        for (day, kind) in exceptions { if let number = Day.number(day) { byNumber[number] = kind } }
        self.exceptions = byNumber
    }

    /// Whether the day numbered `number` is worked.
    private func isWorking(_ number: Int) -> Bool {
        switch exceptions[number] {
        case .holiday: false
        case .workday: true
        case nil: Day.weekday(number) <= 5
        }
    }

    /// Whether `day` is a working day; false for text that is not a day.
    public func isWorkingDay(_ day: String) -> Bool {
        Day.number(day).map(isWorking) ?? false
    }

    /// The day `count` working days after `day` (`day` itself not counted: 5 working days from a Friday is the next
    /// Friday); nil when `day` is not a day or `count` is outside 0–1,000.
    public func adding(workingDays count: Int, to day: String) -> String? {
        guard var number = Day.number(day), (0...1_000).contains(count) else { return nil }
        var left = count
        while left > 0 {
            number += 1
            if isWorking(number) { left -= 1 }
        }
        return Day.text(number)
    }

    /// How many working days come after `start` up to and including `end` (0 when `end` is not after `start`); nil
    /// when either is not a day.
    public func workingDays(from start: String, to end: String) -> Int? {
        guard let first = Day.number(start), let last = Day.number(end) else { return nil }
        guard last > first else { return 0 }
        return (first + 1...last).reduce(0) { $0 + (isWorking($1) ? 1 : 0) }
    }
}

/// How a risk was found: the one inbox takes all four.
public enum WarningSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// 规则预警: a rule over the records.
    case rule
    /// 农户自主申报: the household (or a cadre for it) reported it.
    case selfReport = "self_report"
    /// 干部排查: found on a visit.
    case visit
    /// 部门预警: a department's file.
    case department

    /// The source's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .rule: LocalizedText(zh: "规则预警", en: "Rule over the records")
        case .selfReport: LocalizedText(zh: "农户自主申报", en: "Self-report")
        case .visit: LocalizedText(zh: "干部排查", en: "Cadre visit")
        case .department: LocalizedText(zh: "部门预警", en: "Department data")
        }
    }
}

/// A rule over the records that raises a monitoring warning (规则预警). The rule is code; its thresholds are dated
/// data: the monitoring threshold of the policy parameters, the others in `monitoring_rule_parameters`.
public enum MonitoringRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// 人均纯收入低于当年监测标准.
    case incomeBelowThreshold = "income_below_threshold"
    /// 人均纯收入较上年下降超过设定比例.
    case incomeDrop = "income_drop"
    /// 年度核查住房安全无保障.
    case housingUnsafe = "housing_unsafe"
    /// 年度核查饮水安全无保障.
    case waterUnsafe = "water_unsafe"
    /// 年度核查义务教育或基本医疗无保障.
    case guaranteesFailed = "guarantees_failed"
    /// 医疗、教育刚性支出超过家庭纯收入的设定比例.
    case rigidSpending = "rigid_spending"
    /// 家庭唯一劳动力死亡、丧失劳动能力或离开.
    case lostOnlyWorker = "lost_only_worker"

    /// The rule's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .incomeBelowThreshold: LocalizedText(zh: "收入低于监测标准", en: "Income below the monitoring threshold")
        case .incomeDrop: LocalizedText(zh: "收入大幅下降", en: "Income fell sharply")
        case .housingUnsafe: LocalizedText(zh: "住房安全无保障", en: "Housing not safe")
        case .waterUnsafe: LocalizedText(zh: "饮水安全无保障", en: "Drinking water not safe")
        case .guaranteesFailed: LocalizedText(zh: "教育或医疗无保障", en: "Education or medical care not assured")
        case .rigidSpending: LocalizedText(zh: "刚性支出过大", en: "Heavy rigid spending")
        case .lostOnlyWorker: LocalizedText(zh: "失去唯一劳动力", en: "Lost its only worker")
        }
    }

    /// The risk type (风险类型) the rule points to, by its code in the dated list; the home check confirms or corrects it.
    public var riskType: String {
        switch self {
        case .incomeBelowThreshold, .incomeDrop: "other"
        case .housingUnsafe: "housing"
        case .waterUnsafe: "water"
        case .guaranteesFailed: "coverage"
        case .rigidSpending: "illness"
        case .lostOnlyWorker: "employment"
        }
    }

    /// The rules whose thresholds are rows of `monitoring_rule_parameters` (a share in basis points), by the name
    /// those rows use; the monitoring threshold is a policy parameter, the other rules have none.
    public static let parameterised: [MonitoringRule] = [.incomeDrop, .rigidSpending]
}

/// Where a dated parameter came from: the row's scope ('*' nationwide or a province's two digits) and year.
public struct ParameterOrigin: Sendable, Hashable, Codable {
    /// '*' or a province's two digits.
    public let scope: String
    /// The year of the row in force.
    public let year: Int

    /// Creates an origin.
    public init(scope: String, year: Int) {
        self.scope = scope
        self.year = year
    }

    /// "2021，全国" / "2021, nationwide"; a province by its code.
    public var title: LocalizedText {
        scope == "*" ? LocalizedText(zh: "\(year)，全国", en: "\(year), nationwide")
            : LocalizedText(zh: "\(year)，省级代码 \(scope)", en: "\(year), province \(scope)")
    }
}

/// A dated threshold with the row it came from.
public struct DatedThreshold: Sendable, Hashable {
    /// The value: fen for an income threshold, basis points (1/100 %) for a share.
    public let value: Int
    /// The row in force.
    public let origin: ParameterOrigin

    /// Creates a threshold.
    public init(value: Int, origin: ParameterOrigin) {
        self.value = value
        self.origin = origin
    }
}

/// What a rule found in a household's assessment of a year, with the values it compared.
public struct RuleFinding: Sendable, Hashable, Codable {
    /// The rule.
    public let rule: MonitoringRule
    /// The assessment year.
    public let year: Int
    /// The value found: per-capita net income in fen, or the fall in basis points; nil for a failed guarantee.
    public let observed: Int?
    /// The threshold it was compared with, in the same unit; nil for a failed guarantee.
    public let threshold: Int?
    /// The parameter row the threshold came from.
    public let origin: ParameterOrigin?

    /// Creates a finding.
    public init(rule: MonitoringRule, year: Int, observed: Int? = nil, threshold: Int? = nil, origin: ParameterOrigin? = nil) {
        self.rule = rule
        self.year = year
        self.observed = observed
        self.threshold = threshold
        self.origin = origin
    }

    /// What was found, with its values and the parameter row: "人均纯收入 5,420 元 < 监测标准 6,000 元（2021，全国）".
    public var explanation: LocalizedText {
        let origin = origin?.title ?? LocalizedText(zh: "", en: "")
        func yuan(_ fen: Int?) -> String { FixedPoint.format(fen ?? 0, scale: 2) }
        func percent(_ basisPoints: Int?) -> String { FixedPoint.format(basisPoints ?? 0, scale: 2) + " %" }
        switch rule {
        case .incomeBelowThreshold:
            return LocalizedText(zh: "\(year)年人均纯收入 \(yuan(observed)) 元 < 监测标准 \(yuan(threshold)) 元（\(origin.zh)）",
                                 en: "\(year) net income per person \(yuan(observed)) yuan < monitoring threshold \(yuan(threshold)) yuan (\(origin.en))")
        case .incomeDrop:
            return LocalizedText(zh: "\(year)年人均纯收入较上年下降 \(percent(observed)) > 预警比例 \(percent(threshold))（\(origin.zh)）",
                                 en: "\(year) net income per person fell \(percent(observed)) from the year before > warning share \(percent(threshold)) (\(origin.en))")
        case .rigidSpending:
            return LocalizedText(zh: "\(year)年医疗、教育刚性支出占家庭纯收入 \(percent(observed)) > 预警比例 \(percent(threshold))（\(origin.zh)）",
                                 en: "\(year) medical and schooling spending came to \(percent(observed)) of net income > warning share \(percent(threshold)) (\(origin.en))")
        case .lostOnlyWorker:
            return LocalizedText(zh: "\(year)年家庭唯一劳动力死亡、丧失劳动能力或离开，年末已无劳动力",
                                 en: "\(year): the household's only worker died, can no longer work or left; no one able to work at the year's end")
        case .housingUnsafe, .waterUnsafe, .guaranteesFailed:
            return LocalizedText(zh: "\(year)年度核查：\(rule.title.zh)", en: "\(year) assessment: \(rule.title.en)")
        }
    }
}

/// The thresholds the rules compare with, each with the row in force; a rule without its threshold does not run.
public struct RuleThresholds: Sendable, Hashable {
    /// The monitoring threshold, fen per person.
    public let monitoring: DatedThreshold?
    /// The income fall that warns, basis points of last year's income.
    public let incomeDrop: DatedThreshold?
    /// The rigid spending that warns, basis points of the year's net income.
    public let rigidSpending: DatedThreshold?

    /// Creates the thresholds.
    public init(monitoring: DatedThreshold?, incomeDrop: DatedThreshold? = nil, rigidSpending: DatedThreshold? = nil) {
        self.monitoring = monitoring
        self.incomeDrop = incomeDrop
        self.rigidSpending = rigidSpending
    }
}

/// The rules over a household's yearly assessments and its members' work.
public enum MonitoringRules {
    /// What the rules find in `assessment`, given the year before's (if any), the household's people able to work at
    /// the end of the year before and of the year (`workers`, nil when not known) and the thresholds in force. A
    /// household without members has no per-capita income to judge.
    public static func findings(_ assessment: Assessment, previous: Assessment?, workers: (before: Int, now: Int)? = nil,
                                thresholds: RuleThresholds) -> [RuleFinding] {
        var found: [RuleFinding] = []
        let year = assessment.year
        if let perCapita = assessment.income.perCapita(members: assessment.members) {
            if let threshold = thresholds.monitoring, perCapita < threshold.value {
                found.append(RuleFinding(rule: .incomeBelowThreshold, year: year, observed: perCapita, threshold: threshold.value, origin: threshold.origin))
            }
            if let incomeDrop = thresholds.incomeDrop, let previous, previous.year == year - 1,
               let before = previous.income.perCapita(members: previous.members), before > 0, perCapita < before {
                // the fall as a share of last year's, in basis points, rounded down (bounded amounts: no overflow)
                let fall = (before - perCapita) * 10_000 / before
                if fall > incomeDrop.value {
                    found.append(RuleFinding(rule: .incomeDrop, year: year, observed: fall, threshold: incomeDrop.value, origin: incomeDrop.origin))
                }
            }
        }
        if let rigid = thresholds.rigidSpending, assessment.spending.total > 0 {
            // the spending as a share of the year's net income, in basis points; all of it when there was no net income
            let net = assessment.income.netIncome
            let share = net > 0 ? Int(min(Int128(assessment.spending.total) * 10_000 / Int128(net), 1_000_000)) : 1_000_000
            if share > rigid.value {
                found.append(RuleFinding(rule: .rigidSpending, year: year, observed: share, threshold: rigid.value, origin: rigid.origin))
            }
        }
        if let workers, workers.before == 1, workers.now == 0 {
            found.append(RuleFinding(rule: .lostOnlyWorker, year: year))
        }
        let guarantees = assessment.guarantees
        if !guarantees.housing { found.append(RuleFinding(rule: .housingUnsafe, year: year)) }
        if !guarantees.water { found.append(RuleFinding(rule: .waterUnsafe, year: year)) }
        if !guarantees.education || !guarantees.medical || !guarantees.foodAndClothing { found.append(RuleFinding(rule: .guaranteesFailed, year: year)) }
        return found
    }
}

/// A risk reported for a household by a person rather than found by a rule: the household's own report (农户自主申报,
/// in person, by hotline or, later, through the public portal) or what a cadre found on a visit (干部排查).
public struct RiskReport: Sendable, Hashable, Codable {
    /// `selfReport` or `visit`; rules and department files arrive their own ways.
    public var source: WarningSource
    /// The risk type's code in the list in force.
    public var riskType: String
    /// What happened.
    public var detail: String
    /// Who reported it (the householder, or the cadre who visited).
    public var reportedBy: String
    /// The day it was reported or found, `YYYY-MM-DD`.
    public var foundOn: String
    /// Spending it caused or is expected to (medical bills, repairs …), fen, if given.
    public var spendingFen: Int?
    /// The household's income this year as reported, fen, if given.
    public var incomeFen: Int?

    /// Creates a report.
    public init(source: WarningSource, riskType: String, detail: String, reportedBy: String, foundOn: String, spendingFen: Int? = nil,
                incomeFen: Int? = nil) {
        self.source = source
        self.riskType = riskType
        self.detail = detail
        self.reportedBy = reportedBy
        self.foundOn = foundOn
        self.spendingFen = spendingFen
        self.incomeFen = incomeFen
    }

    /// Every problem on `today`, with `riskTypes` the codes of the list in force.
    public func problems(today: String, riskTypes: Set<String>) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if source != .selfReport && source != .visit {
            issues.append(FieldIssue(field: "source", message: LocalizedText(zh: "请选择农户自主申报或干部排查", en: "Choose a self-report or a visit")))
        }
        if !riskTypes.contains(riskType) {
            issues.append(FieldIssue(field: "riskType", message: LocalizedText(zh: "请选择风险类型", en: "Choose a risk type")))
        }
        let detail = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        if detail.isEmpty || detail.count > 500 {
            issues.append(FieldIssue(field: "detail", message: LocalizedText(zh: "请写明情况，不超过 500 字", en: "Describe what happened, at most 500 characters")))
        }
        if reportedBy.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "reportedBy", message: LocalizedText(zh: "请写明申报人或排查人", en: "Name who reported or found it")))
        }
        if !Day.isValid(foundOn) {
            issues.append(FieldIssue.notADay("foundOn"))
        } else if foundOn > today {
            issues.append(FieldIssue(field: "foundOn", message: LocalizedText(zh: "日期不能晚于今天（\(today)）", en: "The date cannot be after today (\(today))")))
        }
        for (field, value) in [("spending", spendingFen), ("income", incomeFen)] {
            if let value, let problem = FieldIssue.money(value, field: field) { issues.append(problem) }
        }
        return issues
    }
}
