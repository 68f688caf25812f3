import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The columns of a household roster (花名册): one row per person, the household's fields on
/// each row (or only on the head's row).
public enum RosterField: String, Sendable, CaseIterable, Codable {
    case village, householdNumber, name, residentID, relation, headName, size, sex, birthDate
    case group, naturalVillage, address, attribute, mainCause, otherCauses
    case ethnicity, education, inSchool, health, labour, employment, monthsWorked
    case medicalInsurance, pensionInsurance, partyMember, phone

    /// Columns a roster must have.
    public static let required: [RosterField] = [.householdNumber, .name, .residentID, .relation]

    /// The column's header in the template and exports.
    public var title: LocalizedText {
        switch self {
        case .village: LocalizedText(zh: "村代码", en: "Village code")
        case .householdNumber: LocalizedText(zh: "户编号", en: "Household number")
        case .name: LocalizedText(zh: "姓名", en: "Name")
        case .residentID: LocalizedText(zh: "身份证号", en: "ID number")
        case .relation: LocalizedText(zh: "与户主关系", en: "Relation to head")
        case .headName: LocalizedText(zh: "户主姓名", en: "Head of household")
        case .size: LocalizedText(zh: "家庭人数", en: "Household size")
        case .sex: LocalizedText(zh: "性别", en: "Sex")
        case .birthDate: LocalizedText(zh: "出生日期", en: "Birth date")
        case .group: LocalizedText(zh: "村民小组", en: "Group")
        case .naturalVillage: LocalizedText(zh: "自然村", en: "Natural village")
        case .address: LocalizedText(zh: "住址", en: "Address")
        case .attribute: LocalizedText(zh: "户属性", en: "Household type")
        case .mainCause: LocalizedText(zh: "主要致贫原因", en: "Main cause of poverty")
        case .otherCauses: LocalizedText(zh: "其他致贫原因", en: "Other causes of poverty")
        case .ethnicity: LocalizedText(zh: "民族", en: "Ethnicity")
        case .education: LocalizedText(zh: "文化程度", en: "Education")
        case .inSchool: LocalizedText(zh: "在校生情况", en: "In school")
        case .health: LocalizedText(zh: "健康状况", en: "Health")
        case .labour: LocalizedText(zh: "劳动技能", en: "Labour skills")
        case .employment: LocalizedText(zh: "务工情况", en: "Employment")
        case .monthsWorked: LocalizedText(zh: "务工月数", en: "Months worked")
        case .medicalInsurance: LocalizedText(zh: "参加医保", en: "Medical insurance")
        case .pensionInsurance: LocalizedText(zh: "参加养老保险", en: "Pension insurance")
        case .partyMember: LocalizedText(zh: "党员", en: "Party member")
        case .phone: LocalizedText(zh: "联系电话", en: "Phone")
        }
    }

    /// Other headers government forms use for the column.
    var synonyms: [String] {
        switch self {
        case .village: ["行政区划代码", "区划代码", "村级区划代码", "村编码"]
        case .householdNumber: ["户号", "户编码", "家庭编号", "户主编号", "household no", "household"]
        case .name: ["成员姓名", "家庭成员姓名", "人员姓名", "姓名"]
        case .residentID: ["身份证号码", "证件号码", "身份证件号码", "公民身份号码", "居民身份证号码", "身份证", "id", "id number", "resident id"]
        case .relation: ["关系", "与户主的关系", "家庭关系", "relation"]
        case .headName: ["户主", "户主名称"]
        case .size: ["人数", "户人数", "家庭人口", "家庭人口数", "size"]
        case .sex: []
        case .birthDate: ["出生年月", "出生年月日", "birth"]
        case .group: ["组", "组别", "小组", "所在组", "村组", "group"]
        case .naturalVillage: ["所在自然村"]
        case .address: ["家庭住址", "地址", "详细地址"]
        case .attribute: ["户类型", "贫困户属性", "家庭属性"]
        case .mainCause: ["致贫原因", "主要致贫原因", "cause"]
        case .otherCauses: ["次要致贫原因", "其他原因"]
        case .ethnicity: []
        case .education: ["学历"]
        case .inSchool: ["在校生状况", "在校情况", "是否在校生"]
        case .health: []
        case .labour: ["劳动能力", "劳动力状况"]
        case .employment: ["务工状况", "就业情况", "务工就业情况"]
        case .monthsWorked: ["务工时间", "务工时间（月）", "务工时间(月)", "务工时长"]
        case .medicalInsurance: ["医保", "是否参加医保", "是否参加城乡居民基本医疗保险", "参加城乡居民基本医疗保险"]
        case .pensionInsurance: ["养老保险", "是否参加养老保险", "是否参加城乡居民基本养老保险", "参加城乡居民基本养老保险"]
        case .partyMember: ["是否党员", "政治面貌", "中共党员"]
        case .phone: ["电话", "手机", "手机号", "手机号码", "联系方式", "联系电话号码"]
        }
    }

    /// Headers normalised as `normalise` does, each pointing to its field.
    static let byHeader: [String: RosterField] = {
        var table: [String: RosterField] = [:]
        for field in allCases {
            for header in [field.title.zh, field.title.en, field.rawValue] + field.synonyms {
                table[normalise(header)] = table[normalise(header)] ?? field
            }
        }
        return table
    }()

    /// A header as compared: no spaces, line breaks, required-markers or full-width brackets; lower case.
    static func normalise(_ header: String) -> String {
        var result = ""
        for character in header.lowercased() {
            switch character {
            case " ", "\u{3000}", "\n", "\r", "\t", "*", "＊", "：", ":": continue
            case "（": result.append("(")
            case "）": result.append(")")
            default: result.append(character)
            }
        }
        return result
    }
}

/// Where each roster field is in a file: the header row found and each column's field.
public struct RosterLayout: Sendable, Hashable {
    /// The row that holds the headers.
    public let headerRow: Int
    /// Each column's header text as in the file (after merged cells above are taken into account).
    public let headers: [String]
    /// Each column's field, or nil when not used.
    public var fields: [RosterField?]

    /// Headers that matched no field and were not mapped: shown to the user, who maps or ignores them.
    public var unmatched: [(column: Int, header: String)] {
        headers.enumerated().compactMap { index, header in
            fields[index] == nil && !header.isEmpty ? (index, header) : nil
        }
    }

    /// Required fields no column provides.
    public var missing: [RosterField] {
        RosterField.required.filter { !fields.contains($0) }
    }

    /// The column of a field.
    public func column(of field: RosterField) -> Int? {
        fields.firstIndex(of: field)
    }

    /// Finds the header among the first rows: the row matching most fields wins, so title rows above
    /// it are skipped; an empty header cell takes the text of the cell above it (a header merged
    /// down over two rows), and the group titles of a two-row header lose to the row of names below.
    public static func detect(_ rows: [TableRow], mapping: [String: RosterField?] = [:]) -> RosterLayout? {
        var best: (index: Int, score: Int)?
        for (index, row) in rows.enumerated() {
            let score = row.cells.indices.reduce(0) { count, column in
                RosterField.byHeader[RosterField.normalise(row.text(column))] != nil ? count + 1 : count
            }
            if score >= 2, score > (best?.score ?? 0) { best = (index, score) }
        }
        guard let best else { return nil }
        let row = rows[best.index]
        let width = rows[...best.index].map(\.cells.count).max() ?? 0
        var headers: [String] = []
        for column in 0..<width {
            var header = row.text(column).trimmingCharacters(in: .whitespacesAndNewlines)
            var above = best.index - 1
            while header.isEmpty, above >= 0 {
                header = rows[above].text(column).trimmingCharacters(in: .whitespacesAndNewlines)
                above -= 1
            }
            headers.append(header)
        }
        var seen: Set<RosterField> = []
        let fields: [RosterField?] = headers.map { header in
            let field: RosterField? = mapping[header] ?? RosterField.byHeader[RosterField.normalise(header)]
            guard let field, !seen.contains(field) else { return nil }
            seen.insert(field)
            return field
        }
        return RosterLayout(headerRow: row.number, headers: headers, fields: fields)
    }
}

/// One problem in an import file, at a row and column.
public struct ImportProblem: Sendable, Hashable {
    /// The sheet (file name for CSV).
    public let sheet: String
    /// The row as the user sees it (0 for problems of the whole file).
    public let row: Int
    /// The column header, as in the file.
    public let column: String
    /// The value (ID numbers masked).
    public let value: String
    /// Why.
    public let reason: LocalizedText

    /// Creates a problem.
    public init(sheet: String, row: Int, column: String, value: String, reason: LocalizedText) {
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
    }
}

/// The problem list as xlsx: sheet, row, column, value, reason.
public enum ProblemReport {
    /// Writes the problems to an xlsx file.
    public static func write(_ problems: [ImportProblem], to url: URL) throws {
        let writer = try XLSXWriter(url: url, sheet: "问题清单", numericColumns: [1])
        try writer.append(["工作表", "行", "列", "值", "问题", "Reason"])
        for problem in problems {
            try writer.append([problem.sheet, String(problem.row), problem.column, problem.value, problem.reason.zh, problem.reason.en])
        }
        try writer.finish()
    }
}

/// A roster row read into domain values, with the problems found in it.
struct RosterLine: Sendable {
    let row: Int
    /// Village and number: the household's key.
    var key: String { village + "/" + householdNumber }
    /// The village code: the 村代码 cell, or the village imported into.
    var village: String
    /// The row's cells as text, for the file of rows to fix.
    var cells: [String] = []
    var householdNumber: String
    var person: PersonDraft?
    var relation: Relation?
    var household: [RosterField: String]
    var facts: [RosterField: String]
    var problems: [ImportProblem]
}

/// Reads the values of one row, checking each with the domain's rules.
struct RosterRowReader: Sendable {
    let layout: RosterLayout
    let sheet: String
    /// The village rows without a 村代码 belong to ("" when importing into a township or county).
    let defaultVillage: String
    /// The column of each field, by the field's position in `RosterField.allCases`.
    private let columns: [Int?]
    private static let fieldIndex = Dictionary(uniqueKeysWithValues: RosterField.allCases.enumerated().map { ($1, $0) })

    init(layout: RosterLayout, sheet: String, defaultVillage: String) {
        self.layout = layout
        self.sheet = sheet
        self.defaultVillage = defaultVillage
        columns = RosterField.allCases.map(layout.column(of:))
    }

    /// The header of a field's column as in the file (the field's own title when absent).
    func column(_ field: RosterField) -> String {
        columns[Self.fieldIndex[field]!].map { layout.headers[$0] } ?? field.title.zh
    }

    func read(_ row: TableRow) -> RosterLine {
        var problems: [ImportProblem] = []
        func value(_ field: RosterField) -> String? {
            columns[Self.fieldIndex[field]!].map(row.trimmed)
        }
        func problem(_ field: RosterField, _ value: String, _ reason: LocalizedText) {
            problems.append(ImportProblem(sheet: sheet, row: row.number, column: column(field), value: value, reason: reason))
        }
        let number = value(.householdNumber) ?? ""
        if number.isEmpty {
            problem(.householdNumber, "", LocalizedText(zh: "户编号不能为空", en: "The household number is empty"))
        } else if number.count > 30 {
            problem(.householdNumber, number, LocalizedText(zh: "户编号不超过 30 个字符", en: "At most 30 characters"))
        }
        var residentID: ResidentID?
        let idText = value(.residentID) ?? ""
        if idText.isEmpty {
            problem(.residentID, "", LocalizedText(zh: "身份证号不能为空", en: "The ID number is empty"))
        } else if idText.uppercased().contains("E+") {
            problem(.residentID, idText, LocalizedText(
                zh: "身份证号被 Excel 存成了数字（科学计数法），后几位已经丢失：请把该列设为“文本”格式后重新填写",
                en: "Excel stored the ID number as a number (scientific notation) and lost its last digits: format the column as Text and enter it again"))
        } else if idText.contains("*") {
            problem(.residentID, Self.mask(idText), LocalizedText(
                zh: "身份证号已脱敏（导出时未选完整身份证号），不能据此导入：请由有权查看完整身份证号的人员导出完整号码（记入审计日志）后再导入",
                en: "The ID number is masked (the file was exported without full IDs) and cannot be imported: have someone with the right to full IDs export them (audited), then import that file"))
        } else {
            do { residentID = try ResidentID(validating: idText) } catch {
                problem(.residentID, Self.mask(idText), error.issues.first?.message ?? LocalizedText(zh: "身份证号无效", en: "Invalid ID number"))
            }
        }
        let relationText = value(.relation) ?? ""
        let relation = Self.relation(relationText)
        if relation == nil {
            problem(.relation, relationText, LocalizedText(
                zh: "与户主关系“\(relationText)”无法识别，可填：\(Relation.allCases.map(\.title.zh).joined(separator: "、"))",
                en: "Relation \"\(relationText)\" is not known; use one of: \(Relation.allCases.map(\.title.en).joined(separator: ", "))"))
        }
        var facts: [RosterField: String] = [:]
        for field in [RosterField.name, .ethnicity, .education, .inSchool, .health, .labour, .employment, .monthsWorked,
                      .medicalInsurance, .pensionInsurance, .partyMember, .phone] {
            if let text = value(field) { facts[field] = text }
        }
        var household: [RosterField: String] = [:]
        for field in [RosterField.headName, .size, .group, .naturalVillage, .address, .attribute, .mainCause, .otherCauses] {
            if let text = value(field), !text.isEmpty { household[field] = text }
        }
        var draft = PersonFacts(name: facts[.name] ?? "", ethnicity: "汉族", education: "", health: "健康", labour: "", employment: "",
                                monthsWorked: 0, medicalInsurance: true, pensionInsurance: false, partyMember: false, phone: "")
        if let text = facts[.ethnicity], !text.isEmpty { draft.ethnicity = text }
        if let text = facts[.health], !text.isEmpty { draft.health = text }
        for (field, path) in [(RosterField.education, \PersonFacts.education), (.inSchool, \.inSchool), (.labour, \.labour),
                              (.employment, \.employment), (.phone, \.phone)] {
            if let text = facts[field] { draft[keyPath: path] = text }
        }
        var monthsProblem = false
        if let text = facts[.monthsWorked] {
            if let months = text.isEmpty ? 0 : Int(text) ?? Int(text.replacingOccurrences(of: "个月", with: "").replacingOccurrences(of: "月", with: "")) {
                draft.monthsWorked = months
            } else {
                monthsProblem = true
                problem(.monthsWorked, text, LocalizedText(zh: "务工月数应为 0 到 12 的整数", en: "Months worked must be a whole number 0 to 12"))
            }
        }
        for (field, path) in [(RosterField.medicalInsurance, \PersonFacts.medicalInsurance), (.pensionInsurance, \.pensionInsurance), (.partyMember, \.partyMember)] {
            guard let text = facts[field] else { continue }
            if let flag = Self.flag(text) { draft[keyPath: path] = flag } else {
                problem(field, text, LocalizedText(zh: "应填“是”或“否”", en: "Use 是 (yes) or 否 (no)"))
            }
        }
        for issue in draft.problems() where !(monthsProblem && issue.field == "monthsWorked") {
            let field = RosterField(rawValue: issue.field) ?? .name
            problem(field, facts[field] ?? "", issue.message)
        }
        var person: PersonDraft?
        if let residentID {
            if let sex = value(.sex), !sex.isEmpty, sex != residentID.sex.title.zh, sex.lowercased() != residentID.sex.title.en.lowercased() {
                problem(.sex, sex, LocalizedText(zh: "性别与身份证号不符（身份证号为\(residentID.sex.title.zh)）",
                                                 en: "The sex does not match the ID number (\(residentID.sex.title.en))"))
            }
            if let birth = value(.birthDate), !birth.isEmpty, Self.digits(birth) != Self.digits(residentID.birthDate).prefix(Self.digits(birth).count) || Self.digits(birth).count < 6 {
                problem(.birthDate, birth, LocalizedText(zh: "出生日期与身份证号不符（身份证号为 \(residentID.birthDate)）",
                                                         en: "The birth date does not match the ID number (\(residentID.birthDate))"))
            }
            if residentID.birthDate > Timestamp.today() {
                problem(.residentID, Self.mask(residentID.value), LocalizedText(
                    zh: "身份证号中的出生日期 \(residentID.birthDate) 晚于今天，号码可能有误", en: "The birth date in the ID number, \(residentID.birthDate), is after today: check the number"))
            }
            var made = PersonDraft(name: draft.name, residentID: residentID)
            made.facts = draft
            person = made
        }
        let villageCell = value(.village) ?? ""
        return RosterLine(row: row.number, village: villageCell.isEmpty ? defaultVillage : villageCell, householdNumber: number, person: person, relation: relation,
                          household: household, facts: facts, problems: problems)
    }

    /// Reads the household's fields from its head's row.
    func householdDraft(_ line: RosterLine, village: DivisionCode, problems: inout [ImportProblem]) -> HouseholdDraft {
        func problem(_ field: RosterField, _ value: String, _ reason: LocalizedText) {
            problems.append(ImportProblem(sheet: sheet, row: line.row, column: column(field), value: value, reason: reason))
        }
        var group: Int?
        if let text = line.household[.group] {
            group = Self.groupNumber(text)
            if group == nil { problem(.group, text, LocalizedText(zh: "村民小组应为 1 到 99 的组号", en: "The group must be a number 1 to 99")) }
        }
        var attribute = HouseholdAttribute.ordinary
        if let text = line.household[.attribute] {
            if let parsed = Self.attribute(text) { attribute = parsed } else {
                problem(.attribute, text, LocalizedText(zh: "户属性应为：\(HouseholdAttribute.allCases.map(\.title.zh).joined(separator: "、"))",
                                                        en: "Household type must be one of: \(HouseholdAttribute.allCases.map(\.title.en).joined(separator: ", "))"))
            }
        }
        var mainCause: PovertyCause?
        if let text = line.household[.mainCause] {
            mainCause = Self.cause(text)
            if mainCause == nil { problem(.mainCause, text, Self.unknownCause(text)) }
        }
        var otherCauses: [PovertyCause] = []
        if let text = line.household[.otherCauses] {
            for part in text.split(whereSeparator: { "、,，;；/ ".contains($0) }) {
                if let cause = Self.cause(String(part)) { otherCauses.append(cause) } else { problem(.otherCauses, String(part), Self.unknownCause(String(part))) }
            }
        }
        let draft = HouseholdDraft(number: line.householdNumber, village: village, groupNumber: group, naturalVillage: line.household[.naturalVillage],
                                   address: line.household[.address] ?? "", attribute: attribute, mainCause: mainCause, otherCauses: otherCauses)
        for issue in draft.problems() where issue.field != "number" {
            let field: RosterField = issue.field == "address" ? .address : .otherCauses
            problem(field, line.household[field] ?? "", issue.message)
        }
        return draft
    }

    // MARK: Values

    /// A cell that may hold an ID number, masked as `ResidentID.masked` does: the first six characters only.
    static func mask(_ text: String) -> String {
        text.count > 6 ? String(text.prefix(6)) + String(repeating: "*", count: text.count - 6) : text
    }

    static func digits(_ text: String) -> String { text.filter(\.isASCII).filter(\.isNumber) }

    static func relation(_ text: String) -> Relation? {
        relations[text] ?? relations[text.replacingOccurrences(of: " ", with: "").lowercased()]
    }

    /// Names, English titles and common synonyms of the relations, lower case.
    private static let relations: [String: Relation] = {
        var table: [String: Relation] = [:]
        for relation in Relation.allCases {
            for name in [relation.title.zh, relation.title.en.lowercased(), relation.rawValue] { table[name] = relation }
        }
        let synonyms: [String: Relation] = [
            "本人": .head, "户主本人": .head, "妻": .spouse, "妻子": .spouse, "夫": .spouse, "丈夫": .spouse,
            "儿子": .son, "之子": .son, "长子": .son, "次子": .son, "三子": .son, "独子": .son, "养子": .son, "继子": .son,
            "女儿": .daughter, "之女": .daughter, "长女": .daughter, "次女": .daughter, "三女": .daughter, "独女": .daughter, "养女": .daughter,
            "儿媳妇": .daughterInLaw, "媳妇": .daughterInLaw, "孙子": .grandchild, "孙女": .grandchild, "外孙子": .grandchild,
            "外孙女": .grandchild, "孙子女": .grandchild, "外孙": .grandchild, "父亲": .parent, "母亲": .parent, "父": .parent, "母": .parent,
            "公公": .parent, "婆婆": .parent, "岳父": .parent, "岳母": .parent, "兄": .sibling, "弟": .sibling, "姐": .sibling, "妹": .sibling,
            "哥哥": .sibling, "弟弟": .sibling, "姐姐": .sibling, "妹妹": .sibling, "兄弟": .sibling, "姐妹": .sibling,
        ]
        return table.merging(synonyms) { first, _ in first }
    }()

    static func attribute(_ text: String) -> HouseholdAttribute? {
        attributes[text.lowercased()]
    }

    private static let attributes: [String: HouseholdAttribute] = {
        var table: [String: HouseholdAttribute] = [:]
        for attribute in HouseholdAttribute.allCases {
            for name in [attribute.title.zh, attribute.title.en.lowercased(), attribute.rawValue] { table[name] = attribute }
        }
        let synonyms: [String: HouseholdAttribute] = [
            "一般农户": .ordinary, "一般贫困户": .ordinary, "普通户": .ordinary, "一般": .ordinary,
            "低保": .subsistence, "低保贫困户": .subsistence, "低保户": .subsistence,
            "五保户": .destitute, "五保": .destitute, "特困户": .destitute, "特困供养": .destitute, "五保贫困户": .destitute, "特困供养贫困户": .destitute,
        ]
        return table.merging(synonyms) { first, _ in first }
    }()

    static func cause(_ text: String) -> PovertyCause? {
        let trimmed = (text.hasSuffix("致贫") ? String(text.dropLast(2)) : text).lowercased()
        return causes[trimmed] ?? causes[trimmed.hasPrefix("因") ? String(trimmed.dropFirst()) : trimmed]
    }

    private static let causes: [String: PovertyCause] = {
        var table: [String: PovertyCause] = [
            "病": .illness, "残": .disability, "学": .education, "灾": .disaster, "缺技术": .lackOfSkills, "交通落后": .poorTransport,
            "自身发展动力不足": .lackOfMotivation, "缺劳动力": .lackOfLabour,
        ]
        for cause in PovertyCause.allCases {
            for name in [cause.title.zh, cause.title.en.lowercased(), cause.rawValue] { table[name] = cause }
        }
        return table
    }()

    static func unknownCause(_ text: String) -> LocalizedText {
        LocalizedText(zh: "致贫原因“\(text)”无法识别，可填：\(PovertyCause.allCases.map(\.title.zh).joined(separator: "、"))",
                      en: "Cause \"\(text)\" is not known; use one of: \(PovertyCause.allCases.map(\.title.en).joined(separator: ", "))")
    }

    static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "否", "n", "no", "false", "0", "×", "x", "无", "未参加", "没有", "群众", "非党员": false
        case "是", "y", "yes", "true", "1", "√", "✓", "有", "参加", "已参加", "党员", "中共党员", "预备党员", "中共预备党员": true
        default: nil
        }
    }

    static func groupNumber(_ text: String) -> Int? {
        var core = text
        for affix in ["第", "村民小组", "小组", "组"] { core = core.replacingOccurrences(of: affix, with: "") }
        if let number = Int(core), (1...99).contains(number) { return number }
        let numerals: [Character: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
        if core == "十" { return 10 }
        if core.count == 1, let value = numerals[core.first!] { return value }
        if core.count == 2, core.first == "十", let unit = numerals[core.last!] { return 10 + unit }
        if core.count == 2, core.last == "十", let tens = numerals[core.first!] { return tens * 10 }
        if core.count == 3, Array(core)[1] == "十", let tens = numerals[core.first!], let unit = numerals[core.last!] { return tens * 10 + unit }
        return nil
    }
}
