/// Where an issue came from.
public enum IssueSource: String, Sendable, CaseIterable, Codable {
    case household, visit, meeting, grid, hotline, other

    /// The source's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .household: LocalizedText(zh: "农户反映", en: "Household")
        case .visit: LocalizedText(zh: "入户走访", en: "Visit")
        case .meeting: LocalizedText(zh: "会议", en: "Meeting")
        case .grid: LocalizedText(zh: "网格", en: "Grid")
        case .hotline: LocalizedText(zh: "热线", en: "Hotline")
        case .other: LocalizedText(zh: "其他", en: "Other")
        }
    }
}

/// Where an issue stands (事事有回音、件件有落实).
public enum IssueState: String, Sendable, CaseIterable, Codable {
    /// Recorded, not yet handled.
    case collected
    /// Solved on the spot (当场解决), with its result.
    case solved
    /// Referred to a meeting for consultation (提交会议研究).
    case referred
    /// Decided: an owner and a deadline.
    case assigned
    /// Being worked on.
    case inProgress = "in_progress"
    /// Closed (销号) with its result and evidence.
    case closed
    /// Not taken up, with the reason told to whoever raised it.
    case rejected

    /// The state's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .collected: LocalizedText(zh: "已收集", en: "Collected")
        case .solved: LocalizedText(zh: "当场解决", en: "Solved on the spot")
        case .referred: LocalizedText(zh: "提交会议", en: "Referred to a meeting")
        case .assigned: LocalizedText(zh: "已交办", en: "Assigned")
        case .inProgress: LocalizedText(zh: "办理中", en: "In progress")
        case .closed: LocalizedText(zh: "已销号", en: "Closed")
        case .rejected: LocalizedText(zh: "不予受理", en: "Rejected")
        }
    }

    /// Whether the issue is finished (no deadline can be missed any more).
    public var isFinal: Bool { self == .solved || self == .closed || self == .rejected }

    /// Whether an issue due on `deadline` and finished on `finishedOn` (nil: not yet) is overdue on `day`: its deadline
    /// has passed and it was not finished by then. The ledger, the issue page and the figures (as of a year's end or
    /// today) all ask this.
    public static func isOverdue(deadline: String?, finishedOn: String?, on day: String) -> Bool {
        guard let deadline, deadline < day else { return false }
        return finishedOn.map { $0 > day } ?? true
    }

    /// The states an issue may move to from this one.
    public var next: [IssueState] {
        switch self {
        case .collected: [.solved, .referred, .assigned, .rejected]
        case .referred: [.assigned, .solved, .rejected]
        case .assigned: [.inProgress, .closed]
        case .inProgress: [.closed]
        case .solved, .closed, .rejected: []
        }
    }
}

/// A move of an issue to another state, with what it needs: the answer given, an owner and a
/// deadline when assigned, the result when solved or closed, the reason when rejected.
public struct IssueTransition: Sendable, Hashable, Codable {
    /// The new state.
    public var to: IssueState
    /// When, `YYYY-MM-DD`.
    public var date: String
    /// What was said to whoever raised it (the answer, 回音).
    public var response: String
    /// For `assigned`: who is answerable.
    public var owner: String?
    /// For `assigned`: by when, `YYYY-MM-DD`.
    public var deadline: String?
    /// For `solved` and `closed`: the result; for `rejected`: the reason.
    public var result: String?
    /// For `closed`: the evidence (what was seen, documents).
    public var evidence: String?
    /// The meeting it happened in, if any.
    public var meetingID: Int?

    /// Creates a transition.
    public init(to: IssueState, date: String, response: String, owner: String? = nil, deadline: String? = nil, result: String? = nil,
                evidence: String? = nil, meetingID: Int? = nil) {
        self.to = to
        self.date = date
        self.response = response
        self.owner = owner
        // a blank deadline is no deadline: it neither replaces the one set nor reads as a day
        self.deadline = deadline.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        self.result = result
        self.evidence = evidence
        self.meetingID = meetingID
    }

    /// Every problem with moving from `state` an issue raised on `created`, on `today`: the move must be one the ledger
    /// allows, dated between the day the issue was recorded and today, answered, and any deadline a real day no earlier
    /// than the issue (nor than the day it is assigned).
    public func problems(from state: IssueState, created: String, today: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        guard state.next.contains(to) else {
            return [FieldIssue(field: "to", message: LocalizedText(
                zh: "“\(state.title.zh)”的问题不能改为“\(to.title.zh)”", en: "An issue that is \(state.title.en.lowercased()) cannot become \(to.title.en.lowercased())"))]
        }
        if !Day.isValid(date) {
            issues.append(FieldIssue.notADay("date"))
        } else if date < created {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "日期不能早于问题登记日期 \(created)", en: "The date cannot be before the issue was recorded, \(created)")))
        } else if date > today {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "日期不能晚于今天（\(today)）", en: "The date cannot be after today (\(today))")))
        }
        if response.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "response", message: LocalizedText(zh: "请写明给反映人的答复（事事有回音）", en: "Write the answer given to whoever raised it")))
        }
        if let deadline {
            if !Day.isValid(deadline) {
                issues.append(FieldIssue.notADay("deadline"))
            } else if deadline < created {
                issues.append(FieldIssue(field: "deadline", message: LocalizedText(
                    zh: "办结期限不能早于问题登记日期 \(created)", en: "The deadline cannot be before the issue was recorded, \(created)")))
            } else if to == .assigned, deadline < date {
                issues.append(FieldIssue(field: "deadline", message: LocalizedText(zh: "办结期限不能早于交办日期", en: "The deadline cannot be before the day it is assigned")))
            }
        }
        func blank(_ text: String?) -> Bool { (text ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        switch to {
        case .assigned:
            if blank(owner) { issues.append(FieldIssue(field: "owner", message: LocalizedText(zh: "请指定责任人", en: "Name who is answerable"))) }
            if deadline == nil { issues.append(FieldIssue(field: "deadline", message: LocalizedText(zh: "请给出办结期限", en: "Give a deadline"))) }
        case .solved, .closed:
            if blank(result) { issues.append(FieldIssue(field: "result", message: LocalizedText(zh: "销号须写明办理结果", en: "Closing needs the result"))) }
        case .rejected:
            if blank(result) { issues.append(FieldIssue(field: "result", message: LocalizedText(zh: "请写明不予受理的理由", en: "Give the reason"))) }
        case .collected, .referred, .inProgress: break
        }
        return issues
    }
}

/// An issue as recorded.
public struct IssueDraft: Sendable, Hashable, Codable {
    /// A short title.
    public var title: String
    /// What was asked or seen.
    public var description: String
    /// Where it came from.
    public var source: IssueSource
    /// Who raised it (a name, or an organisation).
    public var raisedBy: String
    /// The household it concerns, if any.
    public var householdID: Int?
    /// The grid it concerns, if any.
    public var gridID: Int?
    /// The meeting it was raised in, if any.
    public var meetingID: Int?
    /// Category (水电路、住房、医疗、就业、产业、矛盾纠纷 …).
    public var category: String
    /// When it was raised, `YYYY-MM-DD`.
    public var raisedOn: String

    /// Creates a draft.
    public init(title: String, description: String, source: IssueSource, raisedBy: String, householdID: Int? = nil, gridID: Int? = nil,
                meetingID: Int? = nil, category: String, raisedOn: String) {
        self.title = title
        self.description = description
        self.source = source
        self.raisedBy = raisedBy
        self.householdID = householdID
        self.gridID = gridID
        self.meetingID = meetingID
        self.category = category
        self.raisedOn = raisedOn
    }

    /// Every problem with the fields on `today` (an issue cannot be raised later than today).
    public func problems(today: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let title = title.trimmingCharacters(in: .whitespaces)
        if title.isEmpty || title.count > 60 {
            issues.append(FieldIssue(field: "title", message: LocalizedText(zh: "标题不能为空，且不超过 60 个字", en: "The title must be 1 to 60 characters")))
        }
        if raisedBy.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "raisedBy", message: LocalizedText(zh: "请写明反映人", en: "Name who raised it")))
        }
        if description.count > 2_000 {
            issues.append(FieldIssue(field: "description", message: LocalizedText(zh: "情况说明不超过 2000 字", en: "At most 2,000 characters")))
        }
        if !Day.isValid(raisedOn) {
            issues.append(FieldIssue.notADay("raisedOn"))
        } else if raisedOn > today {
            issues.append(FieldIssue(field: "raisedOn", message: LocalizedText(zh: "日期不能晚于今天（\(today)）", en: "The date cannot be after today (\(today))")))
        }
        if source == .meeting && meetingID == nil {
            issues.append(FieldIssue(field: "meetingID", message: LocalizedText(zh: "来源为会议时请选择会议", en: "Choose the meeting it was raised in")))
        }
        return issues
    }
}

/// Kinds of meeting.
public enum MeetingKind: String, Sendable, CaseIterable, Codable {
    /// 例会: the regular work meeting (一会四题).
    case regular
    /// 联席会议: all partner branches, once a quarter.
    case joint
    /// 主题党日.
    case partyDay = "party_day"
    /// 推进会.
    case push
    /// 座谈会.
    case forum

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .regular: LocalizedText(zh: "例会", en: "Regular meeting")
        case .joint: LocalizedText(zh: "联席会议", en: "Joint meeting")
        case .partyDay: LocalizedText(zh: "主题党日", en: "Party day")
        case .push: LocalizedText(zh: "推进会", en: "Push meeting")
        case .forum: LocalizedText(zh: "座谈会", en: "Forum")
        }
    }
}

/// A meeting with its four agenda parts (一会四题).
public struct MeetingDraft: Sendable, Hashable, Codable {
    /// The kind.
    public var kind: MeetingKind
    /// Its title.
    public var title: String
    /// When, `YYYY-MM-DD`.
    public var date: String
    /// Where.
    public var place: String
    /// Who chaired.
    public var chair: String
    /// 第一议题学思想: what was studied, with minutes.
    public var study: String
    /// 主题: the theme, with minutes.
    public var theme: String
    /// 专题: the topic opinions were collected on, with minutes.
    public var topic: String
    /// 例题: the cases (requests) handled, with minutes.
    public var cases: String
    /// Organisations that attended (partner branches, units).
    public var organisations: [String]

    /// Creates a draft.
    public init(kind: MeetingKind, title: String, date: String, place: String, chair: String, study: String = "", theme: String = "",
                topic: String = "", cases: String = "", organisations: [String] = []) {
        self.kind = kind
        self.title = title
        self.date = date
        self.place = place
        self.chair = chair
        self.study = study
        self.theme = theme
        self.topic = topic
        self.cases = cases
        self.organisations = organisations
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 60 {
            issues.append(FieldIssue(field: "title", message: LocalizedText(zh: "会议名称不能为空，且不超过 60 个字", en: "The title must be 1 to 60 characters")))
        }
        if chair.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "chair", message: LocalizedText(zh: "请写明主持人", en: "Name the chair")))
        }
        for (field, text) in [("study", study), ("theme", theme), ("topic", topic), ("cases", cases)] where text.count > 10_000 {
            issues.append(FieldIssue(field: field, message: LocalizedText(zh: "纪要不超过 10000 字", en: "Minutes of at most 10,000 characters")))
        }
        return issues
    }
}

/// What a meeting produced besides handling issues: ideas proposed and decisions taken.
public enum MeetingOutcomeKind: String, Sendable, CaseIterable, Codable {
    /// An idea proposed (发展思路 …).
    case idea
    /// A decision, with an owner and a deadline.
    case decision

    /// The kind's name in both languages.
    public var title: LocalizedText {
        self == .idea ? LocalizedText(zh: "思路", en: "Idea") : LocalizedText(zh: "决定", en: "Decision")
    }
}

/// The four lists of 一标四单.
public enum ListKind: String, Sendable, CaseIterable, Codable {
    case problems, resources, needs, projects

    /// The list's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .problems: LocalizedText(zh: "问题清单", en: "Problems")
        case .resources: LocalizedText(zh: "资源清单", en: "Resources")
        case .needs: LocalizedText(zh: "需求清单", en: "Needs")
        case .projects: LocalizedText(zh: "项目清单", en: "Projects")
        }
    }
}

/// Where a list item stands.
public enum ListItemStatus: String, Sendable, CaseIterable, Codable {
    case open
    case inProgress = "in_progress"
    case done

    /// The status's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .open: LocalizedText(zh: "未开始", en: "Open")
        case .inProgress: LocalizedText(zh: "推进中", en: "In progress")
        case .done: LocalizedText(zh: "已完成", en: "Done")
        }
    }
}
