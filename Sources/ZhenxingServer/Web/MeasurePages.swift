import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// The measures of a year's plans in a division, by category, with their totals and their export.
struct MeasurePages: Sendable {
    let plans: PlanRepository
    let figures: FiguresQuery
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    /// Rows shown on the page; the export has them all.
    static let shown = 500

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/measures", .pathDivision(.readRecords), use: list)
        routes.add(.get, "/divisions/:code/measures/export", .pathDivision(.readRecords), use: export)
    }

    struct TotalLine: Sendable, Encodable {
        let href: String
        let category: String
        let count: Int
        let amount: String
        let selected: Bool
    }

    struct MeasureLine: Sendable, Encodable {
        let householdHref: String
        let household: String
        let head: String
        let category: String
        let content: String
        let amount: String
        let funding: String
        let period: String
        let status: String
        let statusKey: String
    }

    struct ListBody: Sendable, Encodable {
        let heading: String
        let action: String
        let year: Int
        let categories: [FormModel.Option]
        let totals: [TotalLine]
        let rows: [MeasureLine]
        let isEmpty: Bool
        let more: String?
        let exportQuery: String
        let exportHref: String
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let (year, category) = try filters(request)
        let figures = try await self.figures.document(code, year: year).assistance
        let rows = try await plans.measures(in: code, year: year, category: category, limit: Self.shown + 1)
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        let base = "/divisions/\(code)/measures?year=\(year)"
        let query = "year=\(year)" + (category.map { "&category=\($0.rawValue)" } ?? "")
        let body = ListBody(
            heading: "\(chain.last?.name ?? "") · \(Strings.text("measures_by_category", language))", action: "/divisions/\(code)/measures", year: year,
            categories: MeasureCategory.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == category) },
            totals: MeasureCategory.allCases.compactMap { item in
                figures.measures[item.rawValue].map {
                    TotalLine(href: "\(base)&category=\(item.rawValue)", category: item.title.text(language), count: $0.count, amount: yuan($0.amountFen),
                              selected: item == category)
                }
            },
            rows: rows.prefix(Self.shown).map { row in
                MeasureLine(householdHref: "/households/\(row.householdId)", household: row.householdNumber, head: row.headName ?? "—",
                            category: MeasureCategory(rawValue: row.measure.category)?.title.text(language) ?? row.measure.category,
                            content: row.measure.content, amount: yuan(row.measure.amountFen), funding: row.measure.funding,
                            period: "\(row.measure.startOn) — \(row.measure.endOn)",
                            status: MeasureStatus(rawValue: row.measure.status)?.title.text(language) ?? row.measure.status, statusKey: row.measure.status)
            },
            isEmpty: rows.isEmpty,
            more: rows.count > Self.shown
                ? LocalizedText(zh: "只显示前 \(Self.shown) 项，导出文件包含全部。", en: "Only the first \(Self.shown) are shown; the export has them all.").text(language) : nil,
            exportQuery: query, exportHref: "/divisions/\(code)/measures/export")
        return try renderer.page("measures", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: Strings.text("measures_by_category", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    /// The list as xlsx or CSV with the page's filters.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let (year, category) = try filters(request)
        let suffix = category.map { "-" + $0.title.zh } ?? ""
        return try await TableExport(settings: settings, audit: AuditLog(database: plans.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年帮扶措施\(suffix)", sheet: "帮扶措施", entity: .measures) {
            try await MeasureExport.write(division: code, year: year, category: category, language: context.language, plans: plans, to: $0)
        }
    }

    private func filters(_ request: Request) throws -> (Int, MeasureCategory?) {
        return (try request.year(or: settings.thisYear), try request.query("category").map { try MeasureCategory.named($0, field: "category") })
    }
}
