import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The division tree browser: provinces, then each division with the ones below it.
struct DivisionPages: Sendable {
    let divisions: DivisionRepository
    let renderer: PageRenderer

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/", .anyone) { _, context in
            Response(status: .seeOther, headers: [.location: context.identity == nil ? "/signin" : "/divisions"])
        }
        routes.add(.get, "/divisions", .ownDivision(.readRecords), use: root)
        routes.add(.get, "/divisions/:code", .pathDivision(.readRecords), use: show)
    }

    struct Row {
        let code: String
        let name: String
        let level: String
        let childCount: String
        let href: String
    }

    struct ListBody {
        let heading: String
        let intro: String?
        let rows: [Row]
        let isEmpty: Bool
        let emptyText: String
        let profileHref: String?
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let home = context.identity?.division {
            return Response(status: .seeOther, headers: [.location: "/divisions/\(home)"])
        }
        let language = context.language
        let rows = try await divisions.children(of: nil).map { Self.row($0, language) }
        let body = ListBody(
            heading: Strings.text("divisions_title", language), intro: Strings.text("divisions_intro", language),
            rows: rows, isEmpty: rows.isEmpty, emptyText: Strings.text("no_divisions", language), profileHref: nil)
        return try renderer.page(
            "divisions", title: body.heading, crumbs: [Crumb(name: Strings.text("nav_divisions", language), href: nil)],
            body: body, request: request, context: context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let code = try Self.code(context)
        let chain = try await divisions.chain(code)
        guard let division = chain.last, division.code == code else {
            throw AppError.notFound(LocalizedText(zh: "区划 \(code) 不存在", en: "Division \(code) does not exist"))
        }
        let rows = try await divisions.children(of: code).map { Self.row($0, language) }
        let body = ListBody(
            heading: "\(division.name)（\(division.level.title.text(language))）", intro: nil, rows: rows,
            isEmpty: rows.isEmpty, emptyText: Strings.text("no_children", language),
            profileHref: division.level == .village ? "/villages/\(code)/profile" : nil)
        return try renderer.page(
            "divisions", title: division.name, crumbs: Self.crumbs(chain, context: context, linkLast: false),
            body: body, request: request, context: context)
    }

    /// The breadcrumb for a chain of divisions, starting at the division browser.
    /// Divisions the user cannot read are named but not linked.
    static func crumbs(_ chain: [Division], context: AppRequestContext, linkLast: Bool) -> [Crumb] {
        let readable = { (code: DivisionCode) in context.identity?.can(.readRecords, in: code) == true }
        return [Crumb(name: Strings.text("nav_divisions", context.language), href: "/divisions")]
            + chain.enumerated().map { index, division in
                let linked = (index < chain.count - 1 || linkLast) && readable(division.code)
                return Crumb(name: division.name, href: linked ? "/divisions/\(division.code)" : nil)
            }
    }

    /// The `:code` path parameter, validated.
    static func code(_ context: AppRequestContext) throws -> DivisionCode {
        let text = context.parameters.get("code") ?? ""
        do {
            return try DivisionCode(validating: text)
        } catch {
            throw AppError(.badRequest, error.issues.first?.message ?? LocalizedText(zh: "区划代码无效", en: "Invalid division code"))
        }
    }

    private static func row(_ summary: DivisionSummary, _ language: Language) -> Row {
        Row(
            code: summary.division.code.rawValue, name: summary.division.name,
            level: summary.division.level.title.text(language), childCount: FixedPoint.group(String(summary.childCount)),
            href: "/divisions/\(summary.division.code)")
    }
}
