import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// The issue ledger (board, issue page with its timeline), meetings (一会四题), grids and the four lists.
struct GovernancePages: Sendable {
    let governance: GovernanceRepository
    let registry: RegistryRepository
    let visits: VisitRepository
    let divisions: DivisionRepository
    let users: UserRepository
    let records: RecordLocator
    let renderer: PageRenderer
    let settings: AppSettings

    typealias Option = FormModel.Option

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/issues", .pathDivision(.readRecords), use: board)
        routes.add(.get, "/divisions/:code/issues/new", .pathDivision(.writeRecords), use: newIssue)
        routes.add(.get, "/divisions/:code/issues/export", .pathDivision(.readRecords), use: exportLedger)
        routes.add(.get, "/divisions/:code/meetings/export", .pathDivision(.readRecords), use: exportMeetings)
        routes.add(.post, "/divisions/:code/issues", .pathDivision(.writeRecords), use: createIssue)
        routes.add(.get, "/issues/:id", .record(.readRecords, .issue), use: issue)
        routes.add(.post, "/issues/:id/transition", .record(.writeRecords, .issue), use: transition)
        routes.add(.get, "/divisions/:code/meetings", .pathDivision(.readRecords), use: meetings)
        routes.add(.get, "/divisions/:code/meetings/new", .pathDivision(.writeVillage), use: newMeeting)
        routes.add(.post, "/divisions/:code/meetings", .pathDivision(.writeVillage), use: createMeeting)
        routes.add(.get, "/meetings/:id", .record(.readRecords, .meeting), use: meeting)
        routes.add(.post, "/meetings/:id/outcomes", .record(.writeVillage, .meeting), use: addOutcome)
        routes.add(.get, "/divisions/:code/grids", .pathDivision(.readRecords), use: grids)
        routes.add(.post, "/divisions/:code/grids", .pathDivision(.writeVillage), use: createGrid)
        routes.add(.get, "/grids/:id", .record(.readRecords, .grid), use: grid)
        routes.add(.post, "/grids/:id/households", .record(.writeVillage, .grid), use: assign)
        routes.add(.post, "/grids/:id/households/:household/release", .record(.writeVillage, .grid), use: release)
        routes.add(.post, "/grids/:id/party-members", .record(.writeVillage, .grid), use: addPartyMember)
        routes.add(.post, "/grids/:id/leader", .record(.writeVillage, .grid), use: setLeaderAccount)
        routes.add(.get, "/divisions/:code/lists", .pathDivision(.readRecords), use: lists)
        routes.add(.post, "/divisions/:code/lists", .pathDivision(.writeVillage), use: addListItem)
        routes.add(.post, "/divisions/:code/lists/target", .pathDivision(.writeVillage), use: setTarget)
        routes.add(.post, "/divisions/:code/lists/:item/status", .pathDivision(.writeVillage), use: setItemStatus)
    }

    // MARK: Ledger board

    struct IssueLine: Sendable, Encodable {
        let href: String
        let title: String
        let raisedOn: String
        let raisedBy: String
        let household: String?
        let householdHref: String?
        let source: String
        let state: String
        let stateKey: String
        let owner: String
        let deadline: String
        let overdue: Bool

        init(_ row: IssueRow, today: String, language: Language) {
            href = "/issues/\(row.id)"
            title = row.title
            raisedOn = row.raisedOn
            raisedBy = row.raisedBy
            household = row.householdNumber
            householdHref = row.householdId.map { "/households/\($0)" }
            source = row.source.title.text(language)
            state = row.state.title.text(language)
            stateKey = row.state.rawValue
            owner = row.owner ?? "—"
            deadline = row.deadline ?? "—"
            overdue = row.isOverdue(on: today)
        }
    }

    struct StateCount: Sendable, Encodable {
        let label: String
        let count: Int
        let href: String
        let selected: Bool
    }

    struct BoardBody: Sendable, Encodable {
        let heading: String
        let newHref: String?
        let action: String
        let states: [Option]
        let owner: String
        let overdueOnly: Bool
        let counts: [StateCount]
        let overdueCount: Int
        let overdueHref: String
        let rows: [IssueLine]
        let isEmpty: Bool
        let exportHref: String
        let meetingsHref: String
        let gridsHref: String
        let listsHref: String
    }

    @Sendable func board(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let today = settings.today
        let filter = boardFilter(request)
        let (state, owner, overdueOnly) = (filter.state, filter.owner, filter.overdueOn != nil)
        let shown = try await governance.issues(in: code, filter: filter)
        let counts = try await governance.counts(in: code, today: today)
        let base = "/divisions/\(code)/issues"
        let body = BoardBody(
            heading: "\(chain.last?.name ?? "") · \(t("ledger", language))",
            newHref: DivisionPages.canWriteVillage(code, context) ? base + "/new" : nil,
            action: base,
            states: IssueState.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == state) },
            owner: owner ?? "", overdueOnly: overdueOnly,
            counts: IssueState.allCases.map { item in
                StateCount(label: item.title.text(language), count: counts.byState[item.rawValue] ?? 0, href: base + "?state=\(item.rawValue)",
                           selected: item == state)
            },
            overdueCount: counts.overdue, overdueHref: base + "?overdue=1",
            rows: shown.map { IssueLine($0, today: today, language: language) }, isEmpty: shown.isEmpty,
            exportHref: request.link("/divisions/\(code)/issues/export", keeping: ["state", "owner", "overdue"]), meetingsHref: "/divisions/\(code)/meetings", gridsHref: "/divisions/\(code)/grids",
            listsHref: "/divisions/\(code)/lists")
        return try renderer.page("issues", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: t("ledger", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    /// The board's filters from the query: a state, an owner, overdue only.
    private func boardFilter(_ request: Request) -> IssueFilter {
        IssueFilter(state: request.query("state").flatMap(IssueState.init), owner: request.query("owner"),
                    overdueOn: request.query("overdue") == "1" ? settings.today : nil)
    }

    /// The ledger as shown, with the board's filters, as xlsx or CSV: each issue with its state, owner, deadline and result.
    @Sendable func exportLedger(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let filter = boardFilter(request)
        return try await TableExport(settings: settings, audit: AuditLog(database: governance.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-问题台账-\(settings.today)", sheet: "问题台账",
            entity: .ledger) {
            try await LedgerExport.write(division: code, filter: filter, today: settings.today, language: context.language, governance: governance, to: $0)
        }
    }

    /// The meetings as xlsx or CSV.
    @Sendable func exportMeetings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        return try await TableExport(settings: settings, audit: AuditLog(database: governance.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-会议-\(settings.today)", sheet: "会议", entity: .meetings) {
            try await MeetingExport.write(division: code, language: context.language, governance: governance, to: $0)
        }
    }

    // MARK: New issue

    struct IssueInput: Decodable {
        var title: String?
        var description: String?
        var source: String?
        var raisedBy: String?
        var household: String?
        var grid: String?
        var meeting: String?
        var category: String?
        var raisedOn: String?
    }

    /// The blank form; `?household=` (a household number, as the household file's link sends it) fills in the household,
    /// its grid and its head as the one who raised it.
    @Sendable func newIssue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await village(context)
        var input = IssueInput(source: IssueSource.household.rawValue, raisedOn: settings.today)
        if let number = request.query("household"),
           let household = try await registry.households(in: code, filter: HouseholdFilter(search: number), asOf: settings.today, after: nil, limit: 5)
               .first(where: { $0.number == number }) {
            input.household = household.number
            input.raisedBy = household.headName
            input.grid = try await governance.grid(ofHousehold: household.id).map { String($0.id) }
        }
        return try await issueForm(input, village: code, chain: chain, issues: [], request: request, context: context)
    }

    @Sendable func createIssue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await village(context)
        let input = try await request.decode(as: IssueInput.self, context: context)
        var issues: [FieldIssue] = []
        var householdID: Int?
        if let number = input.household?.trimmingCharacters(in: .whitespaces), !number.isEmpty {
            householdID = try await registry.households(in: code, filter: HouseholdFilter(search: number), asOf: settings.today, after: nil, limit: 5)
                .first { $0.number == number }?.id
            if householdID == nil {
                issues.append(FieldIssue(field: "household", message: LocalizedText(zh: "本村没有户编号为 \(number) 的户", en: "No household \(number) in this village")))
            }
        }
        guard let source = IssueSource(rawValue: input.source ?? "") else {
            throw AppError(.badRequest, LocalizedText(zh: "请选择问题来源", en: "Choose the source"))
        }
        let draft = IssueDraft(title: input.title ?? "", description: input.description ?? "", source: source, raisedBy: input.raisedBy ?? "",
                               householdID: householdID, gridID: input.grid.flatMap(Int.init), meetingID: input.meeting.flatMap(Int.init),
                               category: input.category ?? "", raisedOn: (input.raisedOn ?? "").trimmingCharacters(in: .whitespaces))
        if let identity = context.identity, issues.isEmpty {
            issues = try await records.issueFilingProblems(identity, household: householdID, grid: draft.gridID, in: code)
        }
        do {
            guard issues.isEmpty else { throw ValidationFailure(issues) }
            let id = try await governance.createIssue(draft, village: code, today: settings.today, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/issues/\(id)"])
        } catch let failure as ValidationFailure {
            return try await issueForm(input, village: code, chain: chain, issues: issues + failure.issues.map {
                FieldIssue(field: ["householdID": "household", "gridID": "grid", "meetingID": "meeting"][$0.field] ?? $0.field, message: $0.message)
            }, request: request, context: context, status: .badRequest)
        }
    }

    private func issueForm(_ input: IssueInput, village code: DivisionCode, chain: [Division], issues: [FieldIssue], request: Request, context: AppRequestContext,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let grids = try await governance.grids(in: code)
        let meetings = try await governance.meetings(in: code, limit: 50)
        let households = try await registry.households(in: code, filter: HouseholdFilter(), asOf: settings.today, after: nil, limit: 10_000)
        let categories = try await governance.categories(in: code)
        func field(_ name: String, _ label: String, _ kind: FormModel.Kind, _ value: String?, hint: String? = nil) -> FormModel.Field {
            FormModel.field(name, label, kind, value: value, hint: hint, issues: issues, language: language)
        }
        let fields = [
            field("title", t("issue_title", language), .text, input.title),
            field("description", t("issue_description", language), .textarea(rows: 4), input.description),
            field("source", t("issue_source", language), .select(IssueSource.allCases.map { ($0.rawValue, $0.title.text(language)) }), input.source),
            field("raisedBy", t("issue_raised_by", language), .suggested(households.compactMap { row in
                row.headName.map { ($0, "\(row.number) \(t("head", language))") }
            }), input.raisedBy),
            field("household", t("household_number", language), .suggested(households.map { ($0.number, $0.headName ?? "") }), input.household,
                  hint: t("issue_household_hint", language)),
            field("grid", t("grid", language), .select(grids.map { (String($0.id), $0.name) }), input.grid),
            field("meeting", t("meeting", language), .select(meetings.map { (String($0.id), "\($0.heldOn) \($0.title)") }), input.meeting),
            field("category", t("issue_category", language), .suggested(categories.map { ($0, $0) }), input.category,
                  hint: t("issue_category_hint", language)),
            field("raisedOn", t("issue_raised_on", language), .date, input.raisedOn),
        ]
        let heading = t("new_issue", language)
        let model = FormModel(heading: heading, action: "/divisions/\(code)/issues", cancelHref: "/divisions/\(code)/issues", version: nil,
                              fields: fields, hasErrors: !issues.isEmpty, conflict: [], hasConflict: false, offline: heading)
        return try renderer.page("form", title: heading, crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: t("ledger", language), href: "/divisions/\(code)/issues"), Crumb(name: heading, href: nil)],
                                 body: model, request: request, context: context, status: status)
    }

    // MARK: Issue page

    /// A timeline entry; its names differ from the issue's, since a missing value would show the issue's instead.
    struct EventLine: Sendable, Encodable {
        let date: String
        let state: String
        let stateKey: String
        let answer: String?
        let assignee: String?
        let due: String?
        let outcome: String?
        let proof: String?
        let meetingName: String?
        let meetingHref: String?
        let by: String
    }

    struct IssueBody: Sendable, Encodable {
        let line: IssueLine
        let description: String?
        let category: String
        let result: String?
        let evidence: String?
        let events: [EventLine]
        let canMove: Bool
        let action: String
        let version: Int
        let moves: [Option]
        let meetings: [Option]
        let today: String
        let error: String?
        let boardHref: String
    }

    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await issuePage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func issuePage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let file = try await governance.issue(id)
        let code = try DivisionCode(validating: file.row.villageCode)
        let state = file.row.state
        let meetings = try await governance.meetings(in: code, limit: 50)
        let body = IssueBody(
            line: IssueLine(file.row, today: settings.today, language: language), description: file.description.isEmpty ? nil : file.description,
            category: file.row.category,
            result: file.result, evidence: file.evidence,
            events: file.events.map { event in
                EventLine(date: event.happenedOn, state: event.toState.title.text(language), stateKey: event.toState.rawValue,
                          answer: event.response.isEmpty ? nil : event.response, assignee: event.owner, due: event.deadline, outcome: event.result,
                          proof: event.evidence, meetingName: event.meetingTitle, meetingHref: event.meetingId.map { "/meetings/\($0)" }, by: event.recordedBy)
            },
            canMove: !state.next.isEmpty && context.identity?.can(.writeRecords, in: code) == true,
            action: "/issues/\(id)/transition", version: file.version,
            moves: state.next.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            meetings: meetings.map { Option(value: String($0.id), label: "\($0.heldOn) \($0.title)", selected: false) },
            today: settings.today, error: error, boardHref: "/divisions/\(code)/issues")
        let chain = try await divisions.chain(code)
        return try renderer.page("issue", title: file.row.title,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: t("ledger", language), href: "/divisions/\(code)/issues"), Crumb(name: file.row.title, href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct TransitionInput: Decodable {
        var version: Int?
        var to: String?
        var date: String?
        var response: String?
        var owner: String?
        var deadline: String?
        var result: String?
        var evidence: String?
        var meeting: String?
    }

    @Sendable func transition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: TransitionInput.self, context: context)
        func text(_ value: String?) -> String? { value.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        guard let to = IssueState(rawValue: input.to ?? "") else {
            return try await issuePage(id, error: t("choose_next_state", context.language), request: request, context: context, status: .badRequest)
        }
        let move = IssueTransition(to: to, date: text(input.date) ?? "", response: input.response ?? "", owner: text(input.owner), deadline: text(input.deadline),
                                   result: text(input.result), evidence: text(input.evidence), meetingID: input.meeting.flatMap(Int.init))
        do {
            try await governance.transition(id, move, version: input.version, today: settings.today, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/issues/\(id)"])
        } catch let failure as ValidationFailure {
            let message = failure.text(context.language)
            return try await issuePage(id, error: message, request: request, context: context, status: .badRequest)
        }
    }

    // MARK: Meetings

    struct MeetingLine: Sendable, Encodable {
        let href: String
        let date: String
        let kind: String
        let title: String
        let chair: String
    }

    struct MeetingsBody: Sendable, Encodable {
        let heading: String
        let newHref: String?
        let exportHref: String
        let rows: [MeetingLine]
        let isEmpty: Bool
    }

    @Sendable func meetings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let rows = try await governance.meetings(in: code).map { row in
            MeetingLine(href: "/meetings/\(row.id)", date: row.heldOn, kind: MeetingKind(rawValue: row.kind)?.title.text(language) ?? row.kind,
                        title: row.title, chair: row.chair)
        }
        let body = MeetingsBody(heading: "\(chain.last?.name ?? "") · \(t("meetings", language))",
                                newHref: DivisionPages.canWriteVillage(code, context) ? "/divisions/\(code)/meetings/new" : nil,
                                exportHref: "/divisions/\(code)/meetings/export", rows: rows, isEmpty: rows.isEmpty)
        return try renderer.page("meetings", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: t("meetings", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    struct MeetingInput: Decodable {
        var kind: String?
        var title: String?
        var date: String?
        var place: String?
        var chair: String?
        var study: String?
        var theme: String?
        var topic: String?
        var cases: String?
        var organisations: String?
        var attendees: String?
    }

    @Sendable func newMeeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await village(context)
        return try meetingForm(MeetingInput(kind: MeetingKind.regular.rawValue, date: settings.today), village: code, chain: chain, issues: [],
                               request: request, context: context)
    }

    @Sendable func createMeeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await village(context)
        let input = try await request.decode(as: MeetingInput.self, context: context)
        guard let kind = MeetingKind(rawValue: input.kind ?? "") else {
            throw AppError(.badRequest, LocalizedText(zh: "请选择会议类型", en: "Choose the kind of meeting"))
        }
        // Attendees are people of the village, named one per line; every name must match exactly one person.
        var issues: [FieldIssue] = []
        var attendees: [Int] = []
        let names = (input.attendees ?? "").split(whereSeparator: { $0.isNewline || $0 == "、" || $0 == "," || $0 == "，" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for name in names {
            let found = try await registry.people(named: name, in: code, asOf: settings.today)
            if found.count == 1 {
                attendees.append(found[0])
            } else {
                issues.append(FieldIssue(field: "attendees", message: found.isEmpty
                    ? LocalizedText(zh: "本村没有名叫“\(name)”的人", en: "Nobody called \(name) lives in this village")
                    : LocalizedText(zh: "本村有 \(found.count) 人叫“\(name)”，请在人员档案中核对后分别登记", en: "\(found.count) people are called \(name); tell them apart")))
            }
        }
        let draft = MeetingDraft(kind: kind, title: input.title ?? "", date: (input.date ?? "").trimmingCharacters(in: .whitespaces), place: input.place ?? "",
                                 chair: input.chair ?? "", study: input.study ?? "", theme: input.theme ?? "", topic: input.topic ?? "", cases: input.cases ?? "",
                                 organisations: (input.organisations ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                                    .filter { !$0.isEmpty })
        do {
            guard issues.isEmpty else { throw ValidationFailure(issues + draft.problems()) }
            let id = try await governance.createMeeting(draft, village: code, attendees: attendees, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/meetings/\(id)"])
        } catch let failure as ValidationFailure {
            return try meetingForm(input, village: code, chain: chain, issues: failure.issues, request: request, context: context, status: .badRequest)
        }
    }

    private func meetingForm(_ input: MeetingInput, village code: DivisionCode, chain: [Division], issues: [FieldIssue], request: Request,
                             context: AppRequestContext,
                             status: HTTPResponse.Status = .ok) throws -> Response {
        let language = context.language
        func field(_ name: String, _ label: String, _ kind: FormModel.Kind, _ value: String?, hint: String? = nil) -> FormModel.Field {
            FormModel.field(name, label, kind, value: value, hint: hint, issues: issues, language: language)
        }
        let fields = [
            field("kind", t("meeting_kind", language), .select(MeetingKind.allCases.map { ($0.rawValue, $0.title.text(language)) }), input.kind),
            field("title", t("meeting_title", language), .text, input.title),
            field("date", t("meeting_date", language), .date, input.date),
            field("place", t("meeting_place", language), .text, input.place),
            field("chair", t("meeting_chair", language), .text, input.chair),
            field("study", t("agenda_study", language), .textarea(rows: 3), input.study),
            field("theme", t("agenda_theme", language), .textarea(rows: 3), input.theme),
            field("topic", t("agenda_topic", language), .textarea(rows: 3), input.topic),
            field("cases", t("agenda_cases", language), .textarea(rows: 3), input.cases),
            field("attendees", t("meeting_attendees", language), .textarea(rows: 3), input.attendees, hint: t("meeting_attendees_hint", language)),
            field("organisations", t("meeting_organisations", language), .textarea(rows: 3), input.organisations, hint: t("one_per_line", language)),
        ]
        let heading = t("new_meeting", language)
        let model = FormModel(heading: heading, action: "/divisions/\(code)/meetings", cancelHref: "/divisions/\(code)/meetings", version: nil,
                              fields: fields, hasErrors: !issues.isEmpty, conflict: [], hasConflict: false)
        return try renderer.page("form", title: heading, crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: t("meetings", language), href: "/divisions/\(code)/meetings"), Crumb(name: heading, href: nil)],
                                 body: model, request: request, context: context, status: status)
    }

    struct AgendaPart: Sendable, Encodable {
        let label: String
        let text: String
    }

    struct OutcomeLine: Sendable, Encodable {
        let kind: String
        let text: String
        let owner: String?
        let deadline: String?
    }

    struct HandledLine: Sendable, Encodable {
        let date: String
        let move: String
        let response: String
        let issue: IssueLine
    }

    struct MeetingBody: Sendable, Encodable {
        let title: String
        let kind: String
        let date: String
        let place: String
        let chair: String
        let agenda: [AgendaPart]
        let attendees: [String]
        let organisations: [String]
        let outcomes: [OutcomeLine]
        let received: [IssueLine]
        let handled: [HandledLine]
        let outcomeAction: String?
        let outcomeKinds: [Option]
        let error: String?
        let newIssueHref: String?
    }

    @Sendable func meeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await meetingPage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func meetingPage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let file = try await governance.meeting(id)
        let code = try DivisionCode(validating: file.row.villageCode)
        let today = settings.today
        let canWrite = context.identity?.can(.writeVillage, in: code) == true
        let body = MeetingBody(
            title: file.row.title, kind: file.draft.kind.title.text(language), date: file.row.heldOn, place: file.row.place, chair: file.row.chair,
            agenda: [("agenda_study", file.draft.study), ("agenda_theme", file.draft.theme), ("agenda_topic", file.draft.topic), ("agenda_cases", file.draft.cases)]
                .map { AgendaPart(label: t($0.0, language), text: $0.1.isEmpty ? "—" : $0.1) },
            attendees: file.attendees.map(\.name), organisations: file.draft.organisations,
            outcomes: file.outcomes.map {
                OutcomeLine(kind: MeetingOutcomeKind(rawValue: $0.kind)?.title.text(language) ?? $0.kind, text: $0.text, owner: $0.owner, deadline: $0.deadline)
            },
            received: file.received.map { IssueLine($0, today: today, language: language) },
            handled: file.handled.map { item in
                HandledLine(date: item.event.happenedOn, move: item.event.toState.title.text(language),
                            response: item.event.response, issue: IssueLine(item.issue, today: today, language: language))
            },
            outcomeAction: canWrite ? "/meetings/\(id)/outcomes" : nil,
            outcomeKinds: MeetingOutcomeKind.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == .idea) },
            error: error, newIssueHref: canWrite ? "/divisions/\(code)/issues/new" : nil)
        let chain = try await divisions.chain(code)
        return try renderer.page("meeting", title: file.row.title,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: t("meetings", language), href: "/divisions/\(code)/meetings"), Crumb(name: file.row.title, href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct OutcomeInput: Decodable {
        var kind: String?
        var text: String?
        var owner: String?
        var deadline: String?
    }

    @Sendable func addOutcome(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: OutcomeInput.self, context: context)
        guard let kind = MeetingOutcomeKind(rawValue: input.kind ?? "") else {
            return try await meetingPage(id, error: t("choose_outcome_kind", context.language), request: request, context: context, status: .badRequest)
        }
        do {
            let owner = input.owner?.trimmingCharacters(in: .whitespaces)
            try await governance.addOutcome(meeting: id, kind: kind, text: input.text ?? "", owner: owner?.isEmpty == true ? nil : owner,
                                            deadline: input.deadline?.trimmingCharacters(in: .whitespaces), by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/meetings/\(id)"])
        } catch let failure as ValidationFailure {
            return try await meetingPage(id, error: failure.text(context.language),
                                         request: request, context: context, status: .badRequest)
        }
    }

    // MARK: Grids

    struct GridLine: Sendable, Encodable {
        let href: String
        let name: String
        let leader: String
        let leaderAccount: String?
        let partyGroup: String
        let households: Int
        let partyMembers: Int
        let openIssues: Int
    }

    struct GridsBody: Sendable, Encodable {
        let heading: String
        let rows: [GridLine]
        let isEmpty: Bool
        let createAction: String?
        /// The village's party members, offered as one types the grid leader's name.
        let leaderChoices: [String]
        let unassigned: Int?
        let error: String?
    }

    @Sendable func grids(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gridsPage(error: nil, request: request, context: context)
    }

    private func gridsPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let rows = try await governance.grids(in: code)
        let households = try await registry.figures(code, asOf: settings.today).households
        let canWrite = DivisionPages.canWriteVillage(code, context)
        let body = GridsBody(
            heading: "\(chain.last?.name ?? "") · \(t("grids", language))",
            rows: rows.map { GridLine(href: "/grids/\($0.id)", name: $0.name, leader: $0.leader, leaderAccount: $0.leaderAccount, partyGroup: $0.partyGroup, households: $0.households,
                                      partyMembers: $0.partyMembers, openIssues: $0.openIssues) },
            isEmpty: rows.isEmpty,
            createAction: canWrite ? "/divisions/\(code)/grids" : nil,
            leaderChoices: canWrite && code.level == .village
                ? Array(Set(try await registry.partyMembers(in: code, asOf: settings.today).map(\.name))).sorted() : [],
            unassigned: households > rows.reduce(0) { $0 + $1.households } ? households - rows.reduce(0) { $0 + $1.households } : nil, error: error)
        return try renderer.page("grids", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: t("grids", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct GridInput: Decodable {
        var name: String?
        var leader: String?
        var partyGroup: String?
    }

    @Sendable func createGrid(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await village(context)
        let input = try await request.decode(as: GridInput.self, context: context)
        do {
            let id = try await governance.createGrid(village: code, name: (input.name ?? "").trimmingCharacters(in: .whitespaces),
                                                     leader: input.leader ?? "", partyGroup: input.partyGroup ?? "", by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/grids/\(id)"])
        } catch let failure as ValidationFailure {
            return try await gridsPage(error: failure.text(context.language),
                                       request: request, context: context, status: .badRequest)
        }
    }

    struct GridBody: Sendable, Encodable {
        let line: GridLine
        let households: [HouseholdLine]
        let partyMembers: [MemberLine]
        let openIssues: [IssueLine]
        let visits: [HouseholdPages.VisitLine]
        let showHousehold = true
        let assignAction: String?
        let partyAction: String
        /// The grid leader accounts of the village to choose from, with the grid's own selected.
        let leaderAccounts: [Option]
        let leaderAction: String?
        let error: String?
        /// What the last step did, with the form that undoes it: "已将 0001 移出第一网格。撤销".
        let undo: UndoNotice?
    }

    struct HouseholdLine: Sendable, Encodable {
        let href: String
        let releaseAction: String?
        let number: String
        let head: String
        let members: Int
        let status: String
        let statusKey: String
    }

    struct MemberLine: Sendable, Encodable {
        let href: String
        let name: String
        let role: String
    }

    @Sendable func grid(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await gridPage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func gridPage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let today = settings.today
        let file = try await governance.grid(id, today: today)
        let code = try DivisionCode(validating: file.row.villageCode)
        let row = file.row
        let canWrite = context.identity?.can(.writeVillage, in: code) == true
        let accounts = canWrite ? try await users.list(in: code).filter { $0.role == .gridLeader && $0.division == code && $0.active } : []
        // `?released=` names a household of this village that is in no grid now: the one the last step took out.
        var undo: UndoNotice?
        if let household = request.query("released").flatMap(Int.init), let draft = try? await registry.file(household).draft,
           draft.village == code, try await governance.grid(ofHousehold: household) == nil {
            let number = draft.number
            undo = UndoNotice(text: LocalizedText(zh: "已将 \(number) 移出\(row.name)。", en: "\(number) was taken out of \(row.name).").text(language),
                              undoAction: canWrite ? "/grids/\(id)/households" : nil, field: "numbers", value: number)
        }
        let body = GridBody(
            line: GridLine(href: "/grids/\(id)", name: row.name, leader: row.leader, leaderAccount: row.leaderAccount, partyGroup: row.partyGroup, households: row.households,
                           partyMembers: row.partyMembers, openIssues: row.openIssues),
            households: file.households.map {
                HouseholdLine(href: "/households/\($0.id)", releaseAction: canWrite ? "/grids/\(id)/households/\($0.id)/release" : nil, number: $0.number, head: $0.headName ?? "—", members: $0.members,
                              status: PovertyStatus(rawValue: $0.status)?.title.text(language) ?? $0.status, statusKey: $0.status)
            },
            partyMembers: file.partyMembers.map { MemberLine(href: "/people/\($0.id)", name: $0.name, role: $0.role) },
            openIssues: file.openIssues.map { IssueLine($0, today: today, language: language) },
            visits: try await HouseholdPages.VisitLine.lines(visits.recent(inGrid: id), from: visits, today: today, canWrite: false, language: language),
            assignAction: canWrite ? "/grids/\(id)/households" : nil, partyAction: "/grids/\(id)/party-members",
            leaderAccounts: [Option(value: "", label: t("none", language), selected: row.leaderAccount == nil)]
                + accounts.map { Option(value: $0.username, label: $0.displayName + language.parenthesised($0.username), selected: $0.username == row.leaderAccount) },
            leaderAction: canWrite ? "/grids/\(id)/leader" : nil, error: error, undo: undo)
        let chain = try await divisions.chain(code)
        return try renderer.page("grid", title: row.name,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: t("grids", language), href: "/divisions/\(code)/grids"), Crumb(name: row.name, href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct AssignInput: Decodable {
        var numbers: String?
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: AssignInput.self, context: context)
        guard let village = try await governance.village(ofGrid: id) else { throw StoreError.notFound("grid \(id)") }
        do {
            let ids = try await registry.households(numbered: input.numbers ?? "", in: village)
            try await governance.assign(households: ids, to: id, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/grids/\(id)"])
        } catch let failure as ValidationFailure {
            return try await gridPage(id, error: failure.text(context.language),
                                      request: request, context: context, status: .badRequest)
        }
    }

    struct PartyMemberInput: Decodable {
        var name: String?
        var role: String?
    }

    /// Adds a villager, named, to the grid's party group.
    @Sendable func addPartyMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: PartyMemberInput.self, context: context)
        guard let village = try await governance.village(ofGrid: id) else { throw StoreError.notFound("grid \(id)") }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
        let found = name.isEmpty ? [] : try await registry.people(named: name, in: village, asOf: settings.today)
        guard found.count == 1 else {
            let message = found.isEmpty
                ? LocalizedText(zh: "本村没有名叫“\(name)”的人", en: "Nobody called \(name) lives in this village")
                : LocalizedText(zh: "本村有 \(found.count) 人叫“\(name)”，请在人员档案中核对", en: "\(found.count) people are called \(name)")
            return try await gridPage(id, error: message.text(context.language), request: request, context: context, status: .badRequest)
        }
        let role = (input.role ?? "").trimmingCharacters(in: .whitespaces)
        try await governance.addPartyMember(grid: id, person: found[0], role: role.isEmpty ? "党员" : role, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/grids/\(id)"])
    }

    struct LeaderInput: Decodable {
        var account: String?
    }

    /// Sets the account of the grid's leader: the grid whose households that grid leader may write to.
    @Sendable func setLeaderAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        // The field must be sent: empty chooses "none", a missing one is a malformed form, not a wish to clear.
        guard let account = try await request.decode(as: LeaderInput.self, context: context).account else {
            throw AppError(.badRequest, LocalizedText(zh: "请选择网格长账户", en: "Choose the grid leader's account"))
        }
        return try await DivisionPages.change(redirect: { "/grids/\(id)" }, context: context) {
            try await governance.setLeaderAccount(grid: id, username: account, by: context.actor)
        } again: { error in
            try await gridPage(id, error: error, request: request, context: context, status: .badRequest)
        }
    }

    /// Takes a household out of the grid, so it can be put in another.
    @Sendable func release(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let household = context.parameters.get("household", as: Int.self),
              try await governance.grid(ofHousehold: household)?.id == id else {
            throw AppError(.badRequest, LocalizedText(zh: "这一户不在本网格", en: "The household is not in this grid"))
        }
        try await governance.release(household: household, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/grids/\(id)?released=\(household)"])
    }

    // MARK: Four lists

    struct ListColumn: Sendable, Encodable {
        let title: String
        let items: [ListLine]
        let isEmpty: Bool
    }

    struct ListLine: Sendable, Encodable {
        let title: String
        let owner: String
        let status: String
        let statusKey: String
        let note: String?
        let issueHref: String?
        let meetingHref: String?
        let statusAction: String?
        let nextStatus: String?
        let nextLabel: String?
    }

    struct ListsBody: Sendable, Encodable {
        let heading: String
        let year: Int
        let years: [Option]
        let target: String?
        let targetAction: String?
        let columns: [ListColumn]
        let addAction: String?
        let kinds: [Option]
        let statuses: [Option]
        let meetings: [Option]
        /// The village's unfinished issues an item may be tied to.
        let issues: [Option]
        let error: String?
    }

    @Sendable func lists(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await listsPage(year: request.query("year").flatMap(Int.init), error: nil, request: request, context: context)
    }

    private func listsPage(year asked: Int?, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await village(context)
        let thisYear = settings.thisYear
        let year = asked.flatMap { (2000...2100).contains($0) ? $0 : nil } ?? thisYear
        let (target, items) = try await governance.lists(village: code, year: year)
        let canWrite = context.identity?.can(.writeVillage, in: code) == true
        let columns = ListKind.allCases.map { kind in
            let lines = items.filter { $0.list == kind.rawValue }.map { item -> ListLine in
                let current = ListItemStatus(rawValue: item.status) ?? .open
                let next: ListItemStatus? = current == .open ? .inProgress : current == .inProgress ? .done : nil
                return ListLine(title: item.title, owner: item.owner, status: current.title.text(language), statusKey: current.rawValue, note: item.note.isEmpty ? nil : item.note,
                                issueHref: item.issueId.map { "/issues/\($0)" }, meetingHref: item.meetingId.map { "/meetings/\($0)" },
                                statusAction: canWrite && next != nil ? "/divisions/\(code)/lists/\(item.id)/status" : nil,
                                nextStatus: next?.rawValue, nextLabel: next?.title.text(language))
            }
            return ListColumn(title: kind.title.text(language), items: lines, isEmpty: lines.isEmpty)
        }
        let body = ListsBody(
            heading: "\(chain.last?.name ?? "") · \(t("four_lists", language))", year: year,
            years: (2014...max(thisYear, year)).reversed().map { Option(value: String($0), label: String($0), selected: $0 == year) },
            target: target, targetAction: canWrite ? "/divisions/\(code)/lists/target" : nil, columns: columns,
            addAction: canWrite ? "/divisions/\(code)/lists" : nil,
            kinds: ListKind.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            statuses: ListItemStatus.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == .open) },
            meetings: try await governance.meetings(in: code, limit: 50).map { Option(value: String($0.id), label: "\($0.heldOn) \($0.title)", selected: false) },
            issues: canWrite ? try await governance.issues(in: code, filter: IssueFilter(unfinished: true)).map {
                Option(value: String($0.id), label: "\($0.raisedOn) \($0.title)", selected: false)
            } : [],
            error: error)
        return try renderer.page("lists", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: t("four_lists", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct ListItemInput: Decodable {
        var year: Int?
        var issue: String?
        var meeting: String?
        var list: String?
        var title: String?
        var owner: String?
        var status: String?
        var note: String?
        var target: String?
    }

    @Sendable func addListItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await village(context)
        let input = try await request.decode(as: ListItemInput.self, context: context)
        let year = input.year ?? settings.thisYear
        guard let kind = ListKind(rawValue: input.list ?? "") else {
            return try await listsPage(year: year, error: t("choose_list", context.language), request: request, context: context, status: .badRequest)
        }
        do {
            _ = try await governance.addListItem(village: code, year: year, list: kind, title: input.title ?? "", owner: input.owner ?? "",
                                                 status: ListItemStatus(rawValue: input.status ?? "") ?? .open, note: input.note ?? "",
                                                 issue: input.issue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                                                 meeting: input.meeting.flatMap(Int.init), by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/lists?year=\(year)"])
        } catch let failure as ValidationFailure {
            return try await listsPage(year: year, error: failure.text(context.language),
                                       request: request, context: context, status: .badRequest)
        }
    }

    @Sendable func setTarget(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await village(context)
        let input = try await request.decode(as: ListItemInput.self, context: context)
        let year = input.year ?? settings.thisYear
        try await governance.setTarget(village: code, year: year, target: (input.target ?? "").trimmingCharacters(in: .whitespaces), by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/lists?year=\(year)"])
    }

    @Sendable func setItemStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await village(context)
        let input = try await request.decode(as: ListItemInput.self, context: context)
        guard let item = context.parameters.get("item", as: Int.self), let status = ListItemStatus(rawValue: input.status ?? "") else {
            throw AppError(.badRequest, LocalizedText(zh: "请选择状态", en: "Choose a status"))
        }
        try await governance.setStatus(listItem: item, status, village: code, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/lists?year=\(input.year ?? settings.thisYear)"])
    }

    // MARK: Helpers

    private func village(_ context: AppRequestContext) async throws -> (DivisionCode, [Division]) {
        let found = try await DivisionPages.resolve(context, in: divisions)
        guard found.0.level == .village else {
            throw AppError.notFound(LocalizedText(zh: "只有村才有此项记录", en: "Only villages keep these records"))
        }
        return found
    }


    private func t(_ key: String, _ language: Language) -> String { Strings.text(key, language) }
}
