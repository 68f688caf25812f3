import Foundation

/// A village group (村民小组), numbered within its village.
public struct VillageGroup: Sendable, Hashable, Codable {
    /// The group's number (1 = 一组).
    public var number: Int
    /// The group's name (第一村民小组).
    public var name: String

    /// Creates a group.
    public init(number: Int, name: String) {
        self.number = number
        self.name = name
    }
}

/// An honour or designation a village holds, with the year it was given (0 when undated).
public struct VillageHonour: Sendable, Hashable, Codable {
    /// The year it was awarded.
    public var year: Int
    /// Its title (第二批"国家森林乡村").
    public var title: String

    /// Creates an honour.
    public init(year: Int, title: String) {
        self.year = year
        self.title = title
    }
}

/// The standing facts of a village: land, designations, honours, groups and natural villages.
public struct VillageProfile: Sendable, Hashable, Codable {
    /// Total area in square metres (4.87 km² = 4,870,000).
    public var areaSquareMetres: Int
    /// Farmland (耕地) in hundredths of a mu.
    public var farmlandMuHundredths: Int
    /// Mountain land (山坡) in hundredths of a mu.
    public var mountainLandMuHundredths: Int
    /// Designations such as 河南省定深度贫困村, in the order shown.
    public var designations: [String]
    /// Honours with their year, oldest first.
    public var honours: [VillageHonour]
    /// Village groups (村民小组), by number.
    public var groups: [VillageGroup]
    /// Natural villages (自然村), by name as entered.
    public var naturalVillages: [String]

    /// Creates a profile; call `validated()` before storing it.
    public init(
        areaSquareMetres: Int = 0, farmlandMuHundredths: Int = 0, mountainLandMuHundredths: Int = 0,
        designations: [String] = [], honours: [VillageHonour] = [], groups: [VillageGroup] = [],
        naturalVillages: [String] = []
    ) {
        self.areaSquareMetres = areaSquareMetres
        self.farmlandMuHundredths = farmlandMuHundredths
        self.mountainLandMuHundredths = mountainLandMuHundredths
        self.designations = designations
        self.honours = honours
        self.groups = groups
        self.naturalVillages = naturalVillages
    }

    /// The profile with names trimmed, groups sorted by number and honours by year, or every
    /// problem found: negative or absurd sizes, empty or duplicate names, duplicate group
    /// numbers, years outside 1949–2100.
    public func validated() throws(ValidationFailure) -> VillageProfile {
        var issues: [FieldIssue] = []
        func measure(_ value: Int, _ field: String, max: Int) {
            if value < 0 || value > max {
                issues.append(FieldIssue(field: field, message: LocalizedText(
                    zh: "数值应在 0 到 \(max) 之间", en: "The value must be between 0 and \(max)")))
            }
        }
        // 10,000 km² and 10 M mu are far above any village: larger values are typing mistakes.
        measure(areaSquareMetres, "areaSquareMetres", max: 10_000_000_000)
        measure(farmlandMuHundredths, "farmlandMuHundredths", max: 1_000_000_000)
        measure(mountainLandMuHundredths, "mountainLandMuHundredths", max: 1_000_000_000)

        var copy = self
        copy.designations = designations.map(Self.clean)
        for (index, title) in copy.designations.enumerated() where !Self.isValidName(title, max: 100) {
            issues.append(FieldIssue(field: "designations[\(index)]", message: Self.nameRule(100)))
        }
        copy.honours = honours.map { VillageHonour(year: $0.year, title: Self.clean($0.title)) }
        for (index, honour) in copy.honours.enumerated() {
            if !(1949...2100).contains(honour.year) {
                issues.append(FieldIssue(field: "honours[\(index)].year", message: LocalizedText(
                    zh: "年份应在 1949 到 2100 之间", en: "The year must be between 1949 and 2100")))
            }
            if !Self.isValidName(honour.title, max: 100) {
                issues.append(FieldIssue(field: "honours[\(index)].title", message: Self.nameRule(100)))
            }
        }
        copy.groups = groups.map { VillageGroup(number: $0.number, name: Self.clean($0.name)) }
        var numbers = Set<Int>()
        for (index, group) in copy.groups.enumerated() {
            if !(1...999).contains(group.number) {
                issues.append(FieldIssue(field: "groups[\(index)].number", message: LocalizedText(
                    zh: "组号应在 1 到 999 之间", en: "The group number must be between 1 and 999")))
            } else if !numbers.insert(group.number).inserted {
                issues.append(FieldIssue(field: "groups[\(index)].number", message: LocalizedText(
                    zh: "组号 \(group.number) 重复", en: "Group number \(group.number) appears twice")))
            }
            if !Self.isValidName(group.name, max: 40) {
                issues.append(FieldIssue(field: "groups[\(index)].name", message: Self.nameRule(40)))
            }
        }
        copy.naturalVillages = naturalVillages.map(Self.clean)
        var names = Set<String>()
        for (index, name) in copy.naturalVillages.enumerated() {
            if !Self.isValidName(name, max: 40) {
                issues.append(FieldIssue(field: "naturalVillages[\(index)]", message: Self.nameRule(40)))
            } else if !names.insert(name).inserted {
                issues.append(FieldIssue(field: "naturalVillages[\(index)]", message: LocalizedText(
                    zh: "自然村“\(name)”重复", en: "Natural village \"\(name)\" appears twice")))
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        copy.groups.sort { $0.number < $1.number }
        copy.honours.sort { ($0.year, $0.title) < ($1.year, $1.title) }
        return copy
    }

    private static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isValidName(_ text: String, max: Int) -> Bool {
        !text.isEmpty && text.count <= max && !text.contains(where: \.isNewline)
    }

    private static func nameRule(_ max: Int) -> LocalizedText {
        LocalizedText(zh: "不能为空，且不超过 \(max) 个字", en: "Must be 1 to \(max) characters on one line")
    }
}
