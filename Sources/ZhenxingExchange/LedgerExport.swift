import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The issue ledger (问题台账) as a table: one row per issue with its state, owner, deadline and result.
public enum LedgerExport {
    /// Writes the ledger of `division`; returns the issues written.
    public static func write(division: DivisionCode, today: String, language: Language, governance: GovernanceRepository,
                             to writer: any TableWriter) async throws -> Int {
        let english = language == .english
        try writer.append(english
            ? ["No.", "Village", "Raised on", "Title", "Raised by", "Household", "Source", "Category", "State", "Owner", "Deadline", "Overdue", "Finished on", "Result"]
            : ["编号", "村代码", "登记日期", "问题", "反映人", "户编号", "来源", "类别", "状态", "责任人", "办结期限", "是否逾期", "办结日期", "办理结果"])
        let rows = try await governance.issues(in: division, limit: 1_000_000)
        for row in rows {
            try writer.append([
                String(row.id), row.villageCode, row.raisedOn, row.title, row.raisedBy, row.householdNumber ?? "",
                IssueSource(rawValue: row.source)?.title.text(language) ?? row.source, row.category,
                IssueState(rawValue: row.state)?.title.text(language) ?? row.state, row.owner ?? "", row.deadline ?? "",
                row.isOverdue(on: today) ? (english ? "yes" : "是") : "", row.finishedOn ?? "", row.result ?? "",
            ])
        }
        try writer.finish()
        return rows.count
    }
}
