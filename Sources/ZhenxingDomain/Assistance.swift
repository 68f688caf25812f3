/// A visit to a household (走访): who went, what they saw, what they promised and by when they will follow up.
public struct VisitDraft: Sendable, Hashable, Codable {
    /// When, `YYYY-MM-DD`.
    public var date: String
    /// Who visited (name and unit); filled from the helper when one is named.
    public var visitor: String
    /// The registered helper who visited, when it was one.
    public var helperID: Int?
    /// What was seen and heard.
    public var seen: String
    /// What was promised.
    public var promised: String
    /// By when to follow up the promise, `YYYY-MM-DD`.
    public var followUp: String?

    /// Creates a draft.
    public init(date: String, visitor: String, helperID: Int? = nil, seen: String, promised: String = "", followUp: String? = nil) {
        self.date = date
        self.visitor = visitor
        self.helperID = helperID
        self.seen = seen
        self.promised = promised
        self.followUp = followUp
    }

    /// Every problem with the fields, `today` being the current day (a visit cannot be in the future).
    public func problems(today: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Day.isValid(date) {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "请填写走访日期（YYYY-MM-DD）", en: "Enter the visit's date (YYYY-MM-DD)")))
        } else if date > today {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "走访日期不能晚于今天", en: "A visit cannot be in the future")))
        }
        if helperID == nil && visitor.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "visitor", message: LocalizedText(zh: "请选择帮扶责任人或写明走访人", en: "Pick the helper or name who visited")))
        }
        if seen.trimmingCharacters(in: .whitespaces).isEmpty || seen.count > 2_000 {
            issues.append(FieldIssue(field: "seen", message: LocalizedText(zh: "请写明走访所见（不超过 2000 字）", en: "Write what was seen (at most 2,000 characters)")))
        }
        if let followUp {
            if !Day.isValid(followUp) {
                issues.append(FieldIssue(field: "followUp", message: LocalizedText(zh: "请填写回访日期（YYYY-MM-DD）", en: "Enter the follow-up date (YYYY-MM-DD)")))
            } else if followUp < date {
                issues.append(FieldIssue(field: "followUp", message: LocalizedText(zh: "回访日期不能早于走访日期", en: "The follow-up cannot be before the visit")))
            }
            if promised.trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(FieldIssue(field: "promised", message: LocalizedText(zh: "有回访日期时请写明承诺事项", en: "Write what was promised")))
            }
        }
        return issues
    }
}

/// Where a promise made on a visit stands.
public enum FollowUpState: String, Sendable, Codable {
    /// Followed up.
    case done
    /// Not yet due.
    case pending
    /// Due today.
    case due
    /// Past its date and not followed up.
    case overdue

    /// The state of a follow-up due on `date`, done on `done`, as of `today`.
    public init?(due date: String?, done: String?, today: String) {
        guard let date else { return nil }
        if done != nil { self = .done } else if date < today { self = .overdue } else if date == today { self = .due } else { self = .pending }
    }

    /// The state's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .done: LocalizedText(zh: "已回访", en: "Followed up")
        case .pending: LocalizedText(zh: "待回访", en: "Pending")
        case .due: LocalizedText(zh: "今日回访", en: "Due today")
        case .overdue: LocalizedText(zh: "回访逾期", en: "Overdue")
        }
    }
}

/// What a measure of an assistance plan does: the five batches and the usual others.
public enum MeasureCategory: String, Sendable, CaseIterable, Codable {
    case production, relocation, ecology, education, socialSecurity = "social_security"
    case employment, health, microcredit, publicWelfareJob = "public_welfare_job", housing, water

    /// The category's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .production: LocalizedText(zh: "发展生产", en: "Production")
        case .relocation: LocalizedText(zh: "易地扶贫搬迁", en: "Relocation")
        case .ecology: LocalizedText(zh: "生态补偿", en: "Ecological compensation")
        case .education: LocalizedText(zh: "发展教育", en: "Education")
        case .socialSecurity: LocalizedText(zh: "社会保障兜底", en: "Social security")
        case .employment: LocalizedText(zh: "就业", en: "Employment")
        case .health: LocalizedText(zh: "健康", en: "Health")
        case .microcredit: LocalizedText(zh: "小额信贷", en: "Microcredit")
        case .publicWelfareJob: LocalizedText(zh: "公益岗位", en: "Public-welfare job")
        case .housing: LocalizedText(zh: "危房改造", en: "Housing repair")
        case .water: LocalizedText(zh: "饮水安全", en: "Safe water")
        }
    }
}

/// Where a measure stands.
public enum MeasureStatus: String, Sendable, CaseIterable, Codable {
    case planned, inProgress = "in_progress", done, stopped

    /// The status's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .planned: LocalizedText(zh: "计划", en: "Planned")
        case .inProgress: LocalizedText(zh: "实施中", en: "In progress")
        case .done: LocalizedText(zh: "已完成", en: "Done")
        case .stopped: LocalizedText(zh: "已终止", en: "Stopped")
        }
    }
}

/// One measure of a household's yearly plan (一户一策, 一户多策).
public struct MeasureDraft: Sendable, Hashable, Codable {
    public var category: MeasureCategory
    public var content: String
    /// Amount in fen.
    public var amountFen: Int
    /// Funding source (财政专项扶贫资金, 行业部门资金, 社会帮扶 …).
    public var funding: String
    public var start: String
    public var end: String
    public var status: MeasureStatus
    public var result: String

    public init(category: MeasureCategory, content: String, amountFen: Int, funding: String, start: String, end: String,
                status: MeasureStatus = .planned, result: String = "") {
        self.category = category
        self.content = content
        self.amountFen = amountFen
        self.funding = funding
        self.start = start
        self.end = end
        self.status = status
        self.result = result
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if content.trimmingCharacters(in: .whitespaces).isEmpty || content.count > 200 {
            issues.append(FieldIssue(field: "content", message: LocalizedText(zh: "请写明措施内容（不超过 200 字）", en: "Describe the measure (at most 200 characters)")))
        }
        if let problem = FieldIssue.money(amountFen, field: "amount") { issues.append(problem) }
        if !Day.isValid(start) {
            issues.append(FieldIssue(field: "start", message: LocalizedText(zh: "请填写开始日期（YYYY-MM-DD）", en: "Enter the start date (YYYY-MM-DD)")))
        }
        if !Day.isValid(end) {
            issues.append(FieldIssue(field: "end", message: LocalizedText(zh: "请填写结束日期（YYYY-MM-DD）", en: "Enter the end date (YYYY-MM-DD)")))
        } else if Day.isValid(start), end < start {
            issues.append(FieldIssue(field: "end", message: LocalizedText(zh: "结束日期不能早于开始日期", en: "The end cannot be before the start")))
        }
        if (status == .done || status == .stopped) && result.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "result", message: LocalizedText(zh: "完成或终止的措施须写明结果", en: "A finished or stopped measure needs its result")))
        }
        return issues
    }
}

/// What a helper (帮扶责任人) is.
public enum HelperRole: String, Sendable, CaseIterable, Codable {
    case firstSecretary = "first_secretary", teamMember = "team_member", villageCadre = "village_cadre", pairedHelper = "paired_helper"

    /// The role's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .firstSecretary: LocalizedText(zh: "第一书记", en: "First secretary")
        case .teamMember: LocalizedText(zh: "工作队员", en: "Work-team member")
        case .villageCadre: LocalizedText(zh: "村干部", en: "Village cadre")
        case .pairedHelper: LocalizedText(zh: "结对帮扶人", en: "Paired helper")
        }
    }
}

/// A helper: who, from which unit, in what role, reachable how, active when.
public struct HelperDraft: Sendable, Hashable, Codable {
    public var name: String
    /// 河南省市场监督管理局, 南阳市人民政府办公室, 村委 …
    public var unit: String
    public var role: HelperRole
    public var phone: String
    public var from: String
    public var to: String?
    /// The user account that is this helper, for the "my households" page.
    public var username: String?

    public init(name: String, unit: String, role: HelperRole, phone: String = "", from: String, to: String? = nil, username: String? = nil) {
        self.name = name
        self.unit = unit
        self.role = role
        self.phone = phone
        self.from = from
        self.to = to
        self.username = username
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 30 {
            issues.append(FieldIssue(field: "name", message: LocalizedText(zh: "姓名不能为空，且不超过 30 个字", en: "The name must be 1 to 30 characters")))
        }
        if unit.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "unit", message: LocalizedText(zh: "请写明单位", en: "Give the unit")))
        }
        if !phone.isEmpty && (phone.count > 20 || !phone.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " || $0 == "+" })) {
            issues.append(FieldIssue(field: "phone", message: LocalizedText(zh: "电话号码格式不对", en: "The phone number is not valid")))
        }
        if !Day.isValid(from) {
            issues.append(FieldIssue(field: "from", message: LocalizedText(zh: "请填写开始日期（YYYY-MM-DD）", en: "Enter the start date (YYYY-MM-DD)")))
        }
        if let to, !Day.isValid(to) || to < from {
            issues.append(FieldIssue(field: "to", message: LocalizedText(zh: "结束日期应为不早于开始日期的日期", en: "The end must be a date not before the start")))
        }
        return issues
    }
}

/// What a specialised party branch (专业帮扶党支部) of a joint party committee does.
public enum BranchKind: String, Sendable, CaseIterable, Codable {
    case farming, migrantWork = "migrant_work", localJobs = "local_jobs", socialSecurity = "social_security", other

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .farming: LocalizedText(zh: "种植养殖", en: "Farming and breeding")
        case .migrantWork: LocalizedText(zh: "外出务工", en: "Work outside the county")
        case .localJobs: LocalizedText(zh: "域内就业", en: "Jobs nearby")
        case .socialSecurity: LocalizedText(zh: "兜底保障", en: "Social security")
        case .other: LocalizedText(zh: "本村自设", en: "The village's own")
        }
    }
}

/// A specialised party branch: its name, what it does, when it was formed and who leads it.
public struct BranchDraft: Sendable, Hashable, Codable {
    public var name: String
    public var kind: BranchKind
    public var formed: String
    public var secretary: String

    public init(name: String, kind: BranchKind, formed: String, secretary: String) {
        self.name = name
        self.kind = kind
        self.formed = formed
        self.secretary = secretary
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 40 {
            issues.append(FieldIssue(field: "name", message: LocalizedText(zh: "支部名称不能为空，且不超过 40 个字", en: "The branch's name must be 1 to 40 characters")))
        }
        if !Day.isValid(formed) {
            issues.append(FieldIssue.notADay("formed"))
        }
        if secretary.count > 30 {
            issues.append(FieldIssue(field: "secretary", message: LocalizedText(zh: "书记姓名不超过 30 个字", en: "The secretary's name is at most 30 characters")))
        }
        return issues
    }
}

/// A party member of a village's party organisation (the village branch or, once formed, the joint party committee
/// 联合党总支 that also counts the members of the stationed teams and partner organisations).
public struct PartyMemberDraft: Sendable, Hashable, Codable {
    /// The villager, when the member is one (their name comes from the registry).
    public var personID: Int?
    /// The member's name when not a villager.
    public var name: String
    /// The member's own organisation (凉水泉村党支部, 南阳中联水泥党支部 …).
    public var organisation: String
    /// Counted from.
    public var joined: String
    /// Counted until (left, moved, died), nil while a member.
    public var left: String?

    public init(personID: Int? = nil, name: String = "", organisation: String, joined: String, left: String? = nil) {
        self.personID = personID
        self.name = name
        self.organisation = organisation
        self.joined = joined
        self.left = left
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if personID == nil && (name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 30) {
            issues.append(FieldIssue(field: "name", message: LocalizedText(zh: "请选择本村村民或填写党员姓名（不超过 30 个字）", en: "Pick a villager or give the member's name (at most 30 characters)")))
        }
        if organisation.trimmingCharacters(in: .whitespaces).isEmpty || organisation.count > 60 {
            issues.append(FieldIssue(field: "organisation", message: LocalizedText(zh: "请写明所在党组织（不超过 60 个字）", en: "Give the member's own party organisation (at most 60 characters)")))
        }
        if !Day.isValid(joined) {
            issues.append(FieldIssue.notADay("joined"))
        }
        if let left, !Day.isValid(left) || left < joined {
            issues.append(FieldIssue(field: "left", message: LocalizedText(zh: "转出日期应为不早于转入日期的日期", en: "The leaving date must be a date not before joining")))
        }
        return issues
    }
}
