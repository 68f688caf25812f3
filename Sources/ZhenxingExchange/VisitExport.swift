import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The visits (走访) of a year as a table, read and written page by page.
public enum VisitExport {
    /// Writes the visits of `division` in `year`; returns the rows written.
    public static func write(division: DivisionCode, year: Int, today: String, language: Language, visits: VisitRepository,
                             to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Date", "Household", "Visitor", "Seen", "Promised", "Follow up by", "Followed up on", "Follow-up"]
            : ["走访日期", "户编号", "走访人", "走访所见", "承诺事项", "回访日期", "已回访日期", "回访情况"])
        return try await writer.appendPages(page: { try await visits.visits(in: division, year: year, after: $0, limit: $1) }, key: \.id) { visit in
            [visit.visitedOn, visit.householdNumber, visit.visitor, visit.seen, visit.promised, visit.followUpOn ?? "", visit.followedUpOn ?? "",
             visit.followUp(on: today)?.title.text(language) ?? ""]
        }
    }
}
