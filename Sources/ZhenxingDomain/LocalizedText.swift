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

    /// The field should hold a real day written `YYYY-MM-DD`.
    /// The years records and figures are kept for.
    public static let years = 2000...2100

    /// A year outside `years`.
    public static func yearOutOfRange(_ field: String = "year") -> FieldIssue {
        FieldIssue(field: field, message: LocalizedText(zh: "年份应在 2000 到 2100 之间", en: "The year must be 2000 to 2100"))
    }

    public static func notADay(_ field: String) -> FieldIssue {
        FieldIssue(field: field, message: LocalizedText(zh: "请填写日期（YYYY-MM-DD）", en: "Enter a date (YYYY-MM-DD)"))
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
