/// A household's attribute (户属性).
public enum HouseholdAttribute: String, Sendable, CaseIterable, Codable {
    /// 一般户.
    case ordinary
    /// 低保户: receives the minimum living allowance.
    case subsistence
    /// 特困供养户: destitute, supported by the state.
    case destitute

    /// The attribute's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .ordinary: LocalizedText(zh: "一般户", en: "Ordinary")
        case .subsistence: LocalizedText(zh: "低保户", en: "Minimum allowance")
        case .destitute: LocalizedText(zh: "特困供养户", en: "Destitute support")
        }
    }
}

/// A household's poverty status in a year (贫困状态).
public enum PovertyStatus: String, Sendable, CaseIterable, Codable {
    /// 一般农户: never registered poor.
    case notPoor = "not_poor"
    /// 贫困户: registered poor (建档立卡).
    case poor
    /// 脱贫户: left poverty.
    case exited
    /// 监测户: under return-to-poverty monitoring.
    case monitored
    /// 风险消除: monitoring risk eliminated.
    case riskEliminated = "risk_eliminated"

    /// The status's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .notPoor: LocalizedText(zh: "一般农户", en: "Not poor")
        case .poor: LocalizedText(zh: "贫困户", en: "Registered poor")
        case .exited: LocalizedText(zh: "脱贫户", en: "Left poverty")
        case .monitored: LocalizedText(zh: "监测户", en: "Monitored")
        case .riskEliminated: LocalizedText(zh: "风险消除", en: "Risk eliminated")
        }
    }
}

/// The kind of a monitored household (监测对象类型).
public enum MonitoringKind: String, Sendable, CaseIterable, Codable {
    /// 脱贫不稳定户.
    case unstableExited = "unstable_exited"
    /// 边缘易致贫户.
    case marginal
    /// 突发严重困难户.
    case suddenHardship = "sudden_hardship"

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .unstableExited: LocalizedText(zh: "脱贫不稳定户", en: "Unstable after exit")
        case .marginal: LocalizedText(zh: "边缘易致贫户", en: "Marginal, at risk")
        case .suddenHardship: LocalizedText(zh: "突发严重困难户", en: "Sudden severe hardship")
        }
    }
}

/// A cause of poverty (致贫原因).
public enum PovertyCause: String, Sendable, CaseIterable, Codable {
    case illness, disability, education, disaster
    case lackOfLand = "lack_of_land", lackOfWater = "lack_of_water", lackOfSkills = "lack_of_skills"
    case lackOfLabour = "lack_of_labour", lackOfFunds = "lack_of_funds", poorTransport = "poor_transport"
    case lackOfMotivation = "lack_of_motivation"

    /// The cause's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .illness: LocalizedText(zh: "因病", en: "Illness")
        case .disability: LocalizedText(zh: "因残", en: "Disability")
        case .education: LocalizedText(zh: "因学", en: "Schooling costs")
        case .disaster: LocalizedText(zh: "因灾", en: "Disaster")
        case .lackOfLand: LocalizedText(zh: "缺土地", en: "Lack of land")
        case .lackOfWater: LocalizedText(zh: "缺水", en: "Lack of water")
        case .lackOfSkills: LocalizedText(zh: "缺技术", en: "Lack of skills")
        case .lackOfLabour: LocalizedText(zh: "缺劳力", en: "Lack of labour")
        case .lackOfFunds: LocalizedText(zh: "缺资金", en: "Lack of funds")
        case .poorTransport: LocalizedText(zh: "交通条件落后", en: "Poor transport")
        case .lackOfMotivation: LocalizedText(zh: "自身发展动力不足", en: "Lack of motivation")
        }
    }
}

/// A member's relation to the head of the household (与户主关系).
public enum Relation: String, Sendable, CaseIterable, Codable {
    case head, spouse, son, daughter
    case daughterInLaw = "daughter_in_law", sonInLaw = "son_in_law", grandchild, parent, sibling, other

    /// The relation's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .head: LocalizedText(zh: "户主", en: "Head")
        case .spouse: LocalizedText(zh: "配偶", en: "Spouse")
        case .son: LocalizedText(zh: "子", en: "Son")
        case .daughter: LocalizedText(zh: "女", en: "Daughter")
        case .daughterInLaw: LocalizedText(zh: "儿媳", en: "Daughter-in-law")
        case .sonInLaw: LocalizedText(zh: "女婿", en: "Son-in-law")
        case .grandchild: LocalizedText(zh: "孙子女", en: "Grandchild")
        case .parent: LocalizedText(zh: "父母", en: "Parent")
        case .sibling: LocalizedText(zh: "兄弟姐妹", en: "Sibling")
        case .other: LocalizedText(zh: "其他", en: "Other")
        }
    }
}

/// The yearly income sheet of a household (收入), in fen.
public struct IncomeSheet: Sendable, Hashable, Codable {
    /// 工资性收入.
    public var wages: Int
    /// 生产经营性收入.
    public var production: Int
    /// 财产性收入.
    public var property: Int
    /// 转移性收入.
    public var transfers: Int
    /// 生产经营性支出.
    public var productionCosts: Int

    /// Creates a sheet.
    public init(wages: Int, production: Int, property: Int, transfers: Int, productionCosts: Int) {
        self.wages = wages
        self.production = production
        self.property = property
        self.transfers = transfers
        self.productionCosts = productionCosts
    }

    /// 家庭纯收入: all income less production costs. Saturates instead of trapping, so an amount stored before
    /// amounts were bounded can never bring the server down.
    public var netIncome: Int {
        let total = Int128(wages) + Int128(production) + Int128(property) + Int128(transfers) - Int128(productionCosts)
        return Int(clamping: total)
    }

    /// 人均纯收入 for `members` people, rounded down to the fen; nil without members.
    public func perCapita(members: Int) -> Int? {
        members > 0 ? netIncome / members : nil
    }

    /// Fields with an amount outside `FieldIssue.money`.
    public func problems() -> [FieldIssue] {
        [("wages", wages), ("production", production), ("property", property), ("transfers", transfers),
         ("productionCosts", productionCosts)].compactMap { field, value in FieldIssue.money(value, field: field) }
    }
}

/// 两不愁三保障 and safe drinking water: each judged yes or no, with a note.
public struct Guarantees: Sendable, Hashable, Codable {
    /// 不愁吃、不愁穿.
    public var foodAndClothing: Bool
    /// 义务教育有保障.
    public var education: Bool
    /// 基本医疗有保障.
    public var medical: Bool
    /// 住房安全有保障.
    public var housing: Bool
    /// 饮水安全有保障.
    public var water: Bool

    /// Creates the five judgements.
    public init(foodAndClothing: Bool, education: Bool, medical: Bool, housing: Bool, water: Bool) {
        self.foodAndClothing = foodAndClothing
        self.education = education
        self.medical = medical
        self.housing = housing
        self.water = water
    }

    /// The five, named, in the order forms show them.
    public var items: [(name: LocalizedText, holds: Bool)] {
        [
            (LocalizedText(zh: "不愁吃、不愁穿", en: "Food and clothing"), foodAndClothing),
            (LocalizedText(zh: "义务教育有保障", en: "Compulsory education"), education),
            (LocalizedText(zh: "基本医疗有保障", en: "Basic medical care"), medical),
            (LocalizedText(zh: "住房安全有保障", en: "Safe housing"), housing),
            (LocalizedText(zh: "饮水安全有保障", en: "Safe drinking water"), water),
        ]
    }
}

/// One line of an exit check: what was required, what was found, whether it holds.
public struct CheckLine: Sendable, Hashable {
    /// What is checked.
    public let item: LocalizedText
    /// What the records show.
    public let finding: LocalizedText
    /// Whether it passes.
    public let passes: Bool
}

/// The rules for leaving poverty, as the yearly assessment applies them.
public enum ExitRules {
    /// A household may exit when per-capita net income is above the year's poverty line and all
    /// five guarantees hold. Returns every line, so a page can say why it passes or fails.
    public static func household(income: IncomeSheet, members: Int, guarantees: Guarantees, povertyLineFen: Int) -> [CheckLine] {
        let perCapita = income.perCapita(members: members)
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        var lines = [CheckLine(
            item: LocalizedText(zh: "人均纯收入高于贫困线 \(yuan(povertyLineFen)) 元", en: "Per-capita net income above the poverty line of \(yuan(povertyLineFen)) yuan"),
            finding: perCapita.map { LocalizedText(zh: "\(yuan($0)) 元", en: "\(yuan($0)) yuan") }
                ?? LocalizedText(zh: "没有家庭成员", en: "No members"),
            passes: (perCapita ?? 0) > povertyLineFen)]
        for (name, holds) in guarantees.items {
            lines.append(CheckLine(item: name, finding: holds ? LocalizedText(zh: "有保障", en: "Guaranteed") : LocalizedText(zh: "未保障", en: "Not guaranteed"), passes: holds))
        }
        return lines
    }

    /// Why an exit (脱贫) dated in `year` may not be recorded: the year's check, `check` (nil when the household has no
    /// assessment of that year), must pass every line, unless `override` says why it was decided anyway. Empty when
    /// the exit may be recorded.
    public static func exitProblems(year: Int, check: [CheckLine]?, override: String?) -> [FieldIssue] {
        guard override == nil else { return [] }
        guard let check else {
            return [FieldIssue(field: "override", message: LocalizedText(
                zh: "\(year) 年没有年度核查：先登记核查，或写明不经核查即脱贫的理由",
                en: "There is no assessment of \(year): record it first, or say why the exit was decided without one"))]
        }
        let failing = check.filter { !$0.passes }
        guard !failing.isEmpty else { return [] }
        return [FieldIssue(field: "override", message: LocalizedText(
            zh: "\(year) 年核查未达脱贫标准（\(failing.map(\.item.zh).joined(separator: "；"))）：确需脱贫的，请写明理由",
            en: "The \(year) assessment does not meet the exit standard (\(failing.map(\.item.en).joined(separator: "; "))): say why the exit was decided anyway"))]
    }

    /// A village may leave the poor-village list when its incidence is under the limit
    /// (a ratio: 0.02, or 0.03 in the west).
    public static func villageMayExit(poorPeople: Int, population: Int, limit: Double) -> Bool {
        population > 0 && Double(poorPeople) / Double(population) < limit
    }

    /// Why a village's exit (出列) decided in `year` may not be recorded: the year's figures must meet the limit
    /// (`eligible`, nil when the village has no population or no limit is in force that year), unless `override` says
    /// why it was decided anyway. Empty when it may be recorded.
    public static func villageExitProblems(year: Int, eligible: Bool?, override: String?) -> [FieldIssue] {
        guard override == nil, eligible != true else { return [] }
        return [FieldIssue(field: "override", message: eligible == nil
            ? LocalizedText(zh: "\(year) 年没有本村的人口或出列标准，无法核对贫困发生率：请先登记，或写明理由",
                            en: "There is no population or exit limit for \(year), so the incidence cannot be checked: enter them, or say why")
            : LocalizedText(zh: "\(year) 年本村贫困发生率未低于出列标准：确需出列的，请写明理由",
                            en: "The village's \(year) incidence is not under the exit limit: say why the exit was decided anyway"))]
    }
}

/// A village's exit from the poor-village list (贫困村出列), as decided: when, by whom, under which document. Recorded
/// once per village; the figures of its year and later show it.
public struct VillageExitDecision: Sendable, Hashable, Codable {
    /// The day of the decision, `YYYY-MM-DD`; its year is the exit's year.
    public var decidedOn: String
    /// Who decided (the county or province government).
    public var decidedBy: String
    /// The decision's document number (文号); empty when unknown.
    public var document: String
    /// Why the exit was decided although the year's incidence did not meet the limit; nil when it did.
    public var override: String?

    /// Creates a decision; a blank override is none.
    public init(decidedOn: String, decidedBy: String, document: String = "", override: String? = nil) {
        self.decidedOn = decidedOn
        self.decidedBy = decidedBy.trimmingCharacters(in: .whitespaces)
        self.document = document.trimmingCharacters(in: .whitespaces)
        self.override = override.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
    }

    /// The exit's year.
    public var year: Int { Int(decidedOn.prefix(4)) ?? 0 }

    /// Every problem with the fields, `today` being the current day (a decision is recorded once taken).
    public func problems(today: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Day.isValid(decidedOn) {
            issues.append(FieldIssue.notADay("decidedOn"))
        } else if decidedOn > today {
            issues.append(FieldIssue(field: "decidedOn", message: LocalizedText(zh: "决定日期不能晚于今天", en: "The decision cannot be after today")))
        }
        if decidedBy.isEmpty || decidedBy.count > 100 {
            issues.append(FieldIssue(field: "decidedBy", message: LocalizedText(zh: "请填写决定机关，不超过 100 个字", en: "Name who decided, at most 100 characters")))
        }
        if document.count > 100 {
            issues.append(FieldIssue(field: "document", message: LocalizedText(zh: "文号不超过 100 个字", en: "At most 100 characters")))
        }
        if let override, override.count > 500 {
            issues.append(FieldIssue(field: "override", message: LocalizedText(zh: "理由不超过 500 个字", en: "At most 500 characters")))
        }
        for (field, text) in [("decidedBy", decidedBy), ("document", document), ("override", override ?? "")] {
            if let problem = FieldIssue.invisibleCharacters(in: text, field: field) { issues.append(problem) }
        }
        return issues
    }
}
