import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The monitoring ledger (防返贫监测台账) of a year as a table: each warning opened in the year with what raised it,
/// where its procedure stands, the entry decision and the clearance; read and written page by page. No ID number.
public enum MonitoringExport {
    /// Writes the warnings of `division` opened in `year`, overdue as of `today`; returns the rows written.
    public static func write(division: DivisionCode, year: Int, today: String, language: Language, monitoring: MonitoringRepository,
                             to writer: any TableWriter) async throws -> Int {
        let categories = try await monitoring.categories(for: division, year: year)
        let riskTypes = try await monitoring.riskTypes(for: division, year: year)
        let separator = language == .english ? ", " : "、"
        /// The names once each, in the order first given.
        func list(_ names: [String]) -> String {
            var seen = Set<String>()
            return names.filter { seen.insert($0).inserted }.joined(separator: separator)
        }
        let named = { (codes: [String]) in list(codes.map { riskTypes[$0]?.text(language) ?? $0 }) }
        try writer.append(language == .english
            ? ["Village", "Household", "Warning opened", "Found by", "Risk types found", "What was found", "Procedure under way", "Next step", "Due",
               "Overdue", "Entry decided", "Decision", "Category", "Risk types decided", "Clearance decided", "Clearance"]
            : ["村代码", "户编号", "预警日期", "发现途径", "预警风险类型", "预警情况", "进行中的程序", "下一环节", "期限",
               "是否逾期", "认定日期", "认定结果", "监测类别", "认定风险类型", "风险消除日期", "风险消除结果"])
        return try await writer.appendPages(page: { try await monitoring.warnings(in: division, year: year, after: $0, limit: $1) }, key: \.id) { warning in
            let pending = warning.pending, decision = warning.entry.decision, clearance = warning.clearance?.decision
            let yes = language == .english ? "yes" : "是"
            return [
                warning.villageCode.rawValue, warning.householdNumber, warning.openedOn,
                list(warning.signals.map { $0.source.title.text(language) }),
                named(warning.signals.map(\.riskType)),
                warning.signals.map { "\($0.foundOn) \($0.explanation.text(language))" }.joined(separator: "\n"),
                pending?.procedure.title.text(language) ?? "", pending.flatMap { progress in progress.next.map { $0.title(in: progress.procedure).text(language) } } ?? "",
                pending?.nextDue ?? "", pending?.isOverdue(today: today) == true ? yes : "",
                decision?.day ?? "", decision?.result?.title.text(language) ?? "",
                decision?.category.map { categories[$0]?.text(language) ?? $0 } ?? "", named(decision?.riskTypes ?? []),
                clearance?.day ?? "", clearance?.result?.title.text(language) ?? "",
            ]
        }
    }
}
