import Foundation
import PropertyBased
import Testing
import ZhenxingDomain

// `Day.isValid` against Foundation's Gregorian calendar: exactly the real days from 1900 to 2100
// written `YYYY-MM-DD` are accepted. No database is involved.

/// Whether year-month-day is a real day, by Foundation's Gregorian calendar: the components survive a
/// round trip through a date unchanged (2018-02-30 comes back as March 2nd, month 13 as January).
private func isCalendarDay(year: Int, month: Int, day: Int) -> Bool {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return false }
    let back = calendar.dateComponents([.year, .month, .day], from: date)
    return back.year == year && back.month == month && back.day == day
}

private func dayText(_ year: Int, _ month: Int, _ day: Int) -> String {
    String(format: "%04d-%02d-%02d", year, month, day)
}

@Suite struct DayPropertyTests {
    @Test func acceptsExactlyTheRealDaysFrom1900To2100() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 1890...2110), Gen.int(in: 0...13), Gen.int(in: 0...32)) { year, month, day in
            let text = dayText(year, month, day)
            #expect(Day.isValid(text) == ((1900...2100).contains(year) && isCalendarDay(year: year, month: month, day: day)), "\(text)")
        }
    }

    @Test func monthEndsAndImpossibleMonthsInEveryYear() async {
        // The days a leap-year rule or a month table gets wrong, in any year (1900 and 2100 are not leap years, 2000 is).
        let edges = [(2, 28), (2, 29), (2, 30), (2, 31), (13, 1), (0, 1), (1, 0), (1, 31), (1, 32), (4, 30), (4, 31), (6, 31), (9, 31),
                     (11, 31), (12, 31), (12, 32), (99, 99)]
        await propertyCheck(
            count: 2000, input: Gen<Int>.oneOf(Gen.int(in: 1899...2101), Gen<Int?>.element(of: [1900, 2000, 2100, 1904, 2096, 0, 9999]).map { $0! }),
            Gen<(Int, Int)?>.element(of: edges).map { $0! }
        ) { year, edge in
            let text = dayText(year, edge.0, edge.1)
            #expect(Day.isValid(text) == ((1900...2100).contains(year) && isCalendarDay(year: year, month: edge.0, day: edge.1)), "\(text)")
        }
    }

    @Test func otherShapesAreRefusedAndNothingTraps() async {
        // Near-dates: unpadded parts, other separators, full-width and Arabic-Indic digits, signs, trailing text.
        let pieces = Array("0123456789").map(String.init) + ["2024", "02", "29", "-", "-", "/", " ", "０", "٢", "+", "T", "\n", "2024-02-29"]
        let text = Gen<String?>.element(of: pieces).map { $0! }.array(of: 0...8).map { $0.joined() }
        await propertyCheck(count: 3000, input: text) { text in
            let ascii = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
                [4, 7].contains(index) ? byte == UInt8(ascii: "-") : (48...57).contains(byte)
            }
            var expected = false
            if ascii {
                let parts = text.split(separator: "-").map { Int($0)! }
                expected = (1900...2100).contains(parts[0]) && isCalendarDay(year: parts[0], month: parts[1], day: parts[2])
            }
            #expect(Day.isValid(text) == expected, "\(text.debugDescription)")
        }
    }
}
