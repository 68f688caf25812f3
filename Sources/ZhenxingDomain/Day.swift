/// Calendar days as records write them, `YYYY-MM-DD`: sortable as text, the same on both engines.
public enum Day {
    /// Whether text is a real calendar day written `YYYY-MM-DD` from 1900 to 2100 (no record is older or later:
    /// year 0001 is a typing mistake, not a date).
    public static func isValid(_ text: String) -> Bool {
        // Parsed by hand: the ISO 8601 parser rolls 2018-02-30 over to March instead of refusing it.
        guard let match = text.wholeMatch(of: #/(\d{4})-(\d{2})-(\d{2})/#), let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
              (1900...2100).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}

extension Day {
    /// The day's number counted from 1970-01-01 (day 0), nil when text is not a valid day; days apart subtract.
    public static func number(_ text: String) -> Int? {
        guard isValid(text) else { return nil }
        let parts = text.split(separator: "-").map { Int($0)! }
        // Days from the civil calendar (H. Hinnant's algorithm): years start in March so the leap day comes last.
        let year = parts[1] <= 2 ? parts[0] - 1 : parts[0], month = parts[1], day = parts[2]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day numbered `number` (as `number(_:)` counts), written `YYYY-MM-DD` (H. Hinnant's civil-from-days).
    public static func text(_ number: Int) -> String {
        let shifted = number + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))"
    }

    /// The weekday of the day numbered `number`: 1 Monday … 7 Sunday.
    public static func weekday(_ number: Int) -> Int {
        // 1970-01-01 was a Thursday
        ((number % 7 + 7) % 7 + 3) % 7 + 1
    }
}
