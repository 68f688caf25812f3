import Foundation
import Hummingbird
import ZhenxingDomain

/// One link of the breadcrumb trail.
struct Crumb: Sendable, Encodable {
    let name: String
    let href: String?
}

/// What the last step ended or removed, said on the next page with the form that undoes it: "已将 0001 移出第一网格。撤销"
/// (template `undo-notice`). The form posts `field=value` when the undo needs one.
struct UndoNotice: Sendable, Encodable {
    let text: String
    let undoAction: String?
    var field: String? = nil
    var value: String? = nil
}

/// A line of the header printed on paper only (template `print-head`): where the record lives, whose it is, the day it was printed.
struct PrintLine: Sendable, Encodable {
    let item: String
    let finding: String

    /// The place (county, township, village of `chain`), the `extra` lines, then the print date.
    static func head(_ chain: [Division], today: String, extra: [PrintLine] = [], language: Language) -> [PrintLine] {
        [PrintLine(item: Strings.text("print_place", language), finding: chain.dropFirst(2).map(\.name).joined(separator: " "))] + extra
            + [PrintLine(item: Strings.text("print_date", language), finding: today)]
    }
}

/// The signed-in user as the header shows them.
struct UserBadge: Sendable, Encodable {
    /// The account's id: the records a phone keeps offline are sent only in the session of the user who made them.
    let id: Int
    let name: String
    let role: String
}

/// One entry of the main navigation.
struct NavLink: Sendable, Encodable {
    let href: String
    let label: String
}

/// What every page's layout reads beside the words of the language (`t`); the page's own data sits in `body`.
struct PageModel<Body: Encodable>: Encodable {
    let csrf: String
    let user: UserBadge?
    let nav: [NavLink]
    let lang: String
    let title: String
    let crumbs: [Crumb]
    let switchHref: String
    let body: Body
}

/// Renders mustache templates, loaded once at start-up (a broken template stops the start).
struct PageRenderer: Sendable {
    private let library: TemplateLibrary

    /// Loads the templates from `directory`, or the bundled ones when nil.
    static func load(directory: String?) throws -> PageRenderer {
        let folder = directory ?? Resources.path("templates")
        let library: TemplateLibrary
        do { library = try TemplateLibrary(directory: folder) } catch { throw AppStartError("templates in \(folder): \(error)") }
        guard library.has("layout") else {
            throw AppStartError("no layout.mustache in the templates folder \(folder)")
        }
        return PageRenderer(library: library)
    }

    /// Renders `template` inside the layout, as an HTML response.
    func page<Body: Encodable>(
        _ template: String, title: String, crumbs: [Crumb] = [], body: Body,
        request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let language = context.language
        let other = language == .chinese ? Language.english : .chinese
        let identity = context.identity
        var nav: [NavLink] = []
        if let identity {
            nav.append(NavLink(href: identity.division.map { "/divisions/\($0)" } ?? "/divisions", label: Strings.text("nav_divisions", language)))
            nav.insert(NavLink(href: "/my", label: Strings.text("my_work", language)), at: 0)
            if identity.holds(.manageUsers) { nav.append(NavLink(href: "/admin/users", label: Strings.text("nav_users", language))) }
            if identity.holds(.viewAudit) { nav.append(NavLink(href: "/admin/audit", label: Strings.text("nav_audit", language))) }
            if identity.holds(.manageTokens) { nav.append(NavLink(href: "/admin/tokens", label: Strings.text("nav_tokens", language))) }
            if identity.holds(.editParameters) { nav.append(NavLink(href: "/admin/parameters", label: Strings.text("nav_parameters", language))) }
        }
        let model = PageModel(
            csrf: context.csrfToken,
            user: identity.map { UserBadge(id: $0.userID, name: $0.displayName, role: $0.role.title.text(language)) }, nav: nav,
            lang: language.rawValue, title: title, crumbs: crumbs,
            switchHref: "\(request.uri.path)?lang=\(other.rawValue)", body: body)
        guard case .object(var tree) = try TemplateTree.of(model) else { preconditionFailure("a page model is a struct") }
        tree["t"] = Strings.tree(language)
        guard let html = library.render(.object(tree), template: template) else {
            throw AppStartError("missing template \(template)")
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: html)))
    }

    /// The error page for an error already made user-facing.
    func errorPage(_ error: AppError, request: Request, context: AppRequestContext) throws -> Response {
        // Each problem of the request is named, not only that there were some (a form posted from another page, an API-less client).
        struct Body: Encodable { let message: String; let problems: [String]; let requestID: String; let status: Int }
        return try page(
            "error", title: Strings.text("error_title", context.language),
            body: Body(message: error.message.text(context.language), problems: error.issues.map { $0.message.text(context.language) },
                       requestID: context.id, status: Int(error.status.code)),
            request: request, context: context, status: error.status)
    }
}

/// A failure while starting the server, reported in one line.
public struct AppStartError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Files bundled with the server: templates and static assets.
enum Resources {
    /// The path of a bundled resource folder.
    /// Foundation on Linux takes the copied `Resources` folder as the bundle's resource folder
    /// itself; elsewhere it stays a sub-folder. Both layouts are looked up.
    static func path(_ name: String) -> String {
        if let url = Bundle.module.url(forResource: name, withExtension: nil) { return url.path }
        return Bundle.module.bundleURL.appendingPathComponent("Resources").appendingPathComponent(name).path
    }
}
