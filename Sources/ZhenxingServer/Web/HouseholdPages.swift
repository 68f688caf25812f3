import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// The household list of a division and the household file (一户一档), with the audited
/// "show full ID" action.
struct HouseholdPages: Sendable {
    let registry: RegistryRepository
    let divisions: DivisionRepository
    let audit: AuditLog
    let governance: GovernanceRepository
    let visits: VisitRepository
    let plans: PlanRepository
    let helpers: HelperRepository
    let party: PartyRepository
    let community: CommunityRepository
    let monitoring: MonitoringRepository
    let records: RecordLocator
    let renderer: PageRenderer
    let settings: AppSettings

    static let pageSize = 50
    /// The most households one village's name-sorted list shows.
    static let villageLimit = 5_000

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/households", .pathDivision(.readRecords), use: list)
        routes.add(.get, "/divisions/:code/households/export", .pathDivision(.readRecords), use: exportList)
        routes.add(.get, "/divisions/:code/visits", .pathDivision(.readRecords), use: visitList)
        routes.add(.get, "/divisions/:code/visits/export", .pathDivision(.readRecords), use: exportVisits)
        routes.add(.get, "/households/:id", .record(.readRecords, .household), use: show)
        routes.add(.post, "/people/:id/full-id", .record(.viewFullIDs, .person), use: revealID)
        routes.add(.post, "/households/:id/visits", .record(.writeRecords, .household), use: addVisit)
        routes.add(.post, "/households/:id/monitoring/reports", .record(.writeRecords, .household), use: addRiskReport)
        routes.add(.post, "/households/:id/monitoring/:warning/steps", .record(.writeRecords, .household), use: recordVillageStep)
        routes.add(.post, "/households/:id/monitoring/:warning/decisions", .record(.approveStatus, .household), use: recordDecisionStep)
        routes.add(.post, "/households/:id/visits/:visit/done", .record(.writeRecords, .household), use: followedUp)
        routes.add(.post, "/visits/:id/photos", .record(.writeRecords, .visit), use: addPhoto)
        routes.add(.get, "/photos/:id", .record(.readRecords, .photo), use: photo)
        routes.add(.get, "/photos/:id/thumbnail", .record(.readRecords, .photo), use: thumbnail)
        routes.add(.post, "/visits/:id/photos/:photo/remove", .record(.writeRecords, .visit), use: removePhoto)
        routes.add(.post, "/households/:id/plans/:year/measures", .record(.writeRecords, .household), use: addMeasure)
        routes.add(.post, "/households/:id/plans/:year/measures/:measure", .record(.writeRecords, .household), use: updateMeasure)
    }

    // MARK: List

    typealias Option = FormModel.Option
    struct Row: Encodable {
        let href: String
        let number: String
        let headName: String
        let group: String
        let members: Int
        let status: String
        let statusKey: String
        let attribute: String
        let cause: String
        let helpers: String
        let lastVisit: String
    }

    /// A link of the page list; no `href` for the page shown and for a gap (…).
    struct PageLink: Encodable {
        let label: String
        let href: String?
        let current: Bool
    }
    struct ListBody: Encodable {
        let newHref: String?
        let importHref: String?
        let exportHref: String
        let exportCSVHref: String
        let listExportHref: String
        let exportFullHref: String?
        let heading: String
        let rows: [Row]
        let isEmpty: Bool
        let groups: [Option]
        let statuses: [Option]
        let attributes: [Option]
        let causes: [Option]
        let search: String
        let date: String
        let action: String
        let summary: String
        let pages: [PageLink]
        let previousHref: String?
        let nextHref: String?
        let sorts: [Option]
    }

    /// The list's filter and date from the query.
    private func listFilter(_ request: Request) -> (HouseholdFilter, String) {
        let text = request.query
        let date = text("date").flatMap { Day.isValid($0) ? $0 : nil } ?? settings.today
        return (HouseholdFilter(groupNumber: text("group").flatMap(Int.init), status: text("status").flatMap(PovertyStatus.init),
                                attribute: text("attribute").flatMap(HouseholdAttribute.init), cause: text("cause").flatMap(PovertyCause.init),
                                search: text("q")), date)
    }

    /// The list as shown — with its filters — as xlsx or CSV.
    @Sendable func exportList(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let (filter, date) = listFilter(request)
        return try await TableExport(settings: settings, audit: audit).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-农户列表-\(date)", sheet: "农户", entity: .households) {
            try await HouseholdListExport.write(division: code, filter: filter, asOf: date, language: context.language, registry: registry, to: $0)
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let division = chain[chain.count - 1]
        let text = request.query
        let (filter, date) = listFilter(request)
        // Sorting by the head's name in pinyin order happens here (SQL collations differ between the
        // engines), so it is offered for one village at a time, on its whole list.
        let byName = text("sort") == "name" && code.level == .village
        let total = try await registry.householdCount(in: code, filter: filter, asOf: date)
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let page = min(max(1, text("page").flatMap(Int.init) ?? 1), pages)
        let skip = (page - 1) * Self.pageSize
        var found: [HouseholdRow]
        if byName {
            let chinese = Locale(identifier: "zh_Hans_CN")
            found = try await registry.households(in: code, filter: filter, asOf: date, after: nil, limit: Self.villageLimit)
                .sorted { ($0.headName ?? "").compare($1.headName ?? "", locale: chinese) == .orderedAscending }
            found = Array(found.dropFirst(skip).prefix(Self.pageSize))
        } else {
            found = try await registry.households(in: code, filter: filter, asOf: date, after: nil, offset: skip, limit: Self.pageSize)
        }
        let helperNames = try await helpers.currentHelpers(of: found.map(\.id))
        let rows = found.map { row in
            Row(href: "/households/\(row.id)", number: row.number, headName: row.headName ?? "—",
                group: row.groupNumber.map(String.init) ?? "—", members: row.members,
                status: PovertyStatus(rawValue: row.status)?.title.text(language) ?? row.status, statusKey: row.status,
                attribute: HouseholdAttribute(rawValue: row.attribute)?.title.text(language) ?? row.attribute,
                cause: row.mainCause.flatMap(PovertyCause.init).map { $0.title.text(language) } ?? "—",
                helpers: helperNames[row.id].map { $0.joined(separator: language.listSeparator) } ?? "—",
                lastVisit: row.lastVisit ?? "—")
        }
        let pageHref = { (number: Int) in
            let href = request.link("/divisions/\(code)/households", keeping: ["date", "group", "status", "attribute", "cause", "q", "sort"],
                                    and: number > 1 ? [("page", String(number))] : [])
            return href.hasSuffix("?") ? String(href.dropLast()) : href
        }
        // The first and last pages, and two on either side of this one; a gap between them is one "…".
        var shown: [PageLink] = []
        for number in 1...pages where number == 1 || number == pages || abs(number - page) <= 2 {
            if let last = shown.last, let previous = Int(last.label), number > previous + 1 { shown.append(PageLink(label: "…", href: nil, current: false)) }
            shown.append(PageLink(label: String(number), href: number == page ? nil : pageHref(number), current: number == page))
        }
        let groups = code.level == .village ? try await registry.groupNumbers(of: code) : []
        let body = ListBody(
            newHref: DivisionPages.canWriteVillage(code, context)
                ? "/divisions/\(code)/households/new" : nil,
            importHref: context.identity?.can(.writeVillage, in: code) == true ? "/divisions/\(code)/import" : nil,
            exportHref: "/divisions/\(code)/roster?format=xlsx&date=\(date)", exportCSVHref: "/divisions/\(code)/roster?format=csv&date=\(date)",
            listExportHref: request.link("/divisions/\(code)/households/export", keeping: ["date", "group", "status", "attribute", "cause", "q"]),
            exportFullHref: context.identity?.can(.viewFullIDs, in: code) == true ? "/divisions/\(code)/roster?format=xlsx&ids=full&date=\(date)" : nil,
            heading: "\(division.name) · \(Strings.text("households", language))", rows: rows, isEmpty: rows.isEmpty,
            groups: groups.map { Option(value: String($0), label: String($0), selected: $0 == filter.groupNumber) },
            statuses: PovertyStatus.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == filter.status) },
            attributes: HouseholdAttribute.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == filter.attribute) },
            causes: PovertyCause.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == filter.cause) },
            search: filter.search ?? "", date: date, action: "/divisions/\(code)/households",
            summary: LocalizedText(zh: "共 \(total) 户 · 第 \(page) / \(pages) 页", en: "\(total) households · page \(page) of \(pages)").text(language),
            pages: pages > 1 ? shown : [], previousHref: page > 1 ? pageHref(page - 1) : nil, nextHref: page < pages ? pageHref(page + 1) : nil,
            sorts: code.level == .village ? [
                Option(value: "", label: Strings.text("sort_number", language), selected: !byName),
                Option(value: "name", label: Strings.text("sort_name", language), selected: byName),
            ] : [])
        return try renderer.page(
            "households", title: body.heading,
            crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("households", language), href: nil)],
            body: body, request: request, context: context)
    }

    // MARK: File

    struct MemberRow: Encodable {
        let personID: Int
        let name: String
        let residentID: String
        let revealed: Bool
        let sex: String
        let birthDate: String
        let relation: String
        let health: String
        let labour: String
        let employment: String
        let period: String
        let current: Bool
        let revealAction: String?
        let endAction: String?
    }
    struct StatusRow: Encodable { let date: String; let status: String; let reason: String; let decidedBy: String; let override: String? }
    struct CheckRow: Encodable { let item: String; let finding: String; let passes: Bool }
    struct AssessmentBlock: Encodable {
        let year: Int
        let members: Int
        let net: String
        let perCapita: String
        let line: String
        let passes: Bool
        let checks: [CheckRow]
        let note: String
        let income: [CheckRow]
    }
    struct Choice: Encodable { let value: String; let label: String }
    struct HelperLine: Sendable, Encodable {
        let name: String
        let unit: String
        let role: String
        let period: String
        let href: String
        let endAction: String?
    }

    struct MeasureLine: Sendable, Encodable {
        let category: String
        let content: String
        let amount: String
        let funding: String
        let period: String
        let status: String
        let statusKey: String
        let result: String?
        let updateAction: String?
        let statusOptions: [FormModel.Option]
    }

    struct PlanBlock: Sendable, Encodable {
        let year: Int
        let version: Int
        let by: String
        let at: String
        let total: String
        let measures: [MeasureLine]
    }

    /// A visit as its tables show it, with its photos' thumbnails.
    struct VisitLine: Sendable, Encodable {
        let date: String
        let household: String
        let householdHref: String
        let visitor: String
        let visitorHref: String?
        let seen: String
        let promised: String?
        let followUp: String?
        let followUpState: String?
        let followUpKey: String?
        let doneAction: String?
        let photos: [PhotoLine]
        let photoAction: String?

        /// The lines of `visits` with their photos read in one query; `canWrite` adds the follow-up and photo forms.
        static func lines(_ visits: [Visit], from repository: VisitRepository, today: String, canWrite: Bool, language: Language) async throws -> [VisitLine] {
            let photos = try await repository.photos(ofVisits: visits.map(\.id))
            return visits.map { visit in
                let state = visit.followUp(on: today)
                return VisitLine(
                    date: visit.visitedOn, household: visit.householdNumber, householdHref: "/households/\(visit.householdId)",
                    visitor: visit.visitor, visitorHref: visit.helperId.map { "/helpers/\($0)" }, seen: visit.seen,
                    promised: visit.promised.isEmpty ? nil : visit.promised, followUp: visit.followUpOn,
                    followUpState: state?.title.text(language), followUpKey: state?.rawValue,
                    doneAction: canWrite && state != .done && state != nil ? "/households/\(visit.householdId)/visits/\(visit.id)/done" : nil,
                    photos: (photos[visit.id] ?? []).map { PhotoLine($0, visit: visit.id, canWrite: canWrite, language: language) },
                    photoAction: canWrite && (photos[visit.id]?.count ?? 0) < VisitRepository.photosPerVisit ? "/visits/\(visit.id)/photos" : nil)
            }
        }
    }

    /// A photo's thumbnail linking to the full picture.
    struct PhotoLine: Sendable, Encodable {
        let href: String
        let thumbnailHref: String
        let label: String
        let removeAction: String?

        init(_ photo: VisitPhoto, visit: Int, canWrite: Bool, language: Language) {
            href = "/photos/\(photo.id)"
            thumbnailHref = "/photos/\(photo.id)/thumbnail"
            label = LocalizedText(zh: "走访照片 \(photo.fileName)（\(photo.width)×\(photo.height)，\(photo.uploadedBy) 上传）",
                                  en: "Visit photo \(photo.fileName) (\(photo.width)×\(photo.height), uploaded by \(photo.uploadedBy))").text(language)
            removeAction = canWrite ? "/visits/\(visit)/photos/\(photo.id)/remove" : nil
        }
    }

    /// A line of the household's honours, activities or projects.
    struct CommunityLine: Sendable, Encodable { let href: String; let text: String; let detail: String }
    struct BranchLine: Encodable { let branchId: Int; let branchName: String; let since: String }

    struct FileBody: Encodable {
        /// On paper only: where the household lives, its head and the day it was printed.
        let printHead: [PrintLine]
        let editHref: String?
        let addMemberHref: String?
        let assessmentHref: String?
        let closeAction: String?
        let closed: String?
        let leaveReasons: [Choice]
        let statusAction: String?
        let statuses: [Choice]
        let kinds: [Choice]
        let today: String
        let heading: String
        let facts: [CheckRow]
        let status: String
        let members: [MemberRow]
        let history: [StatusRow]
        let assessments: [AssessmentBlock]
        let hasAssessments: Bool
        let issues: [GovernancePages.IssueLine]
        let warnings: [WarningBlock]
        let reportAction: String?
        let reportError: String?
        let stepError: String?
        let reportSources: [Choice]
        let riskTypeChoices: [Choice]
        let helperLines: [HelperLine]
        /// `?left=` names the member, `?ended=` the pairing the last step ended, said with the form that undoes it.
        let undo: UndoNotice?
        let helperChoices: [Choice]
        let helperAction: String?
        let helpersHref: String
        let branch: BranchLine?
        let branchChoices: [Choice]
        let branchAction: String?
        let plan: PlanBlock?
        let earlierPlans: [String]
        let planYear: Int
        let measureAction: String?
        let categories: [Choice]
        let measureStatuses: [Choice]
        let planError: String?
        let visits: [VisitLine]
        let visitHelpers: [Choice]
        let visitAction: String?
        let visitError: String?
        let gridName: String?
        let gridHref: String?
        let honours: [String]
        let attendance: [CommunityLine]
        let attendanceCount: Int
        let projects: [CommunityLine]
        let newIssueHref: String?
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await file(context.parameters.get("id", as: Int.self)!, revealing: nil, request: request, context: context)
    }

    @Sendable func revealID(_ request: Request, context: AppRequestContext) async throws -> Response {
        let person = context.parameters.get("id", as: Int.self)!
        guard let household = try await registry.household(ofPerson: person),
              let village = try await registry.village(ofPerson: person) else {
            throw AppError.notFound(LocalizedText(zh: "找不到这条记录", en: "No such record"))
        }
        try await audit.record(.viewFullID, entity: .person, key: String(person), division: village, by: context.actor)
        return try await file(household, revealing: person, request: request, context: context)
    }

    struct VisitInput: Decodable {
        var date: String?
        var visitor: String?
        var helper: String?
        var seen: String?
        var promised: String?
        var followUp: String?
        /// A risk type when the visit found a risk (干部排查): it raises a warning from the visit.
        var risk: String?
    }

    @Sendable func addVisit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: VisitInput.self, context: context)
        let followUp = input.followUp?.trimmingCharacters(in: .whitespaces)
        let draft = VisitDraft(date: (input.date ?? "").trimmingCharacters(in: .whitespaces), visitor: input.visitor ?? "",
                               helperID: input.helper.flatMap { Int($0) }, seen: input.seen ?? "",
                               promised: input.promised ?? "", followUp: followUp?.isEmpty == false ? followUp : nil)
        do {
            let risk = input.risk?.trimmingCharacters(in: .whitespaces)
            let recorded = try await monitoring.recordVisit(draft, risk: risk?.isEmpty == false ? risk : nil, household: id, today: settings.today,
                                                            by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(id)#\(recorded.warning == nil ? "visits" : "monitoring")"])
        } catch let failure as ValidationFailure {
            return try await file(id, revealing: nil, visitError: failure.text(context.language),
                                  request: request, context: context, status: .badRequest)
        }
    }

    struct MeasureInput: Decodable {
        var category: String?
        var content: String?
        var amount: String?
        var funding: String?
        var start: String?
        var end: String?
        var status: String?
        var result: String?
    }

    /// Adds a measure to the year's plan: a new version with the earlier measures and this one.
    @Sendable func addMeasure(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let year = context.parameters.get("year", as: Int.self) ?? 0
        let input = try await request.decode(as: MeasureInput.self, context: context)
        let current = try await plans.plans(ofHousehold: id).first { $0.year == year }?.measures.map(\.draft) ?? []
        return try await savePlan(id, year: year, measures: current, adding: input, request: request, context: context)
    }

    /// Changes one measure's status and result: a new version of the plan.
    @Sendable func updateMeasure(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let year = context.parameters.get("year", as: Int.self) ?? 0
        let input = try await request.decode(as: MeasureInput.self, context: context)
        guard let measure = context.parameters.get("measure", as: Int.self),
              let plan = try await plans.plans(ofHousehold: id).first(where: { $0.year == year }),
              plan.measures.contains(where: { $0.id == measure }) else {
            throw AppError(.badRequest, LocalizedText(zh: "本户当年计划中没有这项措施", en: "No such measure in this year's plan"))
        }
        var measures = plan.measures.map(\.draft)
        let index = plan.measures.firstIndex { $0.id == measure }!
        measures[index].status = MeasureStatus(rawValue: input.status ?? "") ?? measures[index].status
        measures[index].result = input.result ?? measures[index].result
        return try await savePlan(id, year: year, measures: measures, adding: nil, request: request, context: context)
    }

    private func savePlan(_ id: Int, year: Int, measures: [MeasureDraft], adding input: MeasureInput?, request: Request,
                          context: AppRequestContext) async throws -> Response {
        var all = measures
        if let input {
            let amount = FixedPoint.parse(input.amount ?? "0", scale: 2)
            guard let category = MeasureCategory(rawValue: input.category ?? ""), let amount else {
                return try await file(id, revealing: nil, planError: (input.category.flatMap(MeasureCategory.init) == nil
                    ? LocalizedText(zh: "请选择措施类别", en: "Choose the category") : LocalizedText(zh: "金额应为元，最多两位小数", en: "The amount is in yuan, at most 2 decimals"))
                    .text(context.language), request: request, context: context, status: .badRequest)
            }
            all.append(MeasureDraft(category: category, content: input.content ?? "", amountFen: amount, funding: input.funding ?? "",
                                    start: (input.start ?? "").trimmingCharacters(in: .whitespaces), end: (input.end ?? "").trimmingCharacters(in: .whitespaces),
                                    status: MeasureStatus(rawValue: input.status ?? "") ?? .planned, result: input.result ?? ""))
        }
        do {
            try await plans.save(household: id, year: year, measures: all, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(id)#plan"])
        } catch let failure as ValidationFailure {
            return try await file(id, revealing: nil, planError: failure.text(context.language),
                                  request: request, context: context, status: .badRequest)
        }
    }

    @Sendable func followedUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let visit = context.parameters.get("visit", as: Int.self) else { throw AppError(.badRequest, LocalizedText(zh: "没有这次走访", en: "No such visit")) }
        try await visits.followedUp(visit, household: id, on: settings.today, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/households/\(id)#visits"])
    }

    func file(_ id: Int, revealing: Int?, visitError: String? = nil, planError: String? = nil, reportError: String? = nil, stepError: String? = nil,
              request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let file = try await registry.file(id)
        let draft = file.draft
        let chain = try await divisions.chain(draft.village)
        let canReveal = context.identity?.can(.viewFullIDs, in: draft.village) == true
        // Forms only for who may send them (a grid leader: households of the grids they lead).
        var canWrite = false
        if let identity = context.identity { canWrite = try await records.allows(identity, .writeRecords, .household, id, in: draft.village) }
        let canDecide = context.identity?.can(.approveStatus, in: draft.village) == true
        let members = file.members.map { member in
            let residentID = try? ResidentID(validating: member.residentId)
            let revealed = member.personId == revealing
            return MemberRow(
                personID: member.personId, name: member.name,
                residentID: revealed ? member.residentId : (residentID?.masked ?? "—"), revealed: revealed,
                sex: ResidentID.Sex(rawValue: member.sex)?.title.text(language) ?? member.sex, birthDate: member.birthDate,
                relation: Relation(rawValue: member.relation)?.title.text(language) ?? member.relation,
                health: Strings.storedValue(member.health, language), labour: Strings.storedValue(member.labour, language),
                employment: member.employment.isEmpty ? "—" : Strings.storedValue(member.employment, language),
                period: "\(member.fromDate) \(Strings.storedValue(member.reasonIn, language))"
                    + (member.toDate.map { " — \($0) \(Strings.storedValue(member.reasonOut ?? "", language))" } ?? ""),
                current: member.toDate == nil,
                revealAction: canReveal && !revealed ? "/people/\(member.personId)/full-id" : nil,
                endAction: canWrite && member.toDate == nil && member.relation != Relation.head.rawValue
                    ? "/households/\(id)/members/\(member.personId)/end" : nil)
        }
        let current = file.statusChanges.last?.status ?? .notPoor
        let checks = try await registry.exitChecks(file)
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        let assessments = file.assessments.map { assessment in
            let (line, lines) = checks[assessment.year]!
            let income = assessment.income
            return AssessmentBlock(
                year: assessment.year, members: assessment.members, net: yuan(income.netIncome),
                perCapita: income.perCapita(members: assessment.members).map(yuan) ?? "—",
                line: line.map(yuan) ?? "—", passes: lines.allSatisfy(\.passes),
                checks: lines.map { CheckRow(item: $0.item.text(language), finding: $0.finding.text(language), passes: $0.passes) },
                note: assessment.note,
                income: [
                    ("income_wages", income.wages), ("income_production", income.production), ("income_property", income.property),
                    ("income_transfers", income.transfers), ("income_costs", income.productionCosts),
                    ("spending_medical", assessment.spending.medical), ("spending_schooling", assessment.spending.schooling),
                ].map { CheckRow(item: Strings.text($0.0, language), finding: yuan($0.1), passes: true) })
        }
        let today = settings.today
        let grid = try await governance.grid(ofHousehold: id)
        let branch = try await party.households(household: id).first
        let attendance = try await community.attendance(ofHousehold: id)
        let activeHelpers = try await helpers.helpers(in: draft.village).filter { $0.activeTo == nil || $0.activeTo! >= today }.map {
            Choice(value: String($0.id), label: $0.name + language.parenthesised($0.unit))
        }
        let allPlans = try await plans.plans(ofHousehold: id)
        let latest = allPlans.first
        let planYear = latest?.year ?? settings.thisYear
        let causes = ([draft.mainCause].compactMap { $0 } + draft.otherCauses).map { $0.title.text(language) }.joined(separator: language.listSeparator)
        let group = draft.groupNumber.map { String($0) } ?? "—"
        let riskTypes = try await monitoring.riskTypes(for: draft.village, year: settings.thisYear)
        let head = file.members.first { $0.relation == Relation.head.rawValue && $0.toDate == nil }?.name ?? "—"
        var undo: UndoNotice?
        if let person = request.query("left").flatMap(Int.init), let left = try await registry.leftMember(person, household: id) {
            undo = UndoNotice(text: LocalizedText(zh: "已登记\(left.name)于 \(left.toDate) 离开本户。", en: "\(left.name) left the household on \(left.toDate).").text(language),
                              undoAction: canWrite ? "/households/\(id)/members/\(person)/resume" : nil)
        }
        if request.query("closed") == "1", let closed = file.closed {
            undo = UndoNotice(text: LocalizedText(zh: "本户已于 \(closed.date) 注销。", en: "The household was closed on \(closed.date).").text(language),
                              undoAction: canWrite ? "/households/\(id)/reopen" : nil)
        }
        if let assignment = request.query("ended").flatMap(Int.init), let ended = try await helpers.endedAssignment(assignment, household: id) {
            undo = UndoNotice(text: LocalizedText(zh: "已结束\(ended.helperName)对本户的结对帮扶。", en: "\(ended.helperName) no longer helps this household.").text(language),
                              undoAction: canWrite ? "/households/\(id)/helpers/\(assignment)/resume" : nil)
        }
        let body = FileBody(
            printHead: PrintLine.head(chain, today: today, extra: [PrintLine(item: Strings.text("head", language), finding: head)], language: language),
            editHref: canWrite ? "/households/\(id)/edit" : nil,
            addMemberHref: canWrite ? "/households/\(id)/members/new" : nil,
            assessmentHref: canWrite ? "/households/\(id)/assessments/new" : nil,
            closeAction: canWrite && file.closed == nil && !file.members.contains { $0.toDate == nil } ? "/households/\(id)/close" : nil,
            closed: file.closed.map { LocalizedText(zh: "已于 \($0.date) 注销：\($0.reason)", en: "Closed on \($0.date): \($0.reason)").text(language) },
            leaveReasons: HouseholdEditPages.leaveReasons.map { Choice(value: $0, label: Strings.storedValue($0, language)) },
            statusAction: canDecide ? "/households/\(id)/status" : nil,
            statuses: PovertyStatus.allCases.map { Choice(value: $0.rawValue, label: $0.title.text(language)) },
            kinds: MonitoringKind.allCases.map { Choice(value: $0.rawValue, label: $0.title.text(language)) },
            today: today,
            heading: "\(Strings.text("household_file", language)) · \(draft.number)",
            facts: [
                ("village", chain.last?.name ?? draft.village.rawValue), ("group_number", group),
                ("natural_village", draft.naturalVillage ?? "—"), ("home_address", draft.address),
                ("attribute", draft.attribute.title.text(language)), ("causes", causes.isEmpty ? "—" : causes),
            ].map { CheckRow(item: Strings.text($0.0, language), finding: $0.1, passes: true) },
            status: current.title.text(language), members: members,
            history: file.statusChanges.map {
                StatusRow(date: $0.date, status: $0.status.title.text(language) + ($0.monitoringKind.map { language.parenthesised($0.title.text(language)) } ?? ""),
                          reason: $0.reason, decidedBy: $0.decidedBy, override: $0.override)
            },
            assessments: assessments, hasAssessments: !assessments.isEmpty,
            issues: try await governance.issues(in: draft.village, filter: IssueFilter(householdID: id)).map {
                GovernancePages.IssueLine($0, today: today, language: language)
            },
            warnings: try await warningBlocks(id, canWrite: canWrite && file.closed == nil, canDecide: canDecide && file.closed == nil, village: draft.village,
                                              riskTypes: riskTypes, language: language),
            reportAction: canWrite && file.closed == nil ? "/households/\(id)/monitoring/reports" : nil, reportError: reportError, stepError: stepError,
            reportSources: [WarningSource.selfReport, .visit].map { Choice(value: $0.rawValue, label: $0.title.text(language)) },
            riskTypeChoices: riskTypes.sorted { $0.key < $1.key }.map { Choice(value: $0.key, label: $0.value.text(language)) },
            helperLines: try await helpers.assignments(household: id).map { assignment in
                HelperLine(name: assignment.helperName, unit: assignment.helperUnit,
                           role: HelperRole(rawValue: assignment.helperRole)?.title.text(language) ?? assignment.helperRole,
                           period: "\(assignment.fromDate) — \(assignment.toDate ?? "")", href: "/helpers/\(assignment.helperId)",
                           endAction: canWrite && assignment.toDate == nil ? "/households/\(id)/helpers/\(assignment.id)/end" : nil)
            },
            undo: undo,
            helperChoices: activeHelpers,
            helperAction: canWrite ? "/households/\(id)/helpers" : nil, helpersHref: "/divisions/\(draft.village)/helpers",
            branch: branch.map { BranchLine(branchId: $0.branchId, branchName: $0.branchName, since: $0.since) },
            branchChoices: canWrite ? try await party.branches(in: draft.village, on: today).filter { $0.id != branch?.branchId }.map {
                Choice(value: String($0.id), label: $0.name)
            } : [],
            branchAction: canWrite ? "/households/\(id)/branch" : nil,
            plan: latest.map { plan in
                PlanBlock(year: plan.year, version: plan.version, by: plan.createdBy, at: Timestamp.display(plan.createdAt),
                          total: yuan(plan.measures.reduce(0) { $0 + $1.amountFen }),
                          measures: plan.measures.map { measure in
                              MeasureLine(category: MeasureCategory(rawValue: measure.category)?.title.text(language) ?? measure.category, content: measure.content,
                                          amount: yuan(measure.amountFen), funding: measure.funding, period: "\(measure.startOn) — \(measure.endOn)",
                                          status: MeasureStatus(rawValue: measure.status)?.title.text(language) ?? measure.status, statusKey: measure.status,
                                          result: measure.result.isEmpty ? nil : measure.result,
                                          updateAction: canWrite ? "/households/\(id)/plans/\(plan.year)/measures/\(measure.id)" : nil,
                                          statusOptions: MeasureStatus.allCases.map {
                                              FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: $0.rawValue == measure.status)
                                          })
                          })
            },
            earlierPlans: allPlans.dropFirst().map {
                LocalizedText(zh: "\($0.year) 年第 \($0.version) 版（\($0.measures.count) 项，\($0.createdBy)，\(Timestamp.display($0.createdAt))）",
                              en: "\($0.year) version \($0.version) (\($0.measures.count) measures, \($0.createdBy), \(Timestamp.display($0.createdAt)))").text(language)
            },
            planYear: planYear,
            measureAction: canWrite ? "/households/\(id)/plans/\(planYear)/measures" : nil,
            categories: MeasureCategory.allCases.map { Choice(value: $0.rawValue, label: $0.title.text(language)) },
            measureStatuses: MeasureStatus.allCases.map { Choice(value: $0.rawValue, label: $0.title.text(language)) },
            planError: planError,
            visits: try await VisitLine.lines(visits.visits(ofHousehold: id), from: visits, today: today, canWrite: canWrite, language: language),
            visitHelpers: activeHelpers,
            visitAction: canWrite ? "/households/\(id)/visits" : nil, visitError: visitError,
            gridName: grid?.name, gridHref: grid.map { "/grids/\($0.id)" },
            honours: try await community.nominations(household: id).map {
                "\($0.year) \($0.typeName)\(language.colon)\($0.nominee) · " + ($0.winner ? Strings.text("honour_winner", language)
                    : Strings.text("honour_nominee", language) + language.parenthesised("\($0.votes) \(Strings.text("honour_votes", language))"))
            },
            attendance: attendance.prefix(20).map {
                CommunityLine(href: "/activities/\($0.activity.id)", text: "\($0.activity.heldOn) \($0.activity.title)",
                              detail: "\(ActivityKind(rawValue: $0.activity.kind)?.title.text(language) ?? "") · \($0.person)")
            },
            attendanceCount: attendance.count,
            projects: try await community.projects(ofHousehold: id).map {
                CommunityLine(href: "/projects/\($0.id)", text: $0.name,
                              detail: $0.job.map { $0.person + language.colon + $0.position } ?? Strings.text("project_beneficiary", language))
            },
            newIssueHref: canWrite ? "/divisions/\(draft.village)/issues/new?household=\(draft.number)" : nil)
        return try renderer.page(
            "household", title: "\(Strings.text("household_file", language)) \(draft.number)",
            crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                + [Crumb(name: Strings.text("households", language), href: "/divisions/\(draft.village)/households"),
                   Crumb(name: draft.number, href: nil)],
            body: body, request: request, context: context, status: status)
    }
}

