import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Return-to-poverty monitoring: the warnings inbox of a division and the rules' scan.
struct MonitoringPages: Sendable {
    let monitoring: MonitoringRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    typealias Option = FormModel.Option

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/monitoring", .pathDivision(.readRecords), use: inbox)
        routes.add(.post, "/divisions/:code/monitoring/scan", .pathDivision(.writeVillage), use: scan)
    }

    struct SignalLine: Sendable {
        let source: String
        let text: String
        let riskType: String
        let foundOn: String
    }

    struct WarningLine: Sendable {
        let openedOn: String
        let closedOn: String?
        let household: String
        let householdHref: String
        let village: String
        let signals: [SignalLine]
    }

    struct InboxBody: Sendable {
        let heading: String
        let intro: String
        let action: String
        let sources: [Option]
        let scanAction: String?
        let years: [Option]
        let notice: String?
        let problem: String?
        let showVillage: Bool
        let rows: [WarningLine]
        let isEmpty: Bool
        /// Set when there are more open warnings than the page lists.
        let truncated: String?
    }

    /// The most warnings the inbox lists, newest first.
    static let pageSize = 500

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await inbox(request, context: context, problem: nil, status: .ok)
    }

    private func inbox(_ request: Request, context: AppRequestContext, problem: String?, status: HTTPResponse.Status) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let source = request.query("source").flatMap(WarningSource.init)
        let warnings = try await monitoring.openWarnings(in: code, source: source, limit: Self.pageSize + 1)
        let thisYear = settings.thisYear
        let riskTypes = try await monitoring.riskTypes(for: code, year: thisYear)
        let notice = request.query("scanned").flatMap(Int.init).map { year in
            Strings.text("monitoring_scanned", language)
                .replacingOccurrences(of: "{year}", with: String(year))
                .replacingOccurrences(of: "{opened}", with: request.query("opened").flatMap(Int.init).map(String.init) ?? "0")
                .replacingOccurrences(of: "{added}", with: request.query("added").flatMap(Int.init).map(String.init) ?? "0")
        }
        let body = InboxBody(
            heading: "\(chain.last?.name ?? "") · \(Strings.text("monitoring", language))",
            intro: Strings.text("monitoring_intro", language),
            action: "/divisions/\(code)/monitoring",
            sources: WarningSource.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == source) },
            scanAction: context.identity?.can(.writeVillage, in: code) == true ? "/divisions/\(code)/monitoring/scan" : nil,
            // the rules read a year's assessments: the last finished year first, back to the first year of monitoring
            years: (2021...max(2021, thisYear)).reversed().map { Option(value: String($0), label: String($0), selected: $0 == thisYear - 1) },
            notice: notice, problem: problem, showVillage: code.level != .village,
            rows: warnings.prefix(Self.pageSize).map { Self.line($0, riskTypes: riskTypes, language: language) },
            isEmpty: warnings.isEmpty,
            truncated: warnings.count > Self.pageSize
                ? Strings.text("monitoring_truncated", language).replacingOccurrences(of: "{count}", with: String(Self.pageSize)) : nil)
        return try renderer.page("monitoring", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("monitoring", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    /// A warning as the inbox and the household file show it.
    static func line(_ warning: MonitoringWarning, riskTypes: [String: LocalizedText], language: Language) -> WarningLine {
        WarningLine(
            openedOn: warning.openedOn, closedOn: warning.closedOn, household: warning.householdNumber, householdHref: "/households/\(warning.householdID)",
            village: warning.villageCode.rawValue,
            signals: warning.signals.map { signal in
                SignalLine(source: signal.source.title.text(language), text: signal.explanation.text(language),
                           riskType: riskTypes[signal.riskType]?.text(language) ?? signal.riskType, foundOn: signal.foundOn)
            })
    }

    struct ScanInput: Decodable { let year: String? }

    @Sendable func scan(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        let input = try await request.decode(as: ScanInput.self, context: context)
        do {
            guard let year = input.year.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw ValidationFailure([FieldIssue.yearOutOfRange()])
            }
            let scan = try await monitoring.scan(code, year: year, today: settings.today, dryRun: false, by: context.actor)
            return Response(status: .seeOther, headers: [
                .location: "/divisions/\(code)/monitoring?scanned=\(year)&opened=\(scan.opened)&added=\(scan.added)",
            ])
        } catch let failure as ValidationFailure {
            return try await inbox(request, context: context, problem: failure.text(context.language), status: .unprocessableContent)
        }
    }
}
