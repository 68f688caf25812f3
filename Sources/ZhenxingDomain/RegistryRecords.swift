/// The facts of a person that forms edit (the ID number is not among them: it identifies the person).
public struct PersonFacts: Sendable, Hashable, Codable {
    /// 姓名.
    public var name: String
    /// 民族.
    public var ethnicity: String
    /// 文化程度.
    public var education: String
    /// 在校生情况 (小学在读, 初中在读 …; empty when not in school).
    public var inSchool: String
    /// 健康状况.
    public var health: String
    /// 劳动技能.
    public var labour: String
    /// 务工情况.
    public var employment: String
    /// Months worked in the year.
    public var monthsWorked: Int
    /// 医保.
    public var medicalInsurance: Bool
    /// 养老保险.
    public var pensionInsurance: Bool
    /// 党员.
    public var partyMember: Bool
    /// Phone (sensitive).
    public var phone: String

    /// Creates facts.
    public init(name: String, ethnicity: String, education: String, inSchool: String = "", health: String, labour: String, employment: String,
                monthsWorked: Int, medicalInsurance: Bool, pensionInsurance: Bool, partyMember: Bool, phone: String) {
        self.inSchool = inSchool
        self.name = name
        self.ethnicity = ethnicity
        self.education = education
        self.health = health
        self.labour = labour
        self.employment = employment
        self.monthsWorked = monthsWorked
        self.medicalInsurance = medicalInsurance
        self.pensionInsurance = pensionInsurance
        self.partyMember = partyMember
        self.phone = phone
    }

    /// Every problem with the facts.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.count > 30 {
            issues.append(FieldIssue(field: "name", message: LocalizedText(zh: "姓名不能为空，且不超过 30 个字", en: "The name must be 1 to 30 characters")))
        } else if let problem = FieldIssue.invisibleCharacters(in: name, field: "name") {
            issues.append(problem)
        }
        if !(0...12).contains(monthsWorked) {
            issues.append(FieldIssue(field: "monthsWorked", message: LocalizedText(zh: "务工月数应在 0 到 12 之间", en: "Months worked must be 0 to 12")))
        }
        if !phone.isEmpty && (phone.count > 20 || !phone.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " || $0 == "+" })) {
            issues.append(FieldIssue(field: "phone", message: LocalizedText(zh: "电话号码格式不对", en: "The phone number is not valid")))
        }
        for (field, value) in [("ethnicity", ethnicity), ("education", education), ("inSchool", inSchool), ("health", health),
                               ("labour", labour), ("employment", employment)]
            where value.count > 30 {
            issues.append(FieldIssue(field: field, message: LocalizedText(zh: "不超过 30 个字", en: "At most 30 characters")))
        }
        return issues
    }
}

extension PersonFacts {
    /// The facts' work (labour ability, work, months worked) as a record from `since`.
    public func work(since: String) -> WorkRecord {
        WorkRecord(since: since, labour: labour, employment: employment, monthsWorked: monthsWorked)
    }
}

/// What a person could do and did from a day on: labour ability (劳动技能), work (务工情况) and months worked in the
/// year. Dated like memberships: a year's figures read the record in force at the year's end (or today), so people are
/// not counted in a workshop before it opened.
public struct WorkRecord: Sendable, Hashable, Codable {
    /// The first day it holds, `YYYY-MM-DD`.
    public var since: String
    /// 劳动技能.
    public var labour: String
    /// 务工情况.
    public var employment: String
    /// Months worked in the year.
    public var monthsWorked: Int

    /// Creates a record.
    public init(since: String, labour: String, employment: String, monthsWorked: Int) {
        self.since = since
        self.labour = labour
        self.employment = employment
        self.monthsWorked = monthsWorked
    }

    /// Why the record's day cannot be taken for a person born on `birthDate`, `today` being the current day: it is a
    /// day, not before the birth and not in the future.
    public func problems(birthDate: String, today: String, field: String = "workSince") -> [FieldIssue] {
        guard Day.isValid(since) else { return [FieldIssue.notADay(field)] }
        if since > today {
            return [FieldIssue(field: field, message: LocalizedText(zh: "就业情况的起始日期不能晚于今天", en: "The work cannot start after today"))]
        }
        if since < birthDate {
            return [FieldIssue(field: field, message: LocalizedText(
                zh: "就业情况的起始日期早于出生日期 \(birthDate)", en: "The work cannot start before the birth date, \(birthDate)"))]
        }
        return []
    }

}

/// A person's record as entered: the ID number that identifies them and their facts.
public struct PersonDraft: Sendable, Hashable, Codable {
    /// 居民身份证号码.
    public var residentID: ResidentID
    /// Everything else forms ask for.
    public var facts: PersonFacts

    /// Creates a draft.
    public init(
        name: String, residentID: ResidentID, ethnicity: String = "汉族", education: String = "", inSchool: String = "", health: String = "健康",
        labour: String = "", employment: String = "", monthsWorked: Int = 0, medicalInsurance: Bool = true,
        pensionInsurance: Bool = false, partyMember: Bool = false, phone: String = ""
    ) {
        self.residentID = residentID
        self.facts = PersonFacts(
            name: name, ethnicity: ethnicity, education: education, inSchool: inSchool, health: health, labour: labour, employment: employment,
            monthsWorked: monthsWorked, medicalInsurance: medicalInsurance, pensionInsurance: pensionInsurance,
            partyMember: partyMember, phone: phone)
    }

    /// 姓名.
    public var name: String { facts.name }
    /// Sex, from the ID number.
    public var sex: ResidentID.Sex { residentID.sex }
    /// Birth date, from the ID number.
    public var birthDate: String { residentID.birthDate }

    /// Every problem with the fields beyond the ID number itself.
    public func problems() -> [FieldIssue] { facts.problems() }
}

/// A household's record as entered.
public struct HouseholdDraft: Sendable, Hashable, Codable {
    /// 户编号, unique in the village.
    public var number: String
    /// The village.
    public var village: DivisionCode
    /// 村民小组 number.
    public var groupNumber: Int?
    /// 自然村.
    public var naturalVillage: String?
    /// 住址.
    public var address: String
    /// 户属性.
    public var attribute: HouseholdAttribute
    /// 主要致贫原因.
    public var mainCause: PovertyCause?
    /// 其他致贫原因.
    public var otherCauses: [PovertyCause]

    /// Creates a draft.
    public init(
        number: String, village: DivisionCode, groupNumber: Int?, naturalVillage: String?, address: String,
        attribute: HouseholdAttribute, mainCause: PovertyCause? = nil, otherCauses: [PovertyCause] = []
    ) {
        self.number = number
        self.village = village
        self.groupNumber = groupNumber
        self.naturalVillage = naturalVillage
        self.address = address
        self.attribute = attribute
        self.mainCause = mainCause
        self.otherCauses = otherCauses
    }

    /// Every problem with the fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if number.isEmpty || number.count > 30 {
            issues.append(FieldIssue(field: "number", message: LocalizedText(zh: "户编号不能为空，且不超过 30 个字符", en: "The household number must be 1 to 30 characters")))
        }
        if village.level != .village {
            issues.append(FieldIssue(field: "village", message: LocalizedText(zh: "户必须属于一个村", en: "A household belongs to a village")))
        }
        if let groupNumber, let problem = FieldIssue.number(groupNumber, field: "groupNumber", in: 1...999) {
            issues.append(problem)
        }
        if let problem = FieldIssue.invisibleCharacters(in: number, field: "number") {
            issues.append(problem)
        }
        if address.count > 100 {
            issues.append(FieldIssue(field: "address", message: LocalizedText(zh: "住址不超过 100 个字", en: "The address may have at most 100 characters")))
        }
        if let mainCause, otherCauses.contains(mainCause) {
            issues.append(FieldIssue(field: "otherCauses", message: LocalizedText(zh: "其他致贫原因不应重复主要原因", en: "Other causes repeat the main cause")))
        }
        return issues
    }
}

/// A change of a household's poverty status, with the date, reason and who decided.
public struct StatusChange: Sendable, Hashable, Codable {
    /// When it took effect, `YYYY-MM-DD`.
    public var date: String
    /// The new status.
    public var status: PovertyStatus
    /// For monitored households, which kind.
    public var monitoringKind: MonitoringKind?
    /// Why.
    public var reason: String
    /// Who decided (镇平县人民政府 …).
    public var decidedBy: String
    /// For an exit the year's check does not support (no assessment, or one that fails): why it was decided anyway.
    public var override: String?

    /// Creates a change.
    public init(date: String, status: PovertyStatus, monitoringKind: MonitoringKind? = nil, reason: String, decidedBy: String, override: String? = nil) {
        self.date = date
        self.status = status
        self.monitoringKind = monitoringKind
        self.reason = reason
        self.decidedBy = decidedBy
        self.override = override.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
    }
}

/// A household's assessment for a year (年度核查).
public struct Assessment: Sendable, Hashable, Codable {
    /// The year.
    public var year: Int
    /// Members counted for the per-capita figure.
    public var members: Int
    /// The income sheet, in fen.
    public var income: IncomeSheet
    /// The five guarantees.
    public var guarantees: Guarantees
    /// The year's rigid spending (刚性支出) the household bore itself.
    public var spending: RigidSpending
    /// Notes (why a guarantee fails, what was seen).
    public var note: String
    /// Edit version as stored (0 before the first save).
    public var version: Int

    /// Creates an assessment.
    public init(year: Int, members: Int, income: IncomeSheet, guarantees: Guarantees, spending: RigidSpending = .none, note: String = "",
                version: Int = 0) {
        self.version = version
        self.year = year
        self.members = members
        self.income = income
        self.guarantees = guarantees
        self.spending = spending
        self.note = note
    }

    /// Every problem: a year outside `FieldIssue.years`, members outside 0–50, an amount outside `FieldIssue.money`.
    public func problems() -> [FieldIssue] {
        [FieldIssue.years.contains(year) ? nil : FieldIssue.yearOutOfRange(),
         FieldIssue.number(members, field: "members", in: 0...50)].compactMap { $0 } + income.problems() + spending.problems()
    }
}

/// What a household paid itself in a year for needs it cannot put off (刚性支出), in fen: the monitoring rules compare
/// it with the year's net income.
public struct RigidSpending: Sendable, Hashable, Codable {
    /// 医疗自付: medical bills after insurance.
    public var medical: Int
    /// 教育支出: schooling.
    public var schooling: Int

    /// Creates the amounts.
    public init(medical: Int, schooling: Int) {
        self.medical = medical
        self.schooling = schooling
    }

    /// No rigid spending recorded.
    public static let none = RigidSpending(medical: 0, schooling: 0)

    /// Both amounts; bounded amounts cannot overflow.
    public var total: Int { medical + schooling }

    /// Fields with an amount outside `FieldIssue.money`.
    public func problems() -> [FieldIssue] {
        [("medicalSpending", medical), ("schoolingSpending", schooling)].compactMap { field, value in FieldIssue.money(value, field: field) }
    }
}

/// The policy parameters in force for a province in a year, each with the row it came from.
public struct PolicyParameters: Sendable, Hashable {
    /// The poverty line, fen per person per year.
    public let povertyLineFen: Int?
    /// The year and source of the poverty line.
    public let povertyLineSource: String
    /// The monitoring threshold, fen per person per year, with the row it came from.
    public let monitoringThreshold: DatedThreshold?
    /// The monitoring threshold's value, fen.
    public var monitoringThresholdFen: Int? { monitoringThreshold?.value }
    /// The village-exit incidence limit, as a ratio (0.02).
    public let villageExitLimit: Double?

    /// Creates a set.
    public init(povertyLineFen: Int?, povertyLineSource: String, monitoringThreshold: DatedThreshold?, villageExitLimit: Double?) {
        self.povertyLineFen = povertyLineFen
        self.povertyLineSource = povertyLineSource
        self.monitoringThreshold = monitoringThreshold
        self.villageExitLimit = villageExitLimit
    }
}

/// The registry figures of a division for a year, as of the year's last day.
public struct RegistryFigures: Sendable, Hashable, Codable {
    /// 户籍人口.
    public let population: Int
    /// Households with members.
    public let households: Int
    /// Households whose status is poor.
    public let poorHouseholds: Int
    /// Members of poor households.
    public let poorPeople: Int
    /// Households whose status is exited.
    public let exitedHouseholds: Int
    /// Households under monitoring.
    public let monitoredHouseholds: Int
    /// Villages whose population is an entered figure rather than a count of registered people.
    public let villagesWithEnteredPopulation: Int

    /// Creates figures.
    public init(
        population: Int, households: Int, poorHouseholds: Int, poorPeople: Int, exitedHouseholds: Int, monitoredHouseholds: Int,
        villagesWithEnteredPopulation: Int = 0
    ) {
        self.villagesWithEnteredPopulation = villagesWithEnteredPopulation
        self.population = population
        self.households = households
        self.poorHouseholds = poorHouseholds
        self.poorPeople = poorPeople
        self.exitedHouseholds = exitedHouseholds
        self.monitoredHouseholds = monitoredHouseholds
    }

    /// 贫困发生率: poor people over population, at full precision; nil without population.
    public var povertyIncidence: Double? {
        population > 0 ? Double(poorPeople) / Double(population) : nil
    }
}
