import Foundation

/// The level of an administrative division in the 12-digit statistical code scheme.
public enum DivisionLevel: String, Sendable, CaseIterable, Codable, Comparable {
    /// 省 — digits 1–2.
    case province
    /// 市 — digits 3–4.
    case city
    /// 县 — digits 5–6.
    case county
    /// 乡镇 — digits 7–9.
    case township
    /// 村 — digits 10–12.
    case village

    /// Position from the top (province 0 … village 4).
    public var depth: Int { Self.allCases.firstIndex(of: self)! }

    /// The level's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .province: LocalizedText(zh: "省", en: "Province")
        case .city: LocalizedText(zh: "市", en: "City")
        case .county: LocalizedText(zh: "县", en: "County")
        case .township: LocalizedText(zh: "乡镇", en: "Township")
        case .village: LocalizedText(zh: "村", en: "Village")
        }
    }

    /// Orders levels from province down to village.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.depth < rhs.depth }

    /// The index one past the last digit this level owns: the length of its codes' prefix.
    public var segmentEnd: Int { [2, 4, 6, 9, 12][depth] }
}

/// A 12-digit statistical division code (统计用区划代码): 2 province + 2 city + 2 county +
/// 3 township + 3 village digits. Its level and parent are derived from the digits.
public struct DivisionCode: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The twelve digits.
    public let rawValue: String
    /// The level the digits describe: the last non-zero segment.
    public let level: DivisionLevel

    /// Validates a code; the error says why it is refused, in both languages.
    public init(validating text: String) throws(ValidationFailure) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = Array(trimmed.utf8)
        guard digits.count == 12 else {
            throw Self.refusal(LocalizedText(
                zh: "区划代码应为 12 位数字，实际为 \(trimmed.count) 位",
                en: "A division code has 12 digits; this one has \(trimmed.count)"))
        }
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw Self.refusal(LocalizedText(
                zh: "区划代码只能包含数字 0–9", en: "A division code may contain only the digits 0–9"))
        }
        var level: DivisionLevel?
        var start = 0
        for candidate in DivisionLevel.allCases {
            let segment = digits[start..<candidate.segmentEnd]
            let isZero = segment.allSatisfy { $0 == UInt8(ascii: "0") }
            if isZero {
                if level == nil && candidate == .province {
                    throw Self.refusal(LocalizedText(
                        zh: "省级代码（前两位）不能为 00", en: "The province digits (1–2) cannot be 00"))
                }
            } else {
                if let found = level, found.depth != candidate.depth - 1 {
                    throw Self.refusal(LocalizedText(
                        zh: "代码中\(candidate.title.zh)级数字非零，但上一级数字为零",
                        en: "The \(candidate.title.en.lowercased()) digits are set but a level above them is zero"))
                }
                level = candidate
            }
            start = candidate.segmentEnd
        }
        self.rawValue = trimmed
        self.level = level!
    }

    /// The code of the division directly above, or nil for a province.
    public var parent: DivisionCode? {
        guard level != .province else { return nil }
        let keep = [DivisionLevel.province, .city, .county, .township][level.depth - 1].segmentEnd
        let text = String(rawValue.prefix(keep)) + String(repeating: "0", count: 12 - keep)
        // A parent of a valid code is itself valid; skipped levels (a county directly under a
        // province) are not part of the statistical scheme, so the parent is always one level up.
        return try! DivisionCode(validating: text)
    }

    /// Every code from the province down to this one.
    public var chain: [DivisionCode] {
        var codes = [self]
        while let up = codes.last!.parent { codes.append(up) }
        return codes.reversed()
    }

    /// The digit prefix shared by this division and everything below it (`411324` for a county).
    public var prefix: String { String(rawValue.prefix(level.segmentEnd)) }

    /// True when `other` is this division or lies below it.
    public func contains(_ other: DivisionCode) -> Bool { other.rawValue.hasPrefix(prefix) }

    /// The twelve digits.
    public var description: String { rawValue }

    /// Orders codes by their digits, which groups every division with its parents.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes and validates a code from a string.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(validating: text)
    }

    /// Encodes the twelve digits as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    private static func refusal(_ message: LocalizedText) -> ValidationFailure {
        ValidationFailure([FieldIssue(field: "code", message: message)])
    }
}

/// A province, city, county, township or village.
public struct Division: Sendable, Hashable, Codable {
    /// Its statistical code.
    public let code: DivisionCode
    /// Its official name (镇平县).
    public var name: String

    /// Its level, from the code.
    public var level: DivisionLevel { code.level }
    /// The division directly above, from the code.
    public var parentCode: DivisionCode? { code.parent }

    /// Creates a division; the name must be non-empty and at most 60 characters.
    public init(code: DivisionCode, name: String) throws(ValidationFailure) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 60 else {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(
                zh: "名称不能为空，且不超过 60 个字", en: "The name must be 1 to 60 characters"))])
        }
        self.code = code
        self.name = trimmed
    }
}
