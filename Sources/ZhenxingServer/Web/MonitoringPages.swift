import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// Return-to-poverty monitoring: the warnings inbox of a division and the rules' scan.
struct MonitoringPages: Sendable {
    let monitoring: MonitoringRepository
    let divisions: DivisionRepository
    let audit: AuditLog
    let renderer: PageRenderer
    let settings: AppSettings

    typealias Option = FormModel.Option

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/monitoring", .pathDivision(.readRecords), use: inbox)
        routes.add(.post, "/divisions/:code/monitoring/scan", .pathDivision(.writeVillage), use: scan)
        routes.add(.get, "/divisions/:code/monitoring/export", .pathDivision(.readRecords), use: export)
        routes.add(.get, "/divisions/:code/monitoring/departments", .pathDivision(.writeVillage), use: departmentForm)
        routes.add(.post, "/divisions/:code/monitoring/departments", .pathDivision(.writeVillage), use: departmentUpload)
    }

    struct SignalLine: Sendable, Encodable {
        let source: String
        let text: String
        let riskType: String
        let foundOn: String
    }

    /// A step of the warning's procedures as recorded.
    struct StepLine: Sendable, Encodable {
        let procedure: String
        let title: String
        let day: String
        let person: String
        let result: String?
        let detail: String?
        let late: Bool
    }

    struct WarningLine: Sendable, Encodable {
        let openedOn: String
        let closedOn: String?
        let household: String
        let householdHref: String
        let village: String
        let signals: [SignalLine]
        let steps: [StepLine]
        /// The next step with its due day ("入户核实 · 期限 2025-10-13"); nil when nothing is pending.
        let next: String?
        let overdue: Bool
    }

    /// A household of the monitoring board.
    struct MonitoredLine: Sendable, Encodable {
        let household: String
        let householdHref: String
        let village: String
        let category: String
        let riskTypes: String
        let enteredOn: String
        let plan: String
        let planOverdue: Bool
        let visits: Int
        let clearance: String
        let overdue: Bool
        /// Overdue in its plan or its clearance.
        let flagged: Bool
    }

    struct InboxBody: Sendable, Encodable {
        let heading: String
        let intro: String
        let action: String
        let sources: [Option]
        let rules: [Option]
        let steps: [Option]
        let overdueOnly: Bool
        let scanAction: String?
        /// The department file upload, for those who may record the village's work.
        let departmentsHref: String?
        let years: [Option]
        let exportAction: String
        /// The years a ledger can be exported for, this one first.
        let exportYears: [Option]
        let notice: String?
        let problem: String?
        let showVillage: Bool
        let rows: [WarningLine]
        let isEmpty: Bool
        /// Set when there are more open warnings than the page lists.
        let truncated: String?
        let monitored: [MonitoredLine]
        let monitoredTruncated: String?
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
        let rule = request.query("rule").flatMap(MonitoringRule.init)
        let step = request.query("step").flatMap(ProcedureStep.init)
        let overdueOnly = request.query("overdue") == "1"
        let today = settings.today
        let warnings = try await monitoring.openWarnings(
            in: code, filter: .init(source: source, rule: rule, step: step, overdueOn: overdueOnly ? today : nil), limit: Self.pageSize + 1)
        let monitored = try await monitoring.monitored(in: code, limit: Self.pageSize + 1)
        let thisYear = settings.thisYear
        let riskTypes = try await monitoring.riskTypes(for: code, year: thisYear)
        let categories = try await monitoring.categories(for: code, year: thisYear)
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
            rules: MonitoringRule.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == rule) },
            steps: MonitoringProcedure.entry.steps.map { Option(value: $0.rawValue, label: $0.title(in: .entry).text(language), selected: $0 == step) },
            overdueOnly: overdueOnly,
            scanAction: context.identity?.can(.writeVillage, in: code) == true ? "/divisions/\(code)/monitoring/scan" : nil,
            departmentsHref: context.identity?.can(.writeVillage, in: code) == true ? "/divisions/\(code)/monitoring/departments" : nil,
            // the rules read a year's assessments: the last finished year first, back to the first year of monitoring
            years: (2021...max(2021, thisYear)).reversed().map { Option(value: String($0), label: String($0), selected: $0 == thisYear - 1) },
            exportAction: "/divisions/\(code)/monitoring/export",
            exportYears: (2021...max(2021, thisYear)).reversed().map { Option(value: String($0), label: String($0), selected: $0 == thisYear) },
            notice: notice, problem: problem, showVillage: code.level != .village,
            rows: warnings.prefix(Self.pageSize).map { Self.line($0, riskTypes: riskTypes, today: today, language: language) },
            isEmpty: warnings.isEmpty,
            truncated: warnings.count > Self.pageSize
                ? Strings.text("monitoring_truncated", language).replacingOccurrences(of: "{count}", with: String(Self.pageSize)) : nil,
            monitored: monitored.prefix(Self.pageSize).map { Self.line($0, categories: categories, riskTypes: riskTypes, today: today, language: language) },
            monitoredTruncated: monitored.count > Self.pageSize
                ? Strings.text("monitored_truncated", language).replacingOccurrences(of: "{count}", with: String(Self.pageSize)) : nil)
        return try renderer.page("monitoring", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("monitoring", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    /// The monitoring ledger of a year as xlsx or CSV; audited.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        return try await TableExport(settings: settings, audit: audit).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年防返贫监测台账", sheet: "防返贫监测台账",
            entity: .monitoring) {
            try await MonitoringExport.write(division: code, year: year, today: settings.today, language: context.language, monitoring: monitoring, to: $0)
        }
    }

    /// A warning as the inbox and the household file show it.
    static func line(_ warning: MonitoringWarning, riskTypes: [String: LocalizedText], today: String, language: Language) -> WarningLine {
        let pending = warning.pending
        return WarningLine(
            openedOn: warning.openedOn, closedOn: warning.closedOn, household: warning.householdNumber, householdHref: "/households/\(warning.householdID)",
            village: warning.villageCode.rawValue,
            signals: warning.signals.map { signal in
                SignalLine(source: signal.source.title.text(language), text: signal.explanation.text(language),
                           riskType: riskTypes[signal.riskType]?.text(language) ?? signal.riskType, foundOn: signal.foundOn)
            },
            steps: warning.steps.map { step in
                let record = step.record
                let progress = record.procedure == .entry ? warning.entry : warning.clearance
                let names = record.riskTypes.map { riskTypes[$0]?.text(language) ?? $0 }.joined(separator: language.listSeparator)
                let result = record.result.map { $0.title.text(language) + (names.isEmpty ? "" : language.parenthesised(names)) }
                var facts = [record.endDay.map { LocalizedText(zh: "公示至 \($0)", en: "until \($0)").text(language) },
                             record.attendance.map { LocalizedText(zh: "到会 \($0) 人", en: "\($0) present").text(language) },
                             record.objections.map { LocalizedText(zh: "异议 \($0) 件", en: "\($0) objections").text(language) }].compactMap { $0 }
                if !record.detail.isEmpty { facts.append(record.detail) }
                return StepLine(procedure: record.procedure.title.text(language) + (step.round > 1 ? " #\(step.round)" : ""),
                                title: record.step.title(in: record.procedure).text(language), day: record.day,
                                person: record.step.personTitle.text(language) + language.colon + record.person, result: result,
                                detail: facts.isEmpty ? nil : facts.joined(separator: language == .english ? "; " : "；"),
                                late: progress?.done.contains(record) == true && progress?.late.contains(record.step) == true)
            },
            next: pending.flatMap { progress in
                progress.next.map { step in
                    let title = step.title(in: progress.procedure).text(language)
                    return progress.nextDue.map { LocalizedText(zh: "\(title) · 期限 \($0)", en: "\(title) · due \($0)").text(language) } ?? title
                }
            },
            overdue: pending?.isOverdue(today: today) ?? false)
    }

    /// A monitored household as the board shows it.
    static func line(_ household: MonitoredHousehold, categories: [String: LocalizedText], riskTypes: [String: LocalizedText], today: String,
                     language: Language) -> MonitoredLine {
        let warning = household.warning, decision = household.decision
        let plan: String
        if let year = household.planYears.first {
            plan = LocalizedText(zh: "\(year) 年计划 \(household.measures) 项", en: "\(year) plan, \(household.measures) measures").text(language)
        } else {
            plan = household.planDue.map { LocalizedText(zh: "未制定（期限 \($0)）", en: "None yet (due \($0))").text(language) }
                ?? LocalizedText(zh: "未制定", en: "None yet").text(language)
        }
        let clearance: String
        if household.underWatch {
            clearance = StepResult.clearedWatch.title.text(language)
        } else if let progress = warning.clearance, let next = progress.next {
            let title = next.title(in: .clearance).text(language)
            clearance = progress.nextDue.map { LocalizedText(zh: "\(title) · 期限 \($0)", en: "\(title) · due \($0)").text(language) } ?? title
        } else {
            clearance = LocalizedText(zh: "帮扶中", en: "Being helped").text(language)
        }
        return MonitoredLine(
            household: warning.householdNumber, householdHref: "/households/\(warning.householdID)", village: warning.villageCode.rawValue,
            category: decision.category.map { categories[$0]?.text(language) ?? $0 } ?? "—",
            riskTypes: decision.riskTypes.map { riskTypes[$0]?.text(language) ?? $0 }.joined(separator: language.listSeparator),
            enteredOn: decision.day, plan: plan, planOverdue: household.planOverdue(today: today), visits: household.visits, clearance: clearance,
            overdue: warning.clearance?.isOverdue(today: today) ?? false,
            flagged: household.planOverdue(today: today) || warning.clearance?.isOverdue(today: today) == true)
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
