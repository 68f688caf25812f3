/// A resident identity number (居民身份证号码, GB 11643-1999): 6-digit address code, 8-digit birth
/// date, 3-digit sequence (odd: male, even: female) and a check character. Sensitive: shown
/// masked unless a user with the right asks, and never put in URLs or logs.
public struct ResidentID: Sendable, Hashable, Codable, Comparable {
    /// The 18 normalised characters (digits, with an upper-case `X` as the last one if any).
    public let value: String

    /// Sex, from the sequence digits.
    public enum Sex: String, Sendable, Codable, CaseIterable {
        /// 男.
        case male
        /// 女.
        case female

        /// The sex's name in both languages.
        public var title: LocalizedText {
            self == .male ? LocalizedText(zh: "男", en: "Male") : LocalizedText(zh: "女", en: "Female")
        }
    }

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [UInt8] = Array("10X98765432".utf8)

    /// Normalises (full-width digits, lower-case `x`, spaces and hyphens) and validates; the error
    /// says why the number is refused, in both languages.
    public init(validating text: String) throws(ValidationFailure) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(18)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: bytes.append(UInt8(scalar.value))
            case 0xFF10...0xFF19: bytes.append(UInt8(scalar.value - 0xFF10 + 0x30))  // full-width digits
            case 0x58, 0x78, 0xFF38, 0xFF58: bytes.append(UInt8(ascii: "X"))  // X x Ｘ ｘ
            case 0x20, 0x3000, 0x2D, 0x09: continue  // spaces, ideographic space, hyphens, tabs
            default:
                throw Self.refusal(LocalizedText(
                    zh: "身份证号含有无效字符“\(Character(scalar))”", en: "The ID number contains an invalid character '\(Character(scalar))'"))
            }
        }
        self.value = try Self.validate(bytes)
    }

    /// Validates already-normalised bytes (the import path keeps fields as bytes); returns the text.
    public static func validate(_ bytes: [UInt8]) throws(ValidationFailure) -> String {
        guard bytes.count == 18 else {
            throw refusal(LocalizedText(zh: "身份证号应为 18 位，实际为 \(bytes.count) 位", en: "An ID number has 18 characters; this one has \(bytes.count)"))
        }
        let zero = UInt8(ascii: "0")
        for index in 0..<17 where !(zero...zero + 9).contains(bytes[index]) {
            throw refusal(LocalizedText(zh: "身份证号前 17 位必须是数字", en: "The first 17 characters must be digits"))
        }
        guard (zero...zero + 9).contains(bytes[17]) || bytes[17] == UInt8(ascii: "X") else {
            throw refusal(LocalizedText(zh: "身份证号最后一位必须是数字或 X", en: "The last character must be a digit or X"))
        }
        let province = Int(bytes[0] - zero) * 10 + Int(bytes[1] - zero)
        guard validProvinces.contains(province) else {
            throw refusal(LocalizedText(zh: "地址码 \(province) 不是有效的省级代码", en: "Address code \(province) is not a valid province"))
        }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - zero) } }
        let (year, month, day) = (number(6..<10), number(10..<12), number(12..<14))
        guard (1900...2100).contains(year), (1...12).contains(month), (1...daysIn(month, year)).contains(day) else {
            throw refusal(LocalizedText(zh: "出生日期 \(year)-\(month)-\(day) 不是真实日期", en: "The birth date \(year)-\(month)-\(day) is not a real date"))
        }
        var sum = 0
        for index in 0..<17 { sum += Int(bytes[index] - zero) * weights[index] }
        let expected = checkCharacters[sum % 11]
        guard bytes[17] == expected else {
            throw refusal(LocalizedText(
                zh: "校验位应为 \(Character(UnicodeScalar(expected)))，实际为 \(Character(UnicodeScalar(bytes[17])))，号码可能有误",
                en: "The check character should be \(Character(UnicodeScalar(expected))), not \(Character(UnicodeScalar(bytes[17]))); the number has a typo"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The check character for 17 leading digits (for generating valid numbers).
    public static func checkCharacter(for digits: String) -> Character {
        let values = digits.utf8.map { Int($0) - 48 }
        var sum = 0
        for index in 0..<17 { sum += values[index] * weights[index] }
        return Character(UnicodeScalar(checkCharacters[sum % 11]))
    }

    /// The birth date, `YYYY-MM-DD`.
    public var birthDate: String {
        let characters = Array(value)
        return "\(String(characters[6..<10]))-\(String(characters[10..<12]))-\(String(characters[12..<14]))"
    }

    /// The sex, from the 17th character.
    public var sex: Sex {
        Int(String(Array(value)[16]))! % 2 == 1 ? .male : .female
    }

    /// The number as shown to anyone who has not asked to see it whole: the address code only, `411324************`.
    /// Pages show the birth date and sex beside it; showing the last four as well would leave one number that fits
    /// (the birth date, sequence and check character are all that is hidden), so the sequence and check stay hidden
    /// and about 500 numbers fit what a viewer sees.
    public var masked: String { String(value.prefix(6)) + String(repeating: "*", count: 12) }

    /// The last four characters, which users search by.
    public var lastFour: String { String(value.suffix(4)) }

    /// Orders by the normalised text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    /// Decodes and validates.
    public init(from decoder: any Decoder) throws {
        try self.init(validating: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the normalised text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private static let validProvinces: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
    ]

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func refusal(_ message: LocalizedText) -> ValidationFailure {
        ValidationFailure([FieldIssue(field: "residentID", message: message)])
    }
}
