import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The division tree browser: provinces, then each division with the ones below it.
struct DivisionPages: Sendable {
    let divisions: DivisionRepository
    let renderer: PageRenderer

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/divisions"]) }
        router.get("/divisions", use: root)
        router.get("/divisions/:code", use: show)
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
            "divisions", title: division.name, crumbs: Self.crumbs(chain, language: language, linkLast: false),
            body: body, request: request, context: context)
    }

    /// The breadcrumb for a chain of divisions, starting at the division browser.
    static func crumbs(_ chain: [Division], language: Language, linkLast: Bool) -> [Crumb] {
        [Crumb(name: Strings.text("nav_divisions", language), href: "/divisions")]
            + chain.enumerated().map { index, division in
                Crumb(name: division.name, href: index < chain.count - 1 || linkLast ? "/divisions/\(division.code)" : nil)
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
