/// A dated parameter of the monitoring rules and procedures (a row of `monitoring_rule_parameters`): a name this
/// code reads, its value in the name's unit, for a scope ('*' nationwide or a province's two digits) from a year,
/// with the document it comes from. The monitoring threshold itself is a policy parameter.
public struct RuleParameterRow: Sendable, Hashable, Codable {
    /// What a parameter's value counts.
    public enum Unit: Sendable, Hashable {
        /// A share in basis points (3,000 = 30 %).
        case basisPoints
        /// Working days.
        case workingDays
        /// Months.
        case months

        /// The values a parameter of this unit may take.
        public var range: ClosedRange<Int> {
            switch self {
            case .basisPoints: 1...100_000
            case .workingDays: 1...250
            case .months: 1...60
            }
        }
    }

    /// '*' or a province's two digits.
    public var scope: String
    /// The year it takes effect (carried forward until a later row).
    public var year: Int
    /// The parameter's name (`names`).
    public var rule: String
    /// The value, in the name's unit.
    public var value: Int
    /// Where the value comes from.
    public var source: String

    /// Creates a row.
    public init(scope: String, year: Int, rule: String, value: Int, source: String) {
        self.scope = scope
        self.year = year
        self.rule = rule
        self.value = value
        self.source = source
    }

    /// Every name the rules and procedures read, in the order pages list them, with its unit.
    public static let names: [(name: String, unit: Unit)] =
        MonitoringRule.parameterised.map { ($0.rawValue, .basisPoints) }
        + ProcedureParameters.names.map { ($0, $0 == "clearance_months" ? .months : .workingDays) }

    /// The unit of `name`, nil for a name no rule reads.
    public static func unit(of name: String) -> Unit? {
        names.first { $0.name == name }?.unit
    }

    /// What `name` sets, in both languages.
    public static func title(of name: String) -> LocalizedText {
        if let rule = MonitoringRule(rawValue: name) {
            return LocalizedText(zh: "\(rule.title.zh)：预警比例", en: "\(rule.title.en): warning share")
        }
        if let step = ProcedureStep.allCases.first(where: { $0.deadlineParameter == name }) {
            let title = step.title(in: step == .proposal ? .clearance : .entry)
            return LocalizedText(zh: "\(title.zh)期限（自预警起，工作日）", en: "\(title.en) deadline (working days from the warning)")
        }
        return switch name {
        case "notice_working_days": LocalizedText(zh: "公示期（工作日，不少于）", en: "Notice period (working days, at least)")
        case "clearance_months": LocalizedText(zh: "提出风险消除前收入稳定的月数", en: "Months of steady income before clearance")
        case "deadline_plan": LocalizedText(zh: "纳入后落实帮扶计划期限（工作日）", en: "Assistance plan deadline after entry (working days)")
        default: LocalizedText(zh: name, en: name)
        }
    }

    /// Every problem with the row.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let problem = FieldIssue.parameterScope(scope) { issues.append(problem) }
        if !FieldIssue.years.contains(year) { issues.append(FieldIssue.yearOutOfRange()) }
        if let unit = Self.unit(of: rule) {
            if !unit.range.contains(value) {
                let range = unit == .basisPoints ? "0.01 % – 1,000 %" : "\(unit.range.lowerBound) – \(unit.range.upperBound)"
                issues.append(FieldIssue(field: "value", message: LocalizedText(zh: "数值应在 \(range) 之间", en: "The value must be \(range)")))
            }
        } else {
            issues.append(FieldIssue(field: "rule", message: LocalizedText(
                zh: "没有名为“\(rule.prefix(40))”的监测参数（可用：\(Self.names.map(\.name).joined(separator: "、"))）",
                en: "There is no monitoring parameter named \"\(rule.prefix(40))\" (known: \(Self.names.map(\.name).joined(separator: ", ")))")))
        }
        let source = source.trimmingCharacters(in: .whitespacesAndNewlines)
        if source.isEmpty || source.count > 300 {
            issues.append(FieldIssue(field: "source", message: LocalizedText(zh: "请注明来源（文件或依据），不超过 300 字", en: "Give the source (document or basis), at most 300 characters")))
        }
        return issues
    }
}

extension FieldIssue {
    /// A problem when `scope` is neither '*' (nationwide) nor a province's two digits, as dated parameters are kept.
    public static func parameterScope(_ scope: String) -> FieldIssue? {
        scope == "*" || (scope.count == 2 && scope.allSatisfy { $0.isASCII && $0.isNumber } && scope != "00") ? nil
            : FieldIssue(field: "scope", message: LocalizedText(zh: "范围应为 * （全国）或两位省级代码", en: "The scope is * (nationwide) or a province's two digits"))
    }
}
