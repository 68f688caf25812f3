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
