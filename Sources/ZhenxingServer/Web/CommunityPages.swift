import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// Community and economy: activities with attendance, honours, projects, cooperatives and demonstration households,
/// collective income and employment.
struct CommunityPages: Sendable {
    let community: CommunityRepository
    let figures: FiguresQuery
    let registry: RegistryRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/activities", .pathDivision(.readRecords), use: activities)
        routes.add(.post, "/divisions/:code/activities", .pathDivision(.writeVillage), use: addActivity)
        routes.add(.get, "/divisions/:code/activities/export", .pathDivision(.readRecords), use: exportActivities)
        routes.add(.get, "/activities/:id", .record(.readRecords, .activity), use: activity)
        routes.add(.post, "/activities/:id/attendees", .record(.writeVillage, .activity), use: addAttendees)
        routes.add(.get, "/divisions/:code/honours", .pathDivision(.readRecords), use: honours)
        routes.add(.post, "/divisions/:code/honours/nominations", .pathDivision(.writeVillage), use: nominate)
        routes.add(.post, "/divisions/:code/honours/votes", .pathDivision(.writeVillage), use: vote)
        routes.add(.post, "/divisions/:code/honours/announce", .pathDivision(.writeVillage), use: announce)
        routes.add(.post, "/honour-types", .ownDivision(.editParameters), use: addHonourType)
        routes.add(.get, "/divisions/:code/honours/export", .pathDivision(.readRecords), use: exportHonours)
        routes.add(.get, "/divisions/:code/economy/export", .pathDivision(.readRecords), use: exportIncome)
        routes.add(.get, "/divisions/:code/projects", .pathDivision(.readRecords), use: projects)
        routes.add(.post, "/divisions/:code/projects", .pathDivision(.writeVillage), use: createProject)
        routes.add(.get, "/divisions/:code/projects/export", .pathDivision(.readRecords), use: exportProjects)
        routes.add(.get, "/projects/:id", .record(.readRecords, .project), use: project)
        routes.add(.post, "/projects/:id/entries", .record(.writeVillage, .project), use: addProjectEntry)
        routes.add(.get, "/divisions/:code/economy", .pathDivision(.readRecords), use: economy)
        routes.add(.post, "/divisions/:code/economy/income", .pathDivision(.writeVillage), use: addIncome)
        routes.add(.post, "/divisions/:code/economy/enterprises", .pathDivision(.writeVillage), use: addEnterprise)
    }

    private func yuan(_ fen: Int) -> String { FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
    private func mu(_ hundredths: Int) -> String { FixedPoint.format(hundredths, scale: 2) }
    private func t(_ key: String, _ language: Language) -> String { Strings.text(key, language) }

    /// The year asked for (`?year=`), this year by default; 400 outside the years kept.
    private func year(_ request: Request) throws -> Int {
        try request.year(or: settings.thisYear)
    }

    /// The division page's crumbs plus this page's.
    private func page<Body: Encodable>(_ template: String, heading: String, chain: [Division], crumb: String, parent: Crumb? = nil, body: Body,
                                      request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) throws -> Response {
        try renderer.page(template, title: heading,
                          crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + (parent.map { [$0] } ?? []) + [Crumb(name: crumb, href: nil)],
                          body: body, request: request, context: context, status: status)
    }

    /// Resolves names typed by a user (separated by spaces, commas or 、) to the villagers with those names; a name
    /// nobody or several people have is refused, naming it.
    private func people(named text: String, in village: DivisionCode, on date: String) async throws -> [Int] {
        let names = text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "，" || $0 == "、" }).map(String.init)
        var ids: [Int] = [], unknown: [String] = [], ambiguous: [String] = []
        for name in names {
            let found = try await registry.people(named: name, in: village, asOf: date)
            if found.count == 1 { ids.append(found[0]) } else if found.isEmpty { unknown.append(name) } else { ambiguous.append(name) }
        }
        var problems: [String] = []
        if !unknown.isEmpty { problems.append("本村没有：\(unknown.joined(separator: "、"))") }
        if !ambiguous.isEmpty { problems.append("重名，请在人员档案中核对：\(ambiguous.joined(separator: "、"))") }
        guard problems.isEmpty else {
            throw ValidationFailure([FieldIssue(field: "attendees", message: LocalizedText(
                zh: problems.joined(separator: "；"), en: "Unknown: \(unknown.joined(separator: ", ")); more than one person: \(ambiguous.joined(separator: ", "))"))])
        }
        return ids
    }

    // MARK: Activities

    struct KindTotal: Sendable, Encodable { let href: String; let kind: String; let sessions: Int; let personTimes: Int; let selected: Bool }
    struct ActivityLine: Sendable, Encodable {
        let href: String; let date: String; let kind: String; let title: String; let place: String; let organiser: String
        let speaker: String; let attendance: Int; let counted: Bool
    }
    struct ActivitiesBody: Sendable, Encodable {
        let heading: String; let action: String; let year: Int; let kinds: [FormModel.Option]; let totals: [KindTotal]
        let rows: [ActivityLine]; let exportHref: String; let createAction: String?; let speakerTypes: [FormModel.Option]
        let classrooms: [FormModel.Option]; let today: String; let error: String?
    }

    @Sendable func activities(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await activitiesPage(error: nil, request: request, context: context)
    }

    private func activitiesPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        let kind = try request.query("kind").map { try ActivityKind.named($0, field: "kind") }
        let figures = try await self.figures.document(code, year: year).community
        let rows = try await community.activities(in: code, year: year, kind: kind)
        let base = "/divisions/\(code)/activities?year=\(year)"
        let body = ActivitiesBody(
            heading: "\(chain.last?.name ?? "") · \(t("activities", language))", action: "/divisions/\(code)/activities", year: year,
            kinds: ActivityKind.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == kind) },
            totals: ActivityKind.allCases.compactMap { item in
                figures.activities[item.rawValue].map {
                    KindTotal(href: "\(base)&kind=\(item.rawValue)", kind: item.title.text(language), sessions: $0.sessions, personTimes: $0.personTimes,
                              selected: item == kind)
                }
            },
            rows: rows.map { row in
                ActivityLine(href: "/activities/\(row.id)", date: row.heldOn, kind: ActivityKind(rawValue: row.kind)?.title.text(language) ?? row.kind,
                             title: row.title, place: row.place, organiser: [row.organiser, row.partner].filter { !$0.isEmpty }.joined(separator: language.listSeparator),
                             speaker: row.speaker.isEmpty ? "—" : row.speaker, attendance: row.attendance, counted: row.counted != nil)
            },
            exportHref: "/divisions/\(code)/activities/export?year=\(year)" + (kind.map { "&kind=\($0.rawValue)" } ?? ""),
            createAction: DivisionPages.canWriteVillage(code, context) ? "/divisions/\(code)/activities" : nil,
            speakerTypes: SpeakerType.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            classrooms: Classroom.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            today: settings.today, error: error)
        return try page("activities", heading: body.heading, chain: chain, crumb: t("activities", language), body: body,
                        request: request, context: context, status: status)
    }

    struct ActivityInput: Decodable {
        var kind: String?; var title: String?; var date: String?; var place: String?; var organiser: String?; var partner: String?
        var speaker: String?; var speakerType: String?; var classroom: String?; var counted: String?; var attendees: String?
        var parties: String?; var outcome: String?
    }

    @Sendable func addActivity(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "活动登记在村里", en: "Activities are recorded in a village")) }
        let input = try await request.decode(as: ActivityInput.self, context: context)
        let trimmed = { (text: String?) in (text ?? "").trimmingCharacters(in: .whitespaces) }
        let counted = trimmed(input.counted)
        let draft = ActivityDraft(
            kind: ActivityKind(rawValue: input.kind ?? "") ?? .lecture, title: trimmed(input.title), date: trimmed(input.date), place: trimmed(input.place),
            organiser: trimmed(input.organiser), partner: trimmed(input.partner), speaker: trimmed(input.speaker),
            speakerType: SpeakerType(rawValue: input.speakerType ?? ""), classroom: Classroom(rawValue: input.classroom ?? ""),
            counted: counted.isEmpty ? nil : Int(counted) ?? -1, parties: trimmed(input.parties), outcome: trimmed(input.outcome))
        var created = 0
        return try await DivisionPages.change(redirect: { "/activities/\(created)" }, context: context, {
            let attendees = trimmed(input.attendees).isEmpty ? [] : try await people(named: trimmed(input.attendees), in: code, on: Day.isValid(draft.date) ? draft.date : settings.today)
            created = try await community.addActivity(draft, attendees: attendees, village: code, today: settings.today, by: context.actor)
        }, again: { try await activitiesPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    /// The list as xlsx or CSV, with the page's filters.
    @Sendable func exportActivities(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        let kind = request.query("kind").flatMap(ActivityKind.init(rawValue:))
        return try await TableExport(settings: settings, audit: AuditLog(database: community.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年活动", sheet: "活动", entity: .activities) {
            try await ActivityExport.write(division: code, year: year, kind: kind, language: context.language, community: community, to: $0)
        }
    }

    struct Fact: Sendable, Encodable { let label: String; let value: String }
    struct PersonLine: Sendable, Encodable { let href: String; let name: String; let household: String; let householdHref: String? }
    struct ActivityBody: Sendable, Encodable {
        let heading: String; let facts: [Fact]; let attendees: [PersonLine]; let counted: String?; let attendeeAction: String?; let error: String?
    }

    @Sendable func activity(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await activityPage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func activityPage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let row = try await community.activity(id)
        let code = try DivisionCode(validating: row.villageCode)
        let facts: [(String, String)] = [
            ("activity_kind", ActivityKind(rawValue: row.kind)?.title.text(language) ?? row.kind), ("date", row.heldOn), ("activity_place", row.place),
            ("activity_organiser", row.organiser), ("activity_partner", row.partner), ("activity_speaker", row.speaker),
            ("speaker_type", row.speakerType.flatMap(SpeakerType.init(rawValue:))?.title.text(language) ?? ""),
            ("classroom", row.classroom.flatMap(Classroom.init(rawValue:))?.title.text(language) ?? ""),
            ("mediation_parties", row.parties), ("mediation_outcome", row.outcome), ("person_times", String(row.attendance)),
        ]
        let body = ActivityBody(
            heading: row.title, facts: facts.filter { !$0.1.isEmpty }.map { Fact(label: t($0.0, language), value: $0.1) },
            attendees: try await community.attendees(of: id).map {
                PersonLine(href: "/people/\($0.id)", name: $0.name, household: $0.householdNumber ?? "—", householdHref: $0.householdId.map { "/households/\($0)" })
            },
            counted: row.counted.map { LocalizedText(zh: "没有签到名单：按现场清点计 \($0) 人次", en: "No list of names: \($0) counted on the day").text(language) },
            attendeeAction: row.counted == nil && context.identity?.can(.writeVillage, in: code) == true ? "/activities/\(id)/attendees" : nil, error: error)
        let chain = try await divisions.chain(code)
        return try page("activity", heading: row.title, chain: chain, crumb: row.heldOn,
                        parent: Crumb(name: t("activities", language), href: "/divisions/\(code)/activities?year=\(row.heldOn.prefix(4))"), body: body,
                        request: request, context: context, status: status)
    }

    struct NamesInput: Decodable { var names: String? }

    @Sendable func addAttendees(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: NamesInput.self, context: context)
        let row = try await community.activity(id)
        return try await DivisionPages.change(redirect: { "/activities/\(id)" }, context: context, {
            let people = try await people(named: input.names ?? "", in: try DivisionCode(validating: row.villageCode), on: row.heldOn)
            guard !people.isEmpty else { throw ValidationFailure([FieldIssue(field: "names", message: LocalizedText(zh: "请填写姓名", en: "Enter names"))]) }
            try await community.addAttendees(people, to: id, by: context.actor)
        }, again: { try await activityPage(id, error: $0, request: request, context: context, status: .badRequest) })
    }

    // MARK: Honours

    struct NomineeLine: Sendable, Encodable { let id: Int; let nominee: String; let by: String; let reason: String; let votes: Int; let winner: Bool }
    struct Round: Sendable, Encodable { let typeId: Int; let name: String; let announced: String?; let nominees: [NomineeLine]; let open: Bool }
    struct HonoursBody: Sendable, Encodable {
        let heading: String; let action: String; let year: Int; let rounds: [Round]; let types: [FormModel.Option]; let writeable: Bool
        let voteAction: String; let nominateAction: String; let announceAction: String; let typeAction: String?; let today: String; let error: String?
    }

    @Sendable func honours(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await honoursPage(error: nil, request: request, context: context)
    }

    private func honoursPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        let types = try await community.honourTypes()
        let nominations = try await community.nominations(in: code, year: year)
        let writeable = DivisionPages.canWriteVillage(code, context)
        let rounds = types.map { type in
            let inRound = nominations.filter { $0.typeId == type.id }
            return Round(typeId: type.id, name: type.name, announced: inRound.first?.announcedOn,
                         nominees: inRound.map { NomineeLine(id: $0.id, nominee: $0.nominee, by: $0.nominatedBy, reason: $0.reason, votes: $0.votes, winner: $0.winner) },
                         open: writeable && inRound.first?.announcedOn == nil && !inRound.isEmpty)
        }
        let body = HonoursBody(
            heading: "\(chain.last?.name ?? "") · \(year) \(t("honour_rounds", language))", action: "/divisions/\(code)/honours", year: year, rounds: rounds,
            types: types.map { FormModel.Option(value: String($0.id), label: $0.name + language.parenthesised($0.subject == "household" ? t("honour_household", language) : t("honour_person", language)), selected: false) },
            writeable: writeable, voteAction: "/divisions/\(code)/honours/votes?year=\(year)", nominateAction: "/divisions/\(code)/honours/nominations?year=\(year)",
            announceAction: "/divisions/\(code)/honours/announce?year=\(year)",
            typeAction: context.identity?.holds(.editParameters) == true ? "/honour-types" : nil, today: settings.today, error: error)
        return try page("honours", heading: body.heading, chain: chain, crumb: t("honour_rounds", language), body: body, request: request, context: context, status: status)
    }

    /// The year's nominations, votes and winners as xlsx or CSV.
    @Sendable func exportHonours(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        return try await TableExport(settings: settings, audit: AuditLog(database: community.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年评选", sheet: "评选", entity: .honours) {
            try await HonourExport.write(division: code, year: year, language: context.language, community: community, to: $0)
        }
    }

    struct NominationInput: Decodable { var type: Int?; var nominee: String?; var nominatedBy: String?; var reason: String? }

    @Sendable func nominate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        let year = try year(request)
        let input = try await request.decode(as: NominationInput.self, context: context)
        let nominee = (input.nominee ?? "").trimmingCharacters(in: .whitespaces)
        let subject = try await community.honourTypes().first { $0.id == input.type }?.subject
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/honours?year=\(year)" }, context: context, {
            var person: Int?, household: Int?
            if subject == "household" {
                household = try await registry.households(numbered: nominee, in: code).first
            } else {
                person = try await people(named: nominee, in: code, on: settings.today).first
            }
            _ = try await community.nominate(village: code, type: input.type ?? 0, year: year, person: person, household: household,
                                             nominatedBy: input.nominatedBy ?? "", reason: input.reason ?? "", by: context.actor)
        }, again: { try await honoursPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    struct VoteInput: Decodable { var nomination: Int?; var votes: String? }

    @Sendable func vote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        let year = try year(request)
        let input = try await request.decode(as: VoteInput.self, context: context)
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/honours?year=\(year)" }, context: context, {
            guard let nomination = input.nomination, try await community.village(ofNomination: nomination) == code else {
                throw ValidationFailure([FieldIssue(field: "nomination", message: LocalizedText(zh: "本村没有这项推荐", en: "No such nomination here"))])
            }
            try await community.vote(nomination, votes: Int(input.votes ?? "") ?? 0, by: context.actor)
        }, again: { try await honoursPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    /// The round and its winners, checked boxes named `winner[]`.
    struct AnnounceInput: Decodable { var type: Int?; var winner: [Int]? }

    @Sendable func announce(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        let year = try year(request)
        let input = try await request.decode(as: AnnounceInput.self, context: context)
        let type = input.type ?? 0, winners = input.winner ?? []
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/honours?year=\(year)" }, context: context, {
            try await community.announce(village: code, type: type, year: year, winners: winners, on: settings.today, by: context.actor)
        }, again: { try await honoursPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    struct TypeInput: Decodable { var name: String?; var subject: String?; var back: String? }

    @Sendable func addHonourType(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decode(as: TypeInput.self, context: context)
        do {
            _ = try await community.addHonourType(name: input.name ?? "", subject: input.subject ?? "person", by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        }
        let back = input.back.flatMap { $0.hasPrefix("/divisions/") ? $0 : nil } ?? "/divisions"
        return Response(status: .seeOther, headers: [.location: back])
    }

    // MARK: Projects

    struct ProjectLine: Sendable, Encodable {
        let href: String; let name: String; let kind: String; let partner: String; let status: String; let statusKey: String; let started: String
        let investment: String; let land: String; let jobs: Int; let beneficiaries: Int
    }
    struct ProjectsBody: Sendable, Encodable {
        let heading: String; let rows: [ProjectLine]; let exportHref: String; let createAction: String?; let kinds: [FormModel.Option]; let statuses: [FormModel.Option]
        let error: String?
    }

    @Sendable func projects(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await projectsPage(error: nil, request: request, context: context)
    }

    private func projectsPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let body = ProjectsBody(
            heading: "\(chain.last?.name ?? "") · \(t("projects", language))", rows: try await community.projects(in: code).map { line($0, language) },
            exportHref: "/divisions/\(code)/projects/export",
            createAction: DivisionPages.canWriteVillage(code, context) ? "/divisions/\(code)/projects" : nil,
            kinds: ProjectKind.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            statuses: ProjectStatus.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) }, error: error)
        return try page("projects", heading: body.heading, chain: chain, crumb: t("projects", language), body: body, request: request, context: context, status: status)
    }

    private func line(_ row: ProjectRow, _ language: Language) -> ProjectLine {
        ProjectLine(href: "/projects/\(row.id)", name: row.name, kind: ProjectKind(rawValue: row.kind)?.title.text(language) ?? row.kind,
                    partner: row.partner.isEmpty ? "—" : row.partner, status: ProjectStatus(rawValue: row.status)?.title.text(language) ?? row.status,
                    statusKey: row.status, started: row.startedOn ?? "—", investment: yuan(row.investmentFen), land: mu(row.landMuHundredths),
                    jobs: row.jobs, beneficiaries: row.beneficiaries)
    }

    /// The projects with their totals as xlsx or CSV.
    @Sendable func exportProjects(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        return try await TableExport(settings: settings, audit: AuditLog(database: community.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-项目-\(settings.today)", sheet: "项目", entity: .projects) {
            try await ProjectExport.write(division: code, language: context.language, community: community, to: $0)
        }
    }

    struct ProjectInput: Decodable { var name: String?; var kind: String?; var partner: String?; var status: String?; var started: String?; var description: String? }

    @Sendable func createProject(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "项目登记在村里", en: "Projects are recorded in a village")) }
        let input = try await request.decode(as: ProjectInput.self, context: context)
        let started = (input.started ?? "").trimmingCharacters(in: .whitespaces)
        let draft = ProjectDraft(name: input.name ?? "", kind: ProjectKind(rawValue: input.kind ?? "") ?? .other, partner: input.partner ?? "",
                                 status: ProjectStatus(rawValue: input.status ?? "") ?? .planned, started: started.isEmpty ? nil : started,
                                 description: input.description ?? "")
        var created = 0
        return try await DivisionPages.change(redirect: { "/projects/\(created)" }, context: context, {
            created = try await community.createProject(draft, village: code, by: context.actor)
        }, again: { try await projectsPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    struct Cell: Sendable, Encodable { let text: String; let href: String?; var label = "" }
    /// One of a project's tables; of four columns or more it is a card list on a phone, each cell named by its column.
    struct Table: Sendable, Encodable {
        let title: String
        let headers: [String]
        let rows: [[Cell]]
        let cards: Bool

        init(title: String, headers: [String], rows: [[Cell]]) {
            self.title = title
            self.headers = headers
            self.rows = rows.map { zip($0, headers).map { cell, label in Cell(text: cell.text, href: cell.href, label: label) } }
            cards = headers.count >= 4
        }
    }
    struct ProjectBody: Sendable, Encodable {
        let line: ProjectLine; let description: String; let tables: [Table]; let entryAction: String?; let statuses: [FormModel.Option]
        let today: String; let error: String?
    }

    @Sendable func project(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await projectPage(context.parameters.get("id", as: Int.self)!, error: nil, request: request, context: context)
    }

    private func projectPage(_ id: Int, error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let file = try await community.project(id)
        let code = try DivisionCode(validating: file.row.villageCode)
        let text = { (value: String) in Cell(text: value, href: nil) }
        let person = { (person: NamedPerson) in Cell(text: person.name, href: "/people/\(person.id)") }
        let household = { (person: NamedPerson) in Cell(text: person.householdNumber ?? "—", href: person.householdId.map { "/households/\($0)" }) }
        let tables = [
            Table(title: t("project_investment", language), headers: [t("project_source", language), t("amount_yuan", language)],
                  rows: file.investments.map { [text($0.source), text(yuan($0.amountFen))] }),
            Table(title: t("land_contracts", language), headers: [t("land_lessor", language), t("land_area", language), t("measure_period", language), t("land_rent", language)],
                  rows: file.land.map { [text($0.lessor), text(mu($0.areaMuHundredths)), text("\($0.start) — \($0.end)"), text(yuan($0.rentFenPerYear))] }),
            Table(title: t("project_jobs", language), headers: [t("display_name", language), t("household_number", language), t("project_position", language), t("helper_period", language)],
                  rows: file.jobs.map { [person($0.person), household($0.person), text($0.position), text("\($0.from) — \($0.to ?? "")")] }),
            Table(title: t("project_beneficiaries", language), headers: [t("household_number", language), t("head", language)],
                  rows: file.beneficiaries.map { [household($0), text($0.name)] }),
            Table(title: t("project_returns", language), headers: [t("year", language), t("project_income", language), t("project_dividends", language)],
                  rows: file.returns.map { [text(String($0.year)), text(yuan($0.incomeFen)), text(yuan($0.dividendsFen))] }),
            Table(title: t("sales_agreements", language), headers: [t("sale_buyer", language), t("sale_product", language), t("amount_yuan", language), t("measure_period", language)],
                  rows: file.sales.map { [text($0.buyer), text($0.product), text(yuan($0.amountFen)), text("\($0.start) — \($0.end)")] }),
            Table(title: t("project_milestones", language), headers: [t("date", language), t("project_progress", language)],
                  rows: file.milestones.map { [text($0.date), text($0.text)] }),
        ]
        let body = ProjectBody(
            line: line(file.row, language), description: file.row.description, tables: tables,
            entryAction: context.identity?.can(.writeVillage, in: code) == true ? "/projects/\(id)/entries" : nil,
            statuses: ProjectStatus.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: $0.rawValue == file.row.status) },
            today: settings.today, error: error)
        let chain = try await divisions.chain(code)
        return try page("project", heading: file.row.name, chain: chain, crumb: file.row.name,
                        parent: Crumb(name: t("projects", language), href: "/divisions/\(code)/projects"), body: body, request: request, context: context, status: status)
    }

    /// One form for every kind of entry: `entry` says which, the other fields carry it.
    struct EntryInput: Decodable {
        var entry: String?; var status: String?; var source: String?; var amount: String?; var lessor: String?; var household: String?; var area: String?
        var start: String?; var end: String?; var rent: String?; var name: String?; var position: String?; var from: String?; var numbers: String?
        var year: String?; var income: String?; var dividends: String?; var buyer: String?; var product: String?; var date: String?; var text: String?
    }

    @Sendable func addProjectEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: EntryInput.self, context: context)
        guard let village = try await community.village(ofProject: id) else { throw StoreError.notFound("project \(id)") }
        let field = { (text: String?) in (text ?? "").trimmingCharacters(in: .whitespaces) }
        let fen = { (text: String?) in FixedPoint.parse(field(text), scale: 2) ?? -1 }
        return try await DivisionPages.change(redirect: { "/projects/\(id)" }, context: context, {
            let entry: CommunityRepository.ProjectEntry
            switch input.entry {
            case "status": entry = .status(ProjectStatus(rawValue: input.status ?? "") ?? .planned)
            case "investment": entry = .investment(source: field(input.source), amountFen: fen(input.amount))
            case "land":
                let number = field(input.household)
                entry = .land(LandContractDraft(lessor: field(input.lessor), householdID: number.isEmpty ? nil : try await registry.households(numbered: number, in: village).first,
                                                areaMuHundredths: FixedPoint.parse(field(input.area), scale: 2) ?? 0, start: field(input.start), end: field(input.end),
                                                rentFenPerYear: fen(input.rent)))
            case "job":
                guard let person = try await people(named: field(input.name), in: village, on: settings.today).first else {
                    throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "请填写上岗村民的姓名", en: "Name the villager employed"))])
                }
                entry = .job(person: person, position: field(input.position), from: field(input.from))
            case "beneficiaries": entry = .beneficiaries(try await registry.households(numbered: field(input.numbers), in: village))
            case "returns": entry = .returns(year: Int(field(input.year)) ?? 0, incomeFen: fen(input.income), dividendsFen: fen(input.dividends))
            case "sale": entry = .sale(SalesAgreementDraft(buyer: field(input.buyer), product: field(input.product), amountFen: fen(input.amount),
                                                           start: field(input.start), end: field(input.end)))
            case "milestone": entry = .milestone(date: field(input.date), text: field(input.text))
            default: throw ValidationFailure([FieldIssue(field: "entry", message: LocalizedText(zh: "没有这类记录", en: "No such entry"))])
            }
            try await community.record(entry, project: id, by: context.actor)
        }, again: { try await projectPage(id, error: $0, request: request, context: context, status: .badRequest) })
    }

    // MARK: Economy

    struct IncomeLine: Sendable, Encodable { let date: String; let source: String; let amount: String; let note: String }
    struct YearTotal: Sendable, Encodable { let year: Int; let amount: String; let href: String }
    struct EnterpriseLine: Sendable, Encodable { let kind: String; let name: String; let household: String?; let householdHref: String?; let since: String; let note: String }
    struct WorkLine: Sendable, Encodable { let label: String; let count: Int }
    struct EconomyBody: Sendable, Encodable {
        let heading: String; let year: Int; let action: String; let income: [IncomeLine]; let total: String; let years: [YearTotal]
        let enterprises: [EnterpriseLine]; let kinds: [FormModel.Option]; let work: [WorkLine]; let ableToWork: Int; let employed: Int; let rate: String
        let idle: [PersonLine]
        let incomeAction: String?; let enterpriseAction: String?; let today: String; let error: String?
    }

    @Sendable func economy(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await economyPage(error: nil, request: request, context: context)
    }

    private func economyPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        let entries = try await community.income(in: code, year: year)
        let figures = try await self.figures.document(code, year: year).community
        let writeable = DivisionPages.canWriteVillage(code, context)
        let body = EconomyBody(
            heading: "\(chain.last?.name ?? "") · \(year) \(t("economy", language))", year: year, action: "/divisions/\(code)/economy",
            income: entries.map { IncomeLine(date: $0.receivedOn, source: $0.source, amount: yuan($0.amountFen), note: $0.note) },
            total: yuan(figures.collectiveIncomeFen),
            years: try await community.incomeByYear(in: code).map { YearTotal(year: $0.year, amount: yuan($0.amountFen), href: "/divisions/\(code)/economy?year=\($0.year)") },
            enterprises: try await community.enterprises(in: code).map {
                EnterpriseLine(kind: EnterpriseKind(rawValue: $0.kind)?.title.text(language) ?? $0.kind, name: $0.name, household: $0.householdNumber,
                               householdHref: $0.householdId.map { "/households/\($0)" }, since: $0.since, note: $0.note)
            },
            kinds: EnterpriseKind.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
            work: Employment.employed.map { WorkLine(label: Strings.storedValue($0, language), count: figures.employment[$0] ?? 0) }
                + [WorkLine(label: t("not_employed", language), count: figures.ableToWork - figures.employed)],
            ableToWork: figures.ableToWork, employed: figures.employed,
            rate: figures.employmentRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
            idle: try await community.notEmployed(in: code, on: "\(year)-12-31").map {
                PersonLine(href: "/people/\($0.id)", name: $0.name, household: $0.householdNumber ?? "—", householdHref: $0.householdId.map { "/households/\($0)" })
            },
            incomeAction: writeable ? "/divisions/\(code)/economy/income?year=\(year)" : nil,
            enterpriseAction: writeable ? "/divisions/\(code)/economy/enterprises?year=\(year)" : nil, today: settings.today, error: error)
        return try page("economy", heading: body.heading, chain: chain, crumb: t("economy", language), body: body, request: request, context: context, status: status)
    }

    /// The year's collective income entries as xlsx or CSV.
    @Sendable func exportIncome(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try year(request)
        return try await TableExport(settings: settings, audit: AuditLog(database: community.database)).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年村集体收入", sheet: "村集体收入",
            entity: .collectiveIncome) {
            try await IncomeExport.write(division: code, year: year, language: context.language, community: community, to: $0)
        }
    }

    struct IncomeInput: Decodable { var date: String?; var source: String?; var amount: String?; var note: String? }

    @Sendable func addIncome(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "集体收入登记在村里", en: "Collective income is recorded in a village")) }
        let input = try await request.decode(as: IncomeInput.self, context: context)
        let date = (input.date ?? "").trimmingCharacters(in: .whitespaces)
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/economy?year=\(date.prefix(4))" }, context: context, {
            _ = try await community.addIncome(village: code, receivedOn: date, source: input.source ?? "",
                                              amountFen: FixedPoint.parse((input.amount ?? "").trimmingCharacters(in: .whitespaces), scale: 2) ?? -1,
                                              note: input.note ?? "", by: context.actor)
        }, again: { try await economyPage(error: $0, request: request, context: context, status: .badRequest) })
    }

    struct EnterpriseInput: Decodable { var kind: String?; var name: String?; var household: String?; var since: String?; var note: String? }

    @Sendable func addEnterprise(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "示范户登记在村里", en: "Demonstration households are recorded in a village")) }
        let input = try await request.decode(as: EnterpriseInput.self, context: context)
        let number = (input.household ?? "").trimmingCharacters(in: .whitespaces)
        let year = try year(request)
        return try await DivisionPages.change(redirect: { "/divisions/\(code)/economy?year=\(year)" }, context: context, {
            _ = try await community.addEnterprise(kind: EnterpriseKind(rawValue: input.kind ?? "") ?? .cooperative, name: input.name ?? "",
                                                  household: number.isEmpty ? nil : try await registry.households(numbered: number, in: code).first,
                                                  since: (input.since ?? "").trimmingCharacters(in: .whitespaces), note: input.note ?? "", village: code, by: context.actor)
        }, again: { try await economyPage(error: $0, request: request, context: context, status: .badRequest) })
    }
}
