import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The measures of a year's plans (一户一策) as a table, by category: read and written page by page, so memory stays
/// flat whatever the row count.
public enum MeasureExport {
    /// Writes the measures of `division` in `year` (of one category when given); returns the rows written.
    public static func write(division: DivisionCode, year: Int, category: MeasureCategory?, language: Language, plans: PlanRepository,
                             to writer: any TableWriter) async throws -> Int {
        try writer.append(language == .english
            ? ["Village", "Household", "Head", "Year", "Version", "Category", "Measure", "Amount (yuan)", "Funding", "Start", "End", "Status", "Result"]
            : ["村代码", "户编号", "户主", "年度", "版本", "类别", "措施内容", "金额（元）", "资金来源", "开始日期", "结束日期", "状态", "结果"])
        return try await writer.appendPages(page: { try await plans.measures(in: division, year: year, category: category, after: $0, limit: $1) },
                                            key: \.measure.id) { row in
            let measure = row.measure
            return [
                row.villageCode, row.householdNumber, row.headName ?? "", String(row.year), String(row.version),
                MeasureCategory(rawValue: measure.category)?.title.text(language) ?? measure.category, measure.content,
                FixedPoint.format(measure.amountFen, scale: 2, minimumFractionDigits: 2, grouped: false), measure.funding, measure.startOn, measure.endOn,
                MeasureStatus(rawValue: measure.status)?.title.text(language) ?? measure.status, measure.result,
            ]
        }
    }
}
