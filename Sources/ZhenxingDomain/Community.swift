/// What a village did for people (讲习所 sessions, trainings, free health checks, drills, classes, mediation)
/// and what it built (projects, land, jobs, collective income): the kinds and the drafts with their rules.

/// What an activity is.
public enum ActivityKind: String, Sendable, CaseIterable, Codable {
    case lecture, training, healthCheck = "health_check", drill, lesson, mediation, service

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .lecture: LocalizedText(zh: "讲习", en: "Lecture")
        case .training: LocalizedText(zh: "技能培训", en: "Skills training")
        case .healthCheck: LocalizedText(zh: "义诊体检", en: "Free health check")
        case .drill: LocalizedText(zh: "演练", en: "Drill")
        case .lesson: LocalizedText(zh: "课程", en: "Class")
        case .mediation: LocalizedText(zh: "矛盾纠纷调解", en: "Dispute mediation")
        case .service: LocalizedText(zh: "其他服务", en: "Other service")
        }
    }
}

/// Who spoke at a lecture (一讲四评: cadres on policy, experts on skills, village worthies on morals, households
/// that left poverty on gratitude).
public enum SpeakerType: String, Sendable, CaseIterable, Codable {
    case cadre, expert, worthy, exitedHousehold = "exited_household"

    /// The type's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .cadre: LocalizedText(zh: "干部讲政策", en: "Cadre on policy")
        case .expert: LocalizedText(zh: "专家讲技术", en: "Expert on skills")
        case .worthy: LocalizedText(zh: "乡贤讲道德", en: "Village worthy on morals")
        case .exitedHousehold: LocalizedText(zh: "脱贫户讲感恩", en: "Exited household on gratitude")
        }
    }
}

/// Where a lecture was given.
public enum Classroom: String, Sendable, CaseIterable, Codable {
    case secretary, broadcast, mobile

    /// The classroom's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .secretary: LocalizedText(zh: "书记课堂", en: "Secretary's classroom")
        case .broadcast: LocalizedText(zh: "广播课堂", en: "Broadcast classroom")
        case .mobile: LocalizedText(zh: "流动课堂", en: "Mobile classroom")
        }
    }
}

/// An activity: what, when, where, organised by whom; attendance is a list of villagers or, where no list exists, a
/// counted number (marked as counted).
public struct ActivityDraft: Sendable, Hashable, Codable {
    public var kind: ActivityKind
    public var title: String
    public var date: String
    public var place: String
    /// The organiser: a branch, the village committee, the work team.
    public var organiser: String
    /// A partner organisation (镇平新联会, 春雷雷锋营 …).
    public var partner: String
    public var speaker: String
    public var speakerType: SpeakerType?
    public var classroom: Classroom?
    /// People counted where no list of names exists.
    public var counted: Int?
    /// A mediation's parties and its outcome.
    public var parties: String
    public var outcome: String

    public init(kind: ActivityKind, title: String, date: String, place: String = "", organiser: String = "", partner: String = "",
                speaker: String = "", speakerType: SpeakerType? = nil, classroom: Classroom? = nil, counted: Int? = nil,
                parties: String = "", outcome: String = "") {
        self.kind = kind
        self.title = title
        self.date = date
        self.place = place
        self.organiser = organiser
        self.partner = partner
        self.speaker = speaker
        self.speakerType = speakerType
        self.classroom = classroom
        self.counted = counted
        self.parties = parties
        self.outcome = outcome
    }

    /// Every problem with the fields, `today` being the current day (an activity is recorded once held).
    public func problems(today: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty || title.count > 100 {
            issues.append(FieldIssue(field: "title", message: LocalizedText(zh: "请写明活动名称（不超过 100 字）", en: "Give the activity's title (at most 100 characters)")))
        }
        if !Day.isValid(date) {
            issues.append(FieldIssue.notADay("date"))
        } else if date > today {
            issues.append(FieldIssue(field: "date", message: LocalizedText(zh: "活动日期不能晚于今天：活动举办后再登记", en: "Record an activity once it has been held")))
        }
        if let counted, counted < 0 || counted > 100_000 {
            issues.append(FieldIssue(field: "counted", message: LocalizedText(zh: "人数应在 0 到 100000 之间", en: "The count must be 0 to 100,000")))
        }
        if kind == .mediation && (parties.trimmingCharacters(in: .whitespaces).isEmpty || outcome.trimmingCharacters(in: .whitespaces).isEmpty) {
            issues.append(FieldIssue(field: "outcome", message: LocalizedText(zh: "调解须写明当事人和结果", en: "A mediation needs its parties and outcome")))
        }
        return issues
    }
}

/// What a project is.
public enum ProjectKind: String, Sendable, CaseIterable, Codable {
    case industry, infrastructure, workshop, energy, other

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .industry: LocalizedText(zh: "产业项目", en: "Industry")
        case .infrastructure: LocalizedText(zh: "基础设施", en: "Infrastructure")
        case .workshop: LocalizedText(zh: "扶贫车间", en: "Workshop")
        case .energy: LocalizedText(zh: "能源电力", en: "Energy")
        case .other: LocalizedText(zh: "其他", en: "Other")
        }
    }
}

/// Where a project stands.
public enum ProjectStatus: String, Sendable, CaseIterable, Codable {
    case planned, building, running, finished, stopped

    /// The status's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .planned: LocalizedText(zh: "规划", en: "Planned")
        case .building: LocalizedText(zh: "建设中", en: "Building")
        case .running: LocalizedText(zh: "运营中", en: "Running")
        case .finished: LocalizedText(zh: "已完工", en: "Finished")
        case .stopped: LocalizedText(zh: "已终止", en: "Stopped")
        }
    }
}

/// A project: what it is, with whom, where it stands.
public struct ProjectDraft: Sendable, Hashable, Codable {
    public var name: String
    public var kind: ProjectKind
    public var partner: String
    public var status: ProjectStatus
    public var started: String?
    public var description: String

    public init(name: String, kind: ProjectKind, partner: String = "", status: ProjectStatus = .planned, started: String? = nil, description: String = "") {
        self.name = name
        self.kind = kind
        self.partner = partner
        self.status = status
        self.started = started
        self.description = description
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 60 {
            issues.append(FieldIssue(field: "name", message: LocalizedText(zh: "请写明项目名称（不超过 60 字）", en: "Give the project's name (at most 60 characters)")))
        }
        if let started, !Day.isValid(started) {
            issues.append(FieldIssue.notADay("started"))
        }
        return issues
    }
}

/// Land transferred (流转) to a project: from whom, how much, for how long, at what rent.
public struct LandContractDraft: Sendable, Hashable, Codable {
    /// Who leases the land out (a household's head, the collective …).
    public var lessor: String
    /// The household leasing it out, when a villager's.
    public var householdID: Int?
    /// Area in hundredths of a mu.
    public var areaMuHundredths: Int
    public var start: String
    public var end: String
    /// Rent a year, in fen.
    public var rentFenPerYear: Int

    public init(lessor: String, householdID: Int? = nil, areaMuHundredths: Int, start: String, end: String, rentFenPerYear: Int) {
        self.lessor = lessor
        self.householdID = householdID
        self.areaMuHundredths = areaMuHundredths
        self.start = start
        self.end = end
        self.rentFenPerYear = rentFenPerYear
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if lessor.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "lessor", message: LocalizedText(zh: "请写明出租方", en: "Name who leases the land out")))
        }
        if areaMuHundredths <= 0 || areaMuHundredths > 1_000_000_000 {
            issues.append(FieldIssue(field: "area", message: LocalizedText(zh: "流转面积应大于 0 亩，且不超过 10,000,000 亩", en: "The area must be above 0 and at most 10,000,000 mu")))
        }
        if let problem = FieldIssue.money(rentFenPerYear, field: "rent") { issues.append(problem) }
        if !Day.isValid(start) {
            issues.append(FieldIssue.notADay("start"))
        }
        if !Day.isValid(end) {
            issues.append(FieldIssue.notADay("end"))
        } else if Day.isValid(start), end < start {
            issues.append(FieldIssue(field: "end", message: LocalizedText(zh: "合同结束日期不能早于开始日期", en: "The contract cannot end before it starts")))
        }
        return issues
    }
}

/// A sales agreement of a project (the workshop's cleaning tools sold to 南阳市教委 …).
public struct SalesAgreementDraft: Sendable, Hashable, Codable {
    public var buyer: String
    public var product: String
    public var amountFen: Int
    public var start: String
    public var end: String

    public init(buyer: String, product: String, amountFen: Int, start: String, end: String) {
        self.buyer = buyer
        self.product = product
        self.amountFen = amountFen
        self.start = start
        self.end = end
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if buyer.trimmingCharacters(in: .whitespaces).isEmpty || product.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: "buyer", message: LocalizedText(zh: "请写明买方和产品", en: "Name the buyer and the product")))
        }
        if let problem = FieldIssue.money(amountFen, field: "amount") { issues.append(problem) }
        if !Day.isValid(start) || !Day.isValid(end) || end < start {
            issues.append(FieldIssue(field: "end", message: LocalizedText(zh: "请填写起止日期，结束不能早于开始", en: "Give the period; it cannot end before it starts")))
        }
        return issues
    }
}

/// A cooperative or a demonstration household (示范户).
public enum EnterpriseKind: String, Sendable, CaseIterable, Codable {
    case cooperative, farmStay = "farm_stay", homestay, produceSales = "produce_sales"

    /// The kind's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .cooperative: LocalizedText(zh: "专业合作社", en: "Cooperative")
        case .farmStay: LocalizedText(zh: "农家乐示范户", en: "Farm-stay demonstration household")
        case .homestay: LocalizedText(zh: "精品民宿示范户", en: "Homestay demonstration household")
        case .produceSales: LocalizedText(zh: "农产品销售示范户", en: "Produce-sales demonstration household")
        }
    }
}

/// How able a person is to work, and whether they have work: the registry's words, read for the employment rate.
public enum Employment {
    /// Labour capacities that count a person as able to work (弱劳动力 and those without labour are not expected to).
    public static let ableToWork: Set<String> = ["普通劳动力", "技能劳动力"]
    /// Employment that counts as work: outside the county, in the county, the workshop, a public-welfare post, self-employed.
    public static let employed: [String] = ["外出务工", "县内务工", "扶贫车间", "公益岗位", "自主经营"]
}
