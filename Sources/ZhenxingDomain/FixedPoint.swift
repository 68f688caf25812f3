/// Exact decimal text ↔ integer conversion for stored units (fen, 0.01 mu, square metres):
/// no floating point between what a user types and what is stored.
public enum FixedPoint {
    /// Parses `"4.87"` with `scale` 6 into 4,870,000; accepts an optional leading minus, digit
    /// group commas and at most `scale` decimals. Nil for anything else.
    public static func parse(_ text: String, scale: Int) -> Int? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces)).filter { $0 != "," && $0 != "，" }[...]
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= scale, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        let padded = String(fraction) + String(repeating: "0", count: scale - fraction.count)
        guard parts[0].count + scale <= 18, let value = Int(String(parts[0]) + padded) else { return nil }
        return negative ? -value : value
    }

    /// Formats 4,870,000 with `scale` 6 as `"4.87"`: trailing zeros dropped down to `minimumFractionDigits`,
    /// thousands grouped with commas when `grouped`.
    public static func format(_ value: Int, scale: Int, minimumFractionDigits: Int = 0, grouped: Bool = true) -> String {
        var divisor = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt(divisor)
        var fraction = String(magnitude % UInt(divisor))
        fraction = String(repeating: "0", count: scale - fraction.count) + fraction
        while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction.removeLast() }
        let wholeText = grouped ? group(String(whole)) : String(whole)
        return (value < 0 ? "-" : "") + wholeText + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// `1234567` → `1,234,567`.
    public static func group(_ digits: String) -> String {
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
