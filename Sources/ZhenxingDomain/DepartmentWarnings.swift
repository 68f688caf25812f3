/// A department whose data warns of households at risk (部门预警), with the risk type its file points to and the
/// headers its file's columns go by. Every file has a resident ID column; the day, what was found and an amount
/// are read under the names that department's files use.
public enum DepartmentSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// 医保: large medical bills.
    case medical
    /// 残联: a disability newly certified.
    case disability
    /// 应急管理: disaster losses.
    case disaster
    /// 教育: student aid.
    case education
    /// 人社: unemployment.
    case unemployment

    /// The department's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .medical: LocalizedText(zh: "医保部门", en: "Medical insurance")
        case .disability: LocalizedText(zh: "残联", en: "Disabled Persons' Federation")
        case .disaster: LocalizedText(zh: "应急管理部门", en: "Emergency management")
        case .education: LocalizedText(zh: "教育部门", en: "Education")
        case .unemployment: LocalizedText(zh: "人社部门", en: "Human resources and social security")
        }
    }

    /// The risk type (a code of the dated list) its warnings point to.
    public var riskType: String {
        switch self {
        case .medical: "illness"
        case .disability: "disability"
        case .disaster: "disaster"
        case .education: "schooling"
        case .unemployment: "employment"
        }
    }

    /// The headers of the resident ID column, in any department's file.
    public static let idHeaders = ["身份证号", "身份证号码", "公民身份号码", "证件号码", "resident id"]

    /// The headers of the day column in this department's files.
    public var dayHeaders: [String] {
        let own = switch self {
        case .medical: ["结算日期", "就诊日期", "出院日期"]
        case .disability: ["认定日期", "发证日期"]
        case .disaster: ["受灾日期", "灾害日期"]
        case .education: ["资助日期", "入学日期"]
        case .unemployment: ["失业登记日期", "登记日期"]
        }
        return own + ["日期", "date"]
    }

    /// The headers of the column saying what was found.
    public var detailHeaders: [String] {
        let own = switch self {
        case .medical: ["诊断", "病种", "疾病名称"]
        case .disability: ["残疾类别", "残疾等级"]
        case .disaster: ["灾情", "受灾情况"]
        case .education: ["资助项目", "学段"]
        case .unemployment: ["失业原因"]
        }
        return own + ["情况", "detail"]
    }

    /// The headers of the amount column (yuan), which a file may leave out.
    public var amountHeaders: [String] {
        let own = switch self {
        case .medical: ["个人自付", "自付金额", "自付费用"]
        case .disability: [String]()
        case .disaster: ["损失金额", "直接经济损失"]
        case .education: ["资助金额", "费用"]
        case .unemployment: [String]()
        }
        return own + ["金额", "amount"]
    }
}

/// One row of a department's file, checked: whose ID, what the department found and when.
public struct DepartmentWarning: Sendable, Hashable, Codable {
    /// The row as the user sees it.
    public let row: Int
    /// The resident the department names.
    public let residentID: ResidentID
    /// The department.
    public let source: DepartmentSource
    /// The day it happened, `YYYY-MM-DD`, not after the import.
    public let foundOn: String
    /// What the department found.
    public let detail: String
    /// The amount it gave (medical bills, losses, fees), fen.
    public let amountFen: Int?

    /// Creates a row.
    public init(row: Int, residentID: ResidentID, source: DepartmentSource, foundOn: String, detail: String, amountFen: Int?) {
        self.row = row
        self.residentID = residentID
        self.source = source
        self.foundOn = foundOn
        self.detail = detail
        self.amountFen = amountFen
    }
}

extension DepartmentWarning {
    /// Why `day` cannot be a row's day on `today` (not a day, or after today), nil when it can.
    public static func dayProblem(_ day: String, today: String) -> LocalizedText? {
        guard Day.isValid(day) else { return FieldIssue.notADay("date").message }
        return day > today ? LocalizedText(zh: "日期不能晚于今天（\(today)）", en: "The day cannot be after today (\(today))") : nil
    }

    /// Why `detail` cannot say what was found, nil when it can.
    public static func detailProblem(_ detail: String) -> LocalizedText? {
        let trimmed = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty || trimmed.count > 500 ? LocalizedText(zh: "请写明情况（1 到 500 字）", en: "Say what was found (1 to 500 characters)") : nil
    }

    /// Why an amount outside `FieldIssue.money` (or not a number) cannot be a row's amount.
    public static let badAmount = LocalizedText(zh: "金额应为 0 到 10 亿元之间的数（元）", en: "The amount must be 0 to 1 billion yuan")
}
