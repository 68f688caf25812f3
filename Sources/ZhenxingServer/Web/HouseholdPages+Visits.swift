import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// The visits of a division in a year, with each promise's follow-up, and their export.
extension HouseholdPages {
    /// Visits shown on the page; the export has them all.
    static let visitsShown = 500

    struct VisitListBody: Sendable, Encodable {
        let heading: String
        let action: String
        let year: Int
        let visits: [VisitLine]
        let showHousehold = true
        let more: String?
        let exportHref: String
    }

    @Sendable func visitList(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        let found = try await visits.visits(in: code, year: year, limit: Self.visitsShown + 1)
        let body = VisitListBody(
            heading: "\(chain.last?.name ?? "") · \(year) \(Strings.text("visits", language))", action: "/divisions/\(code)/visits", year: year,
            visits: try await VisitLine.lines(Array(found.prefix(Self.visitsShown)), from: visits, today: settings.today, canWrite: false, language: language),
            more: found.count > Self.visitsShown
                ? LocalizedText(zh: "只显示前 \(Self.visitsShown) 次，导出文件包含全部。", en: "Only the first \(Self.visitsShown) are shown; the export has them all.").text(language)
                : nil,
            exportHref: "/divisions/\(code)/visits/export?year=\(year)")
        return try renderer.page("visits", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("visits", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    /// The year's visits as xlsx or CSV.
    @Sendable func exportVisits(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        return try await TableExport(settings: settings, audit: audit).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年走访记录", sheet: "走访记录", entity: .visits) {
            try await VisitExport.write(division: code, year: year, today: settings.today, language: context.language, visits: visits, to: $0)
        }
    }
}
