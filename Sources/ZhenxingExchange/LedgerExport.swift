import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The issue ledger (问题台账) as a table: one row per issue with its state, owner, deadline and result.
public enum LedgerExport {
    /// Writes the issues of `division` that pass `filter`, newest first as the ledger page lists them; returns the issues written.
    public static func write(division: DivisionCode, filter: IssueFilter = IssueFilter(), today: String, language: Language,
                             governance: GovernanceRepository, to writer: any TableWriter) async throws -> Int {
        let english = language == .english
        try writer.append(english
            ? ["No.", "Village", "Raised on", "Title", "Raised by", "Household", "Source", "Category", "State", "Owner", "Deadline", "Overdue", "Finished on", "Result"]
            : ["编号", "村代码", "登记日期", "问题", "反映人", "户编号", "来源", "类别", "状态", "责任人", "办结期限", "是否逾期", "办结日期", "办理结果"])
        return try await writer.appendPages(page: { try await governance.issues(in: division, filter: filter, before: $0, limit: $1) },
                                            key: { NewestFirst(date: $0.raisedOn, id: $0.id) }) { row in
            [String(row.id), row.villageCode, row.raisedOn, row.title, row.raisedBy, row.householdNumber ?? "",
             row.source.title.text(language), row.category, row.state.title.text(language), row.owner ?? "", row.deadline ?? "",
             row.isOverdue(on: today) ? (english ? "yes" : "是") : "", row.finishedOn ?? "", row.result ?? ""]
        }
    }
}
