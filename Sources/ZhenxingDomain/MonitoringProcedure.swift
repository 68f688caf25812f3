/// The two procedures a monitoring case goes through: identification and entry (识别纳入), and later risk
/// clearance (风险消除). Each is a fixed order of steps; each step has a deadline in working days from the
/// procedure's start (the warning's opening, or the clearance proposal), kept as dated parameters.
public enum MonitoringProcedure: String, Sendable, Hashable, Codable, CaseIterable {
    /// 识别纳入: from the warning to the county's decision to enter the household (or not).
    case entry
    /// 风险消除: from the proposal that the risk is gone to the decision to clear it.
    case clearance

    /// The procedure's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .entry: LocalizedText(zh: "识别纳入", en: "Entry")
        case .clearance: LocalizedText(zh: "风险消除", en: "Risk clearance")
        }
    }

    /// Its steps in order.
    public var steps: [ProcedureStep] {
        switch self {
        case .entry: [.homeCheck, .undertaking, .appraisal, .notice, .townshipReview, .decision]
        case .clearance: [.proposal, .appraisal, .notice, .townshipReview, .decision]
        }
    }
}

/// A step of a monitoring procedure.
public enum ProcedureStep: String, Sendable, Hashable, Codable, CaseIterable {
    /// 提出风险消除: the village proposes clearance once the rules say the risk is gone.
    case proposal
    /// 入户核实: a cadre checks the household at home.
    case homeCheck = "home_check"
    /// 承诺授权: the household signs its undertaking and the authorisation to check its data.
    case undertaking
    /// 村民代表评议: the villagers' representatives appraise it, with attendance and result.
    case appraisal
    /// 公示: the public notice, with its objection window.
    case notice
    /// 乡镇审核: the township reviews it.
    case townshipReview = "township_review"
    /// 县级审定: the county decides.
    case decision

    /// The step's name whatever the procedure (the county's decision is named apart from what it decides).
    public var title: LocalizedText {
        self == .decision ? LocalizedText(zh: "县级审定", en: "County decision") : title(in: .entry)
    }

    /// The step's name in both languages.
    public func title(in procedure: MonitoringProcedure) -> LocalizedText {
        switch self {
        case .proposal: LocalizedText(zh: "提出风险消除", en: "Clearance proposed")
        case .homeCheck: LocalizedText(zh: "入户核实", en: "Home check")
        case .undertaking: LocalizedText(zh: "承诺授权", en: "Undertaking and authorisation")
        case .appraisal: LocalizedText(zh: "村民代表评议", en: "Villagers' appraisal")
        case .notice: LocalizedText(zh: "公示", en: "Public notice")
        case .townshipReview: LocalizedText(zh: "乡镇审核", en: "Township review")
        case .decision: procedure == .entry ? LocalizedText(zh: "县级审定纳入", en: "County decision on entry")
            : LocalizedText(zh: "县级审定消除", en: "County decision on clearance")
        }
    }

    /// What the step's person field holds.
    public var personTitle: LocalizedText {
        switch self {
        case .proposal: LocalizedText(zh: "提出人", en: "Proposed by")
        case .homeCheck: LocalizedText(zh: "核实人", en: "Checked by")
        case .undertaking: LocalizedText(zh: "签字人", en: "Signed by")
        case .appraisal: LocalizedText(zh: "主持人", en: "Chaired by")
        case .notice: LocalizedText(zh: "公示单位", en: "Posted by")
        case .townshipReview: LocalizedText(zh: "审核人", en: "Reviewed by")
        case .decision: LocalizedText(zh: "审定单位", en: "Decided by")
        }
    }

    /// The results the step may record (none when recording it is the result).
    public func results(in procedure: MonitoringProcedure) -> [StepResult] {
        switch self {
        case .proposal, .undertaking, .notice: []
        case .homeCheck: [.confirmed, .unconfirmed]
        case .appraisal, .townshipReview: [.agreed, .disagreed]
        case .decision: procedure == .entry ? [.entered, .notEntered] : [.cleared, .clearedWatch, .notCleared]
        }
    }

    /// Whether the step's day must be a working day: the offices' acts are.
    public var needsWorkingDay: Bool { self == .townshipReview || self == .decision }

    /// The dated parameter holding the step's deadline, in working days from the procedure's start.
    public var deadlineParameter: String { "deadline_\(rawValue)" }
}

/// What a step found or decided.
public enum StepResult: String, Sendable, Hashable, Codable, CaseIterable {
    /// 核实属实.
    case confirmed
    /// 核实不属实.
    case unconfirmed
    /// 同意.
    case agreed
    /// 不同意.
    case disagreed
    /// 纳入监测.
    case entered
    /// 不纳入监测.
    case notEntered = "not_entered"
    /// 风险消除.
    case cleared
    /// 风险消除，稳定但继续观察: a household that cannot work and lives on guarantees stays in the lists.
    case clearedWatch = "cleared_watch"
    /// 暂不消除.
    case notCleared = "not_cleared"

    /// The result's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .confirmed: LocalizedText(zh: "核实属实", en: "Confirmed")
        case .unconfirmed: LocalizedText(zh: "核实不属实", en: "Not confirmed")
        case .agreed: LocalizedText(zh: "同意", en: "Agreed")
        case .disagreed: LocalizedText(zh: "不同意", en: "Not agreed")
        case .entered: LocalizedText(zh: "纳入监测", en: "Entered into monitoring")
        case .notEntered: LocalizedText(zh: "不纳入监测", en: "Not entered")
        case .cleared: LocalizedText(zh: "风险消除", en: "Risk cleared")
        case .clearedWatch: LocalizedText(zh: "风险消除（稳定，继续观察）", en: "Cleared, stable, kept under watch")
        case .notCleared: LocalizedText(zh: "暂不消除", en: "Not cleared yet")
        }
    }

    /// Whether the result lets the procedure go on (a negative one leaves only a negative decision).
    public var goesOn: Bool { ![.unconfirmed, .disagreed, .notEntered, .notCleared].contains(self) }
}

/// One step as recorded.
public struct StepRecord: Sendable, Hashable, Codable {
    /// The procedure.
    public var procedure: MonitoringProcedure
    /// The step.
    public var step: ProcedureStep
    /// The day it was done (the notice's first day), `YYYY-MM-DD`.
    public var day: String
    /// The notice's last day: the end of the objection window.
    public var endDay: String?
    /// Who did it (see `ProcedureStep.personTitle`).
    public var person: String
    /// Representatives present, for the appraisal.
    public var attendance: Int?
    /// Objections received, for the notice.
    public var objections: Int?
    /// What it found or decided, for the steps that have results.
    public var result: StepResult?
    /// The monitoring category (a code of the dated list), for a decision to enter.
    public var category: String?
    /// The risk types (codes of the dated list), for a decision to enter.
    public var riskTypes: [String]
    /// What was found, said or decided, and why.
    public var detail: String

    /// Creates a record.
    public init(procedure: MonitoringProcedure, step: ProcedureStep, day: String, endDay: String? = nil, person: String, attendance: Int? = nil,
                objections: Int? = nil, result: StepResult? = nil, category: String? = nil, riskTypes: [String] = [], detail: String = "") {
        self.procedure = procedure
        self.step = step
        self.day = day
        self.endDay = endDay
        self.person = person
        self.attendance = attendance
        self.objections = objections
        self.result = result
        self.category = category
        self.riskTypes = riskTypes
        self.detail = detail
    }

    /// The last day the step covers: the notice's end, otherwise its day.
    public var lastDay: String { endDay ?? day }
}

/// The dated parameters of the procedures for a province and year, with the defaults of the guidance.
public struct ProcedureParameters: Sendable, Hashable {
    /// Each step's deadline, in working days from the procedure's start.
    public var deadlines: [ProcedureStep: Int]
    /// The shortest objection window of a notice, in working days (its first and last day counted).
    public var noticeWorkingDays: Int
    /// How long a monitored household stays monitored before its risk may be cleared, in months.
    public var clearanceMonths: Int
    /// Within how many working days of entering a monitored household gets its assistance plan.
    public var planWorkingDays: Int

    /// Every parameter name these come from, as `monitoring_rule_parameters.rule` spells it.
    public static let names = ProcedureStep.allCases.map(\.deadlineParameter) + ["notice_working_days", "clearance_months", "deadline_plan"]

    /// The parameters from `values` (name → value, the rows in force); a name without a row keeps nothing (its
    /// deadline is not counted), so a province sees what it has not set.
    public init(values: [String: Int]) {
        var deadlines: [ProcedureStep: Int] = [:]
        for step in ProcedureStep.allCases { if let days = values[step.deadlineParameter] { deadlines[step] = days } }
        self.deadlines = deadlines
        noticeWorkingDays = values["notice_working_days"] ?? 0
        clearanceMonths = values["clearance_months"] ?? 0
        planWorkingDays = values["deadline_plan"] ?? 0
    }
}

/// Where a procedure stands: the steps done, the next one and when each falls due.
public struct ProcedureProgress: Sendable, Hashable {
    /// The procedure.
    public let procedure: MonitoringProcedure
    /// The day it started: the warning's opening, or the clearance proposal.
    public let start: String
    /// The steps recorded, in order.
    public let done: [StepRecord]
    /// Each step's due day, for the steps with a deadline.
    public let due: [ProcedureStep: String]

    /// Works out the progress of `done` (the procedure's records, any order) started on `start`.
    public init(procedure: MonitoringProcedure, start: String, done: [StepRecord], parameters: ProcedureParameters, calendar: WorkingCalendar) {
        self.procedure = procedure
        self.start = start
        let order = procedure.steps
        self.done = done.filter { $0.procedure == procedure }.sorted { order.firstIndex(of: $0.step)! < order.firstIndex(of: $1.step)! }
        var due: [ProcedureStep: String] = [:]
        for step in order where step != .proposal {
            if let days = parameters.deadlines[step], let day = calendar.adding(workingDays: days, to: start) { due[step] = day }
        }
        self.due = due
    }

    private init(procedure: MonitoringProcedure, start: String, done: [StepRecord], due: [ProcedureStep: String]) {
        self.procedure = procedure
        self.start = start
        self.done = done
        self.due = due
    }

    /// The progress as it stood at the end of `day`: the steps recorded on or before it, under the same deadlines.
    public func asOf(_ day: String) -> ProcedureProgress {
        ProcedureProgress(procedure: procedure, start: start, done: done.filter { $0.day <= day }, due: due)
    }

    /// The decision, once recorded.
    public var decision: StepRecord? { done.first { $0.step == .decision } }

    /// The step to record next: nil once decided; after a negative result, the decision.
    public var next: ProcedureStep? {
        guard decision == nil else { return nil }
        if done.contains(where: { $0.result?.goesOn == false }) { return .decision }
        return procedure.steps.first { step in !done.contains { $0.step == step } }
    }

    /// The day the next step falls due, if it has a deadline.
    public var nextDue: String? { next.flatMap { due[$0] } }

    /// Whether the next step is past its due day on `today`.
    public func isOverdue(today: String) -> Bool { nextDue.map { today > $0 } ?? false }

    /// The steps recorded after their due day.
    public var late: [ProcedureStep] { done.filter { record in due[record.step].map { record.day > $0 } ?? false }.map(\.step) }

    /// Working days from the start to the decision, once decided.
    public func workingDaysToDecision(_ calendar: WorkingCalendar) -> Int? { decision.flatMap { calendar.workingDays(from: start, to: $0.day) } }

    /// Every problem with recording `record` next, on `today`: out of order, a date that cannot be, a missing
    /// field. `categories` and `riskTypes` are the codes of the lists in force.
    public func problems(recording record: StepRecord, today: String, calendar: WorkingCalendar, parameters: ProcedureParameters,
                         categories: Set<String>, riskTypes: Set<String>) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let procedure = record.procedure, step = record.step
        func issue(_ field: String, _ zh: String, _ en: String) { issues.append(FieldIssue(field: field, message: LocalizedText(zh: zh, en: en))) }
        guard procedure == self.procedure, procedure.steps.contains(step) else {
            issue("step", "\(procedure.title.zh)程序没有这一步", "The \(procedure.title.en.lowercased()) procedure has no such step")
            return issues
        }
        let results = step.results(in: procedure)
        if let next, step != next {
            // a negative decision may end the procedure after any step recorded
            let endsEarly = step == .decision && !done.isEmpty && record.result?.goesOn == false
            if done.contains(where: { $0.step == step }) {
                issue("step", "「\(step.title(in: procedure).zh)」已登记", "\(step.title(in: procedure).en) is already recorded")
            } else if !endsEarly {
                issue("step", "请先登记「\(next.title(in: procedure).zh)」", "Record \(next.title(in: procedure).en) first")
            }
        } else if next == nil {
            issue("step", "本程序已作出决定", "This procedure is already decided")
        }
        // a step out of order is refused for that alone: its other fields are for a step that cannot come now
        guard issues.isEmpty else { return issues }
        if !Day.isValid(record.day) {
            issues.append(FieldIssue.notADay("day"))
        } else {
            let earliest = done.last?.lastDay ?? start
            if record.day > today {
                issue("day", "日期不能晚于今天（\(today)）", "The date cannot be after today (\(today))")
            } else if step == .decision, let end = done.first(where: { $0.step == .notice })?.endDay, record.day <= end {
                issue("day", "公示期至 \(end) 结束，审定日期应在公示期满之后", "The notice runs to \(end); decide after its objection window ends")
            } else if record.day < earliest {
                issue("day", "日期不能早于上一环节（\(earliest)）", "The date cannot be before the step before (\(earliest))")
            } else if step.needsWorkingDay && !calendar.isWorkingDay(record.day) {
                issue("day", "\(record.day) 不是工作日（周末或法定节假日），请填写工作日", "\(record.day) is not a working day (weekend or public holiday)")
            }
        }
        let person = record.person.trimmingCharacters(in: .whitespaces)
        if person.isEmpty || person.count > 100 {
            issue("person", "请填写\(step.personTitle.zh)，不超过 100 字", "Fill in \(step.personTitle.en.lowercased()), at most 100 characters")
        }
        let detail = record.detail.trimmingCharacters(in: .whitespacesAndNewlines)
        if detail.count > 500 { issue("detail", "说明不超过 500 字", "At most 500 characters") }
        if step == .decision && detail.isEmpty { issue("detail", "请写明审定理由", "Give the reason for the decision") }
        if results.isEmpty {
            if record.result != nil { issue("result", "这一步不登记结果", "This step records no result") }
        } else if !(record.result.map(results.contains) ?? false) {
            issue("result", "请选择结果：\(results.map(\.title.zh).joined(separator: "、"))", "Choose the result: \(results.map(\.title.en).joined(separator: ", "))")
        } else if step == .decision, record.result?.goesOn == true, let refused = done.first(where: { $0.result?.goesOn == false }) {
            issue("result", "「\(refused.step.title(in: procedure).zh)」结果为\(refused.result!.title.zh)，只能作出\(results.last!.title.zh)的决定",
                  "\(refused.step.title(in: procedure).en) was \(refused.result!.title.en.lowercased()): only \(results.last!.title.en.lowercased()) can be decided")
        }
        switch step {
        case .appraisal:
            if record.attendance.map({ !(1...1_000).contains($0) }) ?? true {
                issue("attendance", "请填写到会代表人数（1 到 1,000）", "Enter how many representatives attended (1 to 1,000)")
            }
        case .notice:
            if let objections = record.objections, let problem = FieldIssue.number(objections, field: "objections", in: 0...10_000) { issues.append(problem) }
            guard let end = record.endDay, !end.isEmpty else {
                issue("endDay", "请填写公示结束日期（异议期）", "Enter the notice's last day (the objection window)")
                break
            }
            guard Day.isValid(end) else { issues.append(FieldIssue.notADay("endDay")); break }
            guard Day.isValid(record.day) else { break }
            let days = (calendar.workingDays(from: record.day, to: end) ?? 0) + (end >= record.day && calendar.isWorkingDay(record.day) ? 1 : 0)
            if !calendar.isWorkingDay(end) {
                issue("endDay", "公示结束日 \(end) 不是工作日，异议期应止于工作日", "The notice's last day \(end) is not a working day")
            } else if days < parameters.noticeWorkingDays {
                issue("endDay", "公示期应不少于 \(parameters.noticeWorkingDays) 个工作日（现为 \(days) 个）",
                      "The notice must run at least \(parameters.noticeWorkingDays) working days (it runs \(days))")
            }
        case .decision where procedure == .entry && record.result == .entered:
            if !(record.category.map(categories.contains) ?? false) { issue("category", "请选择监测对象类型", "Choose the monitoring category") }
            if record.riskTypes.isEmpty || !record.riskTypes.allSatisfy(riskTypes.contains) {
                issue("riskTypes", "请选择一种或多种风险类型", "Choose one or more risk types")
            }
        default:
            break
        }
        return issues
    }
}

/// Whether a monitored household's risk may be proposed for clearance (风险消除): monitored for the set period, and
/// the newest assessment since entering shows income above the monitoring threshold with every guarantee in place.
public enum ClearanceRules {
    /// The reasons clearance cannot be proposed on `today` (none when it can). `enteredOn` is the entry decision's
    /// day; `assessment` the newest of a year at or after entering; `threshold` that year's monitoring threshold.
    public static func problems(enteredOn: String, today: String, months: Int, assessment: Assessment?, threshold: DatedThreshold?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let from = Day.adding(months: months, to: enteredOn) ?? enteredOn
        if today < from {
            issues.append(FieldIssue(field: "day", message: LocalizedText(
                zh: "纳入监测未满 \(months) 个月，\(from) 起方可提出风险消除", en: "Monitored less than \(months) months: clearance can be proposed from \(from)")))
        }
        guard let assessment else {
            issues.append(FieldIssue(field: "assessment", message: LocalizedText(
                zh: "纳入监测后尚无年度核查，无法判断收入是否稳定超过监测标准", en: "No assessment since entering: the income cannot be judged")))
            return issues
        }
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2) }
        if let threshold, let perCapita = assessment.income.perCapita(members: assessment.members), perCapita <= threshold.value {
            issues.append(FieldIssue(field: "assessment", message: LocalizedText(
                zh: "\(assessment.year)年人均纯收入 \(yuan(perCapita)) 元未超过监测标准 \(yuan(threshold.value)) 元（\(threshold.origin.title.zh)）",
                en: "\(assessment.year) net income per person \(yuan(perCapita)) yuan is not above the threshold \(yuan(threshold.value)) yuan (\(threshold.origin.title.en))")))
        }
        let guarantees = assessment.guarantees
        if !(guarantees.foodAndClothing && guarantees.education && guarantees.medical && guarantees.housing && guarantees.water) {
            issues.append(FieldIssue(field: "assessment", message: LocalizedText(
                zh: "\(assessment.year)年度核查“两不愁三保障”及饮水安全尚未全部达标", en: "The \(assessment.year) assessment still finds a guarantee not in place")))
        }
        return issues
    }
}

extension Day {
    /// The day `months` months after `text` (the month's last day when it is shorter: 2025-08-31 + 6 → 2026-02-28);
    /// nil when text is not a day or `months` is outside 0–1,200.
    public static func adding(months: Int, to text: String) -> String? {
        guard isValid(text), (0...1_200).contains(months) else { return nil }
        let parts = text.split(separator: "-").map { Int($0)! }
        let total = parts[0] * 12 + parts[1] - 1 + months
        let year = total / 12, month = total % 12 + 1
        func written(_ day: Int) -> String { "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)" }
        for day in stride(from: parts[2], through: 1, by: -1) where isValid(written(day)) { return written(day) }
        return nil
    }
}
