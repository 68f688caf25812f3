import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The division tree browser: provinces, then each division with the ones below it.
struct DivisionPages: Sendable {
    let divisions: DivisionRepository
    let figures: FiguresQuery
    let renderer: PageRenderer
    let settings: AppSettings

    let registry: RegistryRepository
    let exits: VillageExitRepository
    let monitoring: MonitoringRepository

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/", .anyone) { _, context in
            Response(status: .seeOther, headers: [.location: context.identity == nil ? "/signin" : "/my"])
        }
        routes.add(.get, "/divisions", .ownDivision(.readRecords), use: root)
        routes.add(.get, "/divisions/:code", .pathDivision(.readRecords), use: show)
        routes.add(.post, "/divisions/:code/population", .pathDivision(.writeVillage), use: enterPopulation)
        routes.add(.post, "/divisions/:code/exit", .pathDivision(.approveStatus), use: recordExit)
    }

    struct Row: Encodable {
        let code: String
        let name: String
        let level: String
        let childCount: String
        let href: String
    }

    struct Figure: Encodable { let label: String; let value: String; let unit: String }
    struct FigureGroup: Encodable { let heading: String; let figures: [Figure] }
    struct YearLink: Encodable { let year: Int; let href: String; let current: Bool }

    struct ListBody: Encodable {
        let heading: String
        let intro: String?
        let rows: [Row]
        let isEmpty: Bool
        let emptyText: String
        let profileHref: String?
        let householdsHref: String?
        let figures: [Figure]
        let figuresHeading: String?
        let years: [YearLink]
        let note: String?
        let populationAction: String?
        let exitAction: String?
        let year: Int
        /// The ledger's, assistance's, monitoring's and community's figures, each under its heading.
        let figureGroups: [FigureGroup]
        let governanceLinks: [NavLink]
    }

    struct PopulationInput: Decodable { let year: Int; let population: Int; let source: String }

    @Sendable func enterPopulation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try Self.code(context)
        guard code.level == .village else {
            throw AppError(.badRequest, LocalizedText(zh: "只能为村登记户籍人口", en: "Population is entered for a village"))
        }
        let input = try await request.decode(as: PopulationInput.self, context: context)
        try await registry.enterPopulation(code, year: input.year, population: input.population, source: input.source, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)?year=\(input.year)"])
    }

    struct ExitInput: Decodable { let decidedOn: String?; let decidedBy: String?; let document: String?; let override: String? }

    @Sendable func recordExit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try Self.code(context)
        let input = try await request.decode(as: ExitInput.self, context: context)
        let decision = VillageExitDecision(decidedOn: (input.decidedOn ?? "").trimmingCharacters(in: .whitespaces), decidedBy: input.decidedBy ?? "",
                                           document: input.document ?? "", override: input.override)
        try await exits.record(decision, village: code, today: settings.today, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)?year=\(decision.year)"])
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let home = context.identity?.division {
            return Response(status: .seeOther, headers: [.location: "/divisions/\(home)"])
        }
        let language = context.language
        let rows = try await divisions.children(of: nil).map { Self.row($0, language) }
        let body = ListBody(
            heading: Strings.text("divisions_title", language), intro: Strings.text("divisions_intro", language),
            rows: rows, isEmpty: rows.isEmpty, emptyText: Strings.text("no_divisions", language), profileHref: nil,
            householdsHref: nil, figures: [], figuresHeading: nil, years: [], note: nil, populationAction: nil, exitAction: nil, year: 0,
            figureGroups: [], governanceLinks: [])
        return try renderer.page(
            "divisions", title: body.heading, crumbs: [Crumb(name: Strings.text("nav_divisions", language), href: nil)],
            body: body, request: request, context: context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await Self.resolve(context, in: divisions)
        let division = chain[chain.count - 1]
        let rows = try await divisions.children(of: code).map { Self.row($0, language) }
        let thisYear = settings.thisYear
        let year = request.uri.queryParameters["year"].flatMap { Int(String($0)) }.flatMap { FieldIssue.years.contains($0) ? $0 : nil } ?? thisYear
        let document = try await figures.document(code, year: year)
        let registry = document.registry
        var shown = [
            Figure(label: Strings.text("population", language), value: FixedPoint.group(String(registry.population)), unit: Strings.text("people_unit", language)),
            Figure(label: Strings.text("poor_households", language), value: FixedPoint.group(String(registry.poorHouseholds)), unit: Strings.text("households_unit", language)),
            Figure(label: Strings.text("poor_people", language), value: FixedPoint.group(String(registry.poorPeople)), unit: Strings.text("people_unit", language)),
            Figure(label: Strings.text("incidence", language), value: registry.povertyIncidence.map { String(format: "%.2f", $0 * 100) } ?? "—", unit: "%"),
            Figure(label: Strings.text("exited_households", language), value: FixedPoint.group(String(registry.exitedHouseholds)), unit: Strings.text("households_unit", language)),
        ]
        if let decision = document.villageExitDecision {
            let by = [decision.decidedOn, decision.decidedBy, decision.document].filter { !$0.isEmpty }
            shown.append(Figure(label: Strings.text("village_exit", language), value: LocalizedText(zh: "已出列", en: "Exited").text(language),
                                unit: LocalizedText(zh: "（\(by.joined(separator: "，"))）", en: "(\(by.joined(separator: ", ")))").text(language)))
        } else if let exit = document.villageExit {
            shown.append(Figure(
                label: Strings.text("village_exit", language),
                value: exit.eligible ? LocalizedText(zh: "达标", en: "Eligible").text(language) : LocalizedText(zh: "未达标", en: "Not eligible").text(language),
                unit: LocalizedText(zh: "（<\(Int(exit.limit * 100))%）", en: "(< \(Int(exit.limit * 100)) %)").text(language)))
        }
        if code.level != .village {
            shown.append(Figure(label: Strings.text("villages_exited", language), value: FixedPoint.group(String(document.villagesExited)),
                                unit: Strings.text("items_unit", language)))
        }
        let ledger = document.ledger
        func count(_ key: String, _ value: Int, unit: String = "issues_unit") -> Figure {
            Figure(label: Strings.text(key, language), value: FixedPoint.group(String(value)), unit: Strings.text(unit, language))
        }
        let ledgerFigures = [
            count("ledger_collected", ledger.collected), count("ledger_solved", ledger.solvedOnTheSpot), count("ledger_referred", ledger.referredToMeeting),
            count("ledger_closed", ledger.closed), count("ledger_open", ledger.open), count("overdue", ledger.overdue),
            Figure(label: Strings.text("ledger_median_days", language), value: ledger.medianDaysToClose.map { String(format: "%.1f", $0) } ?? "—",
                   unit: Strings.text("days_unit", language)),
            count("ledger_ideas", ledger.ideas, unit: "items_unit"), count("meetings", ledger.meetings.values.reduce(0, +), unit: "times_unit"),
            count("grids", ledger.grids, unit: "items_unit"),
        ]
        let governanceLinks = [("dashboard", "dashboard?year=\(year)"), ("people_list", "people"), ("assessments", "assessments?year=\(year)"), ("ledger", "issues"), ("meetings", "meetings"), ("grids", "grids"), ("helpers", "helpers"), ("visits", "visits?year=\(year)"), ("monitoring", "monitoring"), ("party", "party"),
                               ("measures_by_category", "measures?year=\(year)"), ("activities", "activities?year=\(year)"),
                               ("honour_rounds", "honours?year=\(year)"), ("projects", "projects"), ("economy", "economy?year=\(year)")].map {
            NavLink(href: "/divisions/\(code)/\($0.1)", label: Strings.text($0.0, language))
        } + (code.level == .village ? [NavLink(href: "/divisions/\(code)/lists", label: Strings.text("four_lists", language))] : [])
        // Every year from the first recorded status (建档立卡) to this one: the years that have records.
        let first = max(min(document.firstStatusYear ?? thisYear, year, thisYear), FieldIssue.years.lowerBound)
        let years = (first...max(thisYear, year)).map {
            YearLink(year: $0, href: "/divisions/\(code)?year=\($0)", current: $0 == year)
        }
        let mayRecordExit = code.level == .village && context.identity?.can(.approveStatus, in: code) == true && document.villageExitDecision == nil
            ? try await exits.exit(of: code) == nil : false
        let body = ListBody(
            heading: division.name + language.parenthesised(division.level.title.text(language)), intro: nil, rows: rows,
            isEmpty: rows.isEmpty, emptyText: Strings.text("no_children", language),
            profileHref: division.level == .village ? "/villages/\(code)/profile" : nil,
            householdsHref: "/divisions/\(code)/households", figures: shown,
            figuresHeading: LocalizedText(zh: "\(year) 年统计数字（截至 \(document.asOf)）", en: "Figures for \(year) (as of \(document.asOf))").text(language),
            years: years,
            note: document.note != nil ? LocalizedText(zh: "该年没有登记人口。", en: "No registered population that year.").text(language)
                : registry.villagesWithEnteredPopulation > 0
                ? LocalizedText(zh: "户籍人口含 \(registry.villagesWithEnteredPopulation) 个村录入的人口数。",
                                en: "The population includes entered figures for \(registry.villagesWithEnteredPopulation) villages.").text(language) : nil,
            populationAction: Self.canWriteVillage(code, context) ? "/divisions/\(code)/population" : nil,
            exitAction: mayRecordExit ? "/divisions/\(code)/exit" : nil,
            year: year, figureGroups: [
                FigureGroup(heading: Strings.text("ledger", language), figures: ledgerFigures),
                FigureGroup(heading: Strings.text("assistance", language), figures: [
                count("households_with_plan", document.assistance.householdsWithPlan, unit: "households_unit"),
                count("measures_count", document.assistance.measures.values.reduce(0) { $0 + $1.count }, unit: "items_unit"),
                Figure(label: Strings.text("measures_amount", language),
                       value: FixedPoint.format(document.assistance.measures.values.reduce(0) { $0 + $1.amountFen }, scale: 2, minimumFractionDigits: 2),
                       unit: Strings.text("yuan", language)),
                count("visits", document.assistance.visits, unit: "times_unit"),
                count("overdue_follow_ups", document.assistance.overdueFollowUps, unit: "items_unit"),
                count("party_members_count", document.assistance.party.members, unit: "people_unit"),
                count("party_branches", document.assistance.party.branches, unit: "items_unit"),
                count("households_with_branch", document.assistance.party.householdsWithBranch, unit: "households_unit"),
                ]),
                FigureGroup(heading: Strings.text("monitoring_figures", language),
                            figures: try await monitoringFigures(document.monitoring, division: code, year: year, language: language)),
                FigureGroup(heading: Strings.text("community", language), figures: communityFigures(document.community, language: language)),
            ],
            governanceLinks: governanceLinks)
        return try renderer.page(
            "divisions", title: division.name, crumbs: Self.crumbs(chain, context: context, linkLast: false),
            body: body, request: request, context: context)
    }

    /// The monitoring figures as the division page shows them, categories and risk types by their names in the lists in force.
    private func monitoringFigures(_ monitoring: MonitoringFigures, division: DivisionCode, year: Int, language: Language) async throws -> [Figure] {
        let group = { (value: Int) in FixedPoint.group(String(value)) }
        func households(_ label: String, _ count: MonitoringFigures.Count) -> Figure {
            Figure(label: label, value: group(count.households),
                   unit: LocalizedText(zh: "户 \(group(count.people)) 人", en: "households, \(group(count.people)) people").text(language))
        }
        func named(_ counts: [String: MonitoringFigures.Count], _ names: [String: LocalizedText]) -> [Figure] {
            counts.sorted { ($1.value.households, $0.key) < ($0.value.households, $1.key) }
                .map { households(names[$0.key]?.text(language) ?? $0.key, $0.value) }
        }
        let count = { (key: String, value: Int, unit: String) in Figure(label: Strings.text(key, language), value: group(value), unit: Strings.text(unit, language)) }
        let sources = WarningSource.allCases.compactMap { source in
            monitoring.warningsBySource[source.rawValue].map { "\(source.title.text(language)) \(group($0))" }
        }
        return [households(Strings.text("monitored_now", language), monitoring.monitored)]
            + named(monitoring.byCategory, try await self.monitoring.categories(for: division, year: year))
            + named(monitoring.byRiskType, try await self.monitoring.riskTypes(for: division, year: year))
            + [
                count("monitored_under_watch", monitoring.underWatch, "households_unit"),
                Figure(label: Strings.text("monitored_with_plan", language), value: monitoring.planShare.map { String(format: "%.0f", $0 * 100) } ?? "—",
                       unit: LocalizedText(zh: "%（\(group(monitoring.monitoredWithPlan)) 户）",
                                           en: "% (\(group(monitoring.monitoredWithPlan)) households)").text(language)),
                count("entered_in_year", monitoring.entered, "households_unit"),
                count("cleared_in_year", monitoring.cleared, "households_unit"),
                Figure(label: Strings.text("warnings_in_year", language), value: group(monitoring.warnings),
                       unit: Strings.text("households_unit", language) + (sources.isEmpty ? "" : LocalizedText(
                           zh: "（\(sources.joined(separator: "，"))）", en: " (\(sources.joined(separator: ", ")))").text(language))),
                Figure(label: Strings.text("median_days_to_decision", language),
                       value: monitoring.medianWorkingDaysToDecision.map { String(format: "%.1f", $0) } ?? "—", unit: Strings.text("working_days_unit", language)),
                count("steps_overdue", monitoring.stepsOverdue, "items_unit"),
            ]
    }

    /// The community figures as the division page shows them.
    private func communityFigures(_ community: CommunityFigures, language: Language) -> [Figure] {
        func figure(_ key: String, _ value: String, _ unit: String) -> Figure {
            Figure(label: Strings.text(key, language), value: value, unit: Strings.text(unit, language))
        }
        let lectures = community.activities[ActivityKind.lecture.rawValue]
        let group = { (value: Int) in FixedPoint.group(String(value)) }
        return [
            figure("figure_lectures", group(lectures?.sessions ?? 0), "times_unit"),
            figure("figure_lecture_person_times", group(lectures?.personTimes ?? 0), "person_times"),
            figure("figure_trainings", group(community.activities[ActivityKind.training.rawValue]?.sessions ?? 0), "times_unit"),
            figure("figure_health_checks", group(community.activities[ActivityKind.healthCheck.rawValue]?.personTimes ?? 0), "person_times"),
            figure("figure_mediations", group(community.activities[ActivityKind.mediation.rawValue]?.sessions ?? 0), "items_unit"),
            figure("figure_honours", group(community.honours.values.reduce(0, +)), "people_unit"),
            figure("projects", group(community.projects), "items_unit"),
            Figure(label: Strings.text("land_area", language), value: FixedPoint.format(community.landMuHundredths, scale: 2), unit: ""),
            figure("project_jobs", group(community.jobs), "people_unit"),
            Figure(label: Strings.text("collective_income", language),
                   value: FixedPoint.format(community.collectiveIncomeFen, scale: 2, minimumFractionDigits: 2), unit: Strings.text("yuan", language)),
            Figure(label: Strings.text("employment_rate", language), value: community.employmentRate.map { String(format: "%.1f", $0 * 100) } ?? "—",
                   unit: LocalizedText(zh: "%（\(community.employed)/\(community.ableToWork)）", en: "% (\(community.employed)/\(community.ableToWork))").text(language)),
            figure("figure_demonstration", group(community.enterprises.filter { $0.key != EnterpriseKind.cooperative.rawValue }.values.reduce(0, +)), "households_unit"),
            figure("figure_cooperatives", group(community.enterprises[EnterpriseKind.cooperative.rawValue] ?? 0), "items_unit"),
        ]
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

    /// The division named by `:code` and its chain from the province down; 404 when there is none.
    static func resolve(_ context: AppRequestContext, in divisions: DivisionRepository) async throws -> (DivisionCode, [Division]) {
        let code = try Self.code(context)
        let chain = try await divisions.chain(code)
        guard chain.last?.code == code else {
            throw AppError.notFound(LocalizedText(zh: "区划 \(code) 不存在", en: "Division \(code) does not exist"))
        }
        return (code, chain)
    }

    /// Whether the signed-in user may record things in `code` — a village (forms add records to villages only).
    static func canWriteVillage(_ code: DivisionCode, _ context: AppRequestContext) -> Bool {
        code.level == .village && context.identity?.can(.writeVillage, in: code) == true
    }

    /// Runs a form's change and redirects to `location`; on bad input shows `again` with the problems instead.
    static func change(redirect location: () -> String, context: AppRequestContext, _ work: () async throws -> Void,
                       again: (String) async throws -> Response) async throws -> Response {
        do {
            try await work()
            return Response(status: .seeOther, headers: [.location: location()])
        } catch let failure as ValidationFailure {
            return try await again(failure.text(context.language))
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
