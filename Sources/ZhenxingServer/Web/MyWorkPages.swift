import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// "My work" (我的工作): where every user lands after signing in. In a village, a helper sees the households paired
/// with them, a grid leader the households of their grids, and a user who is neither (a village cadre, a viewer) the
/// whole village; for those households, what is waiting: promises past their follow-up day, monitoring steps, issues
/// not finished, and every household with its latest visit, the longest unvisited first. Above a village, an officer
/// sees the divisions directly below, those with the most overdue first.
struct MyWorkPages: Sendable {
    let work: WorkRepository
    let figures: FiguresQuery
    let visits: VisitRepository
    let governance: GovernanceRepository
    let monitoring: MonitoringRepository
    let helpers: HelperRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    /// Households listed at most: a village's whole roster is the roster page's.
    static let shownHouseholds = 200

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/my", .ownDivision(.readRecords), use: show)
    }

    struct Count: Sendable, Encodable {
        let label: String
        let value: Int
        let href: String
        let alert: Bool
    }

    struct Link: Sendable, Encodable {
        let label: String
        let href: String
    }

    struct HouseholdLine: Sendable, Encodable {
        let href: String
        let number: String
        let head: String
        let lastVisit: String
        let never: Bool
    }

    struct Body: Sendable, Encodable {
        let heading: String
        let scope: String
        let counts: [Count]
        let visits: [HouseholdPages.VisitLine]
        let showHousehold = true
        let warnings: [MonitoringPages.WarningLine]
        let issues: [GovernancePages.IssueLine]
        let households: [HouseholdLine]
        let householdsShown: String?
        let links: [Link]
        /// The blank issue form, kept on the phone for recording offline.
        let newIssueHref: String?
    }

    /// A division below the officer's, with what is overdue in it.
    struct DivisionLine: Sendable, Encodable {
        let href: String
        let name: String
        let followUps: Int
        let steps: Int
        let stepsHref: String
        let issues: Int
        let issuesHref: String
        let total: Int
        let late: Bool
    }

    struct OfficerBody: Sendable, Encodable {
        let heading: String
        let scope: String
        let rows: [DivisionLine]
        let isEmpty: Bool
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw AppError.signInRequired }
        guard let village = identity.division, village.level == .village else {
            return try await divisionsBelow(identity.division, identity: identity, request: request, context: context)
        }
        let language = context.language
        let today = settings.today
        let helper = try await helpers.helper(username: identity.username)
        let grids = try await governance.grids(in: village).filter { $0.leaderAccount == identity.username }
        let own = helper != nil || !grids.isEmpty
        let scope: WorkScope = own ? .account(userID: identity.userID, username: identity.username, village: village) : .village(village)
        let (households, total) = try await work.households(in: scope, limit: Self.shownHouseholds)
        let mine = own ? try await work.householdIDs(in: scope) : nil
        let inScope = { (household: Int?) in mine == nil || household.map { mine!.contains($0) } == true }

        var issues = try await governance.issues(in: village, filter: IssueFilter(unfinished: true)).filter { inScope($0.householdId) }
        for grid in grids {
            issues += try await governance.issues(in: village, filter: IssueFilter(gridID: grid.id, unfinished: true))
        }
        // Overdue first, then by deadline (none last); an issue of a grid's household is found twice, listed once.
        let urgency = { (row: IssueRow) in (row.isOverdue(on: today) ? 0 : 1, row.deadline ?? "9999-12-31", row.id) }
        var seen = Set<Int>()
        issues = issues.filter { seen.insert($0.id).inserted }.sorted { urgency($0) < urgency($1) }
        let riskTypes = try await monitoring.riskTypes(for: village, year: settings.thisYear)
        let warnings = try await monitoring.openWarnings(in: village).filter { inScope($0.householdID) && $0.pending?.next != nil }
            .map { MonitoringPages.line($0, riskTypes: riskTypes, today: today, language: language) }
            .sorted { ($0.overdue ? 0 : 1, $0.openedOn) < ($1.overdue ? 0 : 1, $1.openedOn) }
        let followUps = try await HouseholdPages.VisitLine.lines(
            visits.overdue(in: scope, today: today), from: visits, today: today, canWrite: false, language: language)

        let text = { (key: String) in Strings.text(key, language) }
        let chain = try await divisions.chain(village)
        var scopeText = text(own ? "work_scope_own" : "work_scope_village")
        if own {
            let parts = (helper.map { _ in [text("work_scope_helper")] } ?? []) + grids.map(\.name)
            scopeText += language.colon + parts.joined(separator: language.listSeparator)
        }
        let body = Body(
            heading: "\(text("my_work")) · \(identity.displayName)",
            scope: scopeText,
            counts: [
                Count(label: text("work_follow_ups"), value: followUps.count, href: "#follow-ups", alert: !followUps.isEmpty),
                Count(label: text("work_steps"), value: warnings.count, href: "#steps", alert: warnings.contains(where: \.overdue)),
                Count(label: text("open_issues"), value: issues.count, href: "#issues", alert: issues.contains { $0.isOverdue(on: today) }),
                Count(label: text("work_households"), value: total, href: "#households", alert: false),
            ],
            visits: followUps, warnings: warnings, issues: issues.map { GovernancePages.IssueLine($0, today: today, language: language) },
            households: households.map { row in
                HouseholdLine(href: "/households/\(row.id)", number: row.number, head: row.headName ?? "—",
                              lastVisit: row.lastVisit ?? text("never_visited"), never: row.lastVisit == nil)
            },
            householdsShown: total > households.count
                ? LocalizedText(zh: "共 \(total) 户，这里列出最久未走访的 \(households.count) 户。",
                                en: "\(total) households; the \(households.count) visited longest ago are listed.").text(language)
                : nil,
            links: (helper.map { [Link(label: text("nav_my_households"), href: "/helpers/\($0)")] } ?? [])
                + grids.map { Link(label: $0.name, href: "/grids/\($0.id)") }
                + [Link(label: chain.last?.name ?? village.rawValue, href: "/divisions/\(village)")],
            newIssueHref: identity.can(.writeRecords, in: village) ? "/divisions/\(village)/issues/new" : nil)
        return try renderer.page("my-work", title: text("my_work"),
                                 crumbs: [Crumb(name: text("my_work"), href: nil)], body: body, request: request, context: context)
    }

    /// The divisions directly under `division` (the provinces for an administrator), ranked by the promises past their
    /// follow-up day, monitoring steps past their deadline and unfinished issues past theirs, today.
    private func divisionsBelow(_ division: DivisionCode?, identity: Identity, request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let text = { (key: String) in Strings.text(key, language) }
        let issues = try await governance.overdueIssues(under: division, today: settings.today)
        var rows: [DivisionLine] = []
        for child in try await divisions.children(of: division) {
            let code = child.division.code
            let document = try await figures.document(code, year: settings.thisYear)
            let (followUps, steps, overdue) = (document.assistance.overdueFollowUps, document.monitoring.stepsOverdue, issues[code] ?? 0)
            rows.append(DivisionLine(
                href: "/divisions/\(code)", name: child.division.name, followUps: followUps, steps: steps,
                stepsHref: "/divisions/\(code)/monitoring?overdue=1", issues: overdue, issuesHref: "/divisions/\(code)/issues?overdue=1",
                total: followUps + steps + overdue, late: followUps + steps + overdue > 0))
        }
        rows.sort { ($1.total, $0.href) < ($0.total, $1.href) }
        var scope = text("work_divisions_hint")
        if let division { scope = "\(try await divisions.chain(division).last?.name ?? division.rawValue) · " + scope }
        let body = OfficerBody(heading: "\(text("my_work")) · \(identity.displayName)", scope: scope, rows: rows, isEmpty: rows.isEmpty)
        return try renderer.page("my-divisions", title: text("my_work"),
                                 crumbs: [Crumb(name: text("my_work"), href: nil)], body: body, request: request, context: context)
    }
}
