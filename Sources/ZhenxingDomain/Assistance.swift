/// A visit to a household (走访): who went, what they saw, what they promised and by when they will follow up.
public struct VisitDraft: Sendable, Hashable, Codable {
    /// When, `YYYY-MM-DD`.
    public var date: String
    /// Who visited (name and unit).
    public var visitor: String
    /// What was seen and heard.
    public var seen: String
    /// What was promised.
    public var promised: String
    /// By when to follow up the promise, `YYYY-MM-DD`.
    public var followUp: String?

    /// Creates a draft.
    public init(date: String, visitor: String, seen: String, promised: String = "", followUp: String? = nil) {
        self.date = date
        self.visitor = visitor
        self.seen = seen
        self.promised = promised
        self.followUp = followUp
    }

    /// Every problem with the fields, `today` being the current day (a visit cannot be in the future).
    public func problems(today: String, isDay: (String) -> Bool) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !isDay(date) {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "请填写走访日期（YYYY-MM-DD）", en: "Enter the visit's date (YYYY-MM-DD)")))
        } else if date > today {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "走访日期不能晚于今天", en: "A visit cannot be in the future")))
        }
        if visitor.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "visitor", message: LocalizedText(zh: "请写明走访人", en: "Name who visited")))
        }
        if seen.trimmingCharacters(in: .whitespaces).isEmpty || seen.count > 2_000 {
            issues.append(FieldIssue(field: "seen", message: LocalizedText(zh: "请写明走访所见（不超过 2000 字）", en: "Write what was seen (at most 2,000 characters)")))
        }
        if let followUp {
            if !isDay(followUp) {
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
