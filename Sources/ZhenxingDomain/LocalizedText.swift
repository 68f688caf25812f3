/// A message in both languages the product speaks: Simplified Chinese first, English second.
public struct LocalizedText: Sendable, Hashable, Codable {
    /// The Simplified Chinese text.
    public let zh: String
    /// The English text.
    public let en: String

    /// Creates a message from its two translations.
    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The text in the given language.
    public func text(_ language: Language) -> String {
        language == .english ? en : zh
    }
}

/// The languages of the user interface.
public enum Language: String, Sendable, CaseIterable, Codable {
    /// Simplified Chinese, the default.
    case chinese = "zh-Hans"
    /// English.
    case english = "en"

    /// Reads a language tag such as `en`, `en-US`, `zh`, `zh-Hans-CN`; nil when it is neither.
    public init?(tag: String) {
        let lower = tag.lowercased()
        if lower.hasPrefix("en") {
            self = .english
        } else if lower.hasPrefix("zh") {
            self = .chinese
        } else {
            return nil
        }
    }
}

/// One reason a value was refused, tied to the field it came from.
public struct FieldIssue: Sendable, Hashable {
    /// The field's name as forms and API bodies spell it (`areaSquareMetres`, `groups[2].name`).
    public let field: String
    /// Why the value was refused, in both languages.
    public let message: LocalizedText

    /// Creates an issue for a field.
    public init(field: String, message: LocalizedText) {
        self.field = field
        self.message = message
    }

    /// Every amount of money a field accepts, in fen: 0 to 1,000,000,000.00 yuan (10 亿元). Far above any
    /// household, project or village, and small enough that sums of 90 million of them fit in 64 bits, so no
    /// total over stored amounts can overflow.
    public static let money = 0...100_000_000_000

    /// A problem when `fen` lies outside `money`; nil when it is fine. `positive` also refuses 0.
    public static func money(_ fen: Int, field: String, positive: Bool = false) -> FieldIssue? {
        guard !money.contains(fen) || (positive && fen == 0) else { return nil }
        return FieldIssue(field: field, message: positive
            ? LocalizedText(zh: "金额应大于 0 元，且不超过 1,000,000,000.00 元", en: "The amount must be above 0 and at most 1,000,000,000.00 yuan")
            : LocalizedText(zh: "金额应在 0 到 1,000,000,000.00 元之间", en: "The amount must be 0 to 1,000,000,000.00 yuan"))
    }

    /// A problem when `value` lies outside `range` (a count, an area, a number of people); nil when it is fine.
    public static func number(_ value: Int, field: String, in range: ClosedRange<Int>) -> FieldIssue? {
        guard !range.contains(value) else { return nil }
        let low = FixedPoint.group(String(range.lowerBound)), high = FixedPoint.group(String(range.upperBound))
        return FieldIssue(field: field, message: LocalizedText(zh: "数值应在 \(low) 到 \(high) 之间", en: "The value must be \(low) to \(high)"))
    }

    /// A problem when `text` holds a control, zero-width or direction-changing character (U+200B, U+202E …): they
    /// make one name look like another, or reorder what is shown around it. Nil when it is clean.
    public static func invisibleCharacters(in text: String, field: String) -> FieldIssue? {
        let hidden = text.unicodeScalars.first { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate: true
            default: false
            }
        }
        guard let hidden else { return nil }
        let code = "U+" + String(hidden.value, radix: 16, uppercase: true)
        return FieldIssue(field: field, message: LocalizedText(
            zh: "含有不可见或控制字符（\(code)），请删除后重新输入", en: "Contains an invisible or control character (\(code)); remove it and type again"))
    }

    /// The years records and figures are kept for.
    public static let years = 2000...2100

    /// A year outside `years`.
    public static func yearOutOfRange(_ field: String = "year") -> FieldIssue {
        FieldIssue(field: field, message: LocalizedText(zh: "年份应在 2000 到 2100 之间", en: "The year must be 2000 to 2100"))
    }

    /// The field should hold a real day written `YYYY-MM-DD`, between 1900 and 2100.
    public static func notADay(_ field: String) -> FieldIssue {
        FieldIssue(field: field, message: LocalizedText(zh: "请填写 1900 到 2100 年之间的日期（YYYY-MM-DD）", en: "Enter a date from 1900 to 2100 (YYYY-MM-DD)"))
    }
}

/// A set of field issues raised together, so a form can show every problem at once.
public struct ValidationFailure: Error, Sendable, Hashable {
    /// Every problem found, in the order the fields were checked.
    public let issues: [FieldIssue]

    /// Creates a failure from its issues.
    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    /// Every message in one line, for a page that shows them together.
    public func text(_ language: Language) -> String {
        issues.map { $0.message.text(language) }.joined(separator: language == .english ? "; " : "；")
    }
}

extension RawRepresentable where Self: CaseIterable, RawValue == String {
    /// The case whose raw value is `text`; otherwise a failure on `field` listing the values allowed.
    public static func named(_ text: String, field: String) throws -> Self {
        guard let found = Self(rawValue: text) else {
            let allowed = allCases.map(\.rawValue)
            throw ValidationFailure([FieldIssue(field: field, message: LocalizedText(
                zh: "“\(text)”不是可选的值：\(allowed.joined(separator: "、"))", en: "\(text) is not one of: \(allowed.joined(separator: ", "))"))])
        }
        return found
    }
}
