import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Helpers (帮扶责任人): the village's list, a helper's page, and assigning helpers to households.
struct HelperPages: Sendable {
    let helpers: HelperRepository
    let visits: VisitRepository
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/helpers", .pathDivision(.readRecords), use: list)
        routes.add(.post, "/divisions/:code/helpers", .pathDivision(.writeVillage), use: create)
        routes.add(.get, "/helpers/:id", .record(.readRecords, .helper), use: show)
        routes.add(.post, "/households/:id/helpers", .record(.writeRecords, .household), use: assign)
        routes.add(.post, "/households/:id/helpers/:assignment/end", .record(.writeRecords, .household), use: end)
        routes.add(.post, "/households/:id/helpers/:assignment/resume", .record(.writeRecords, .household), use: resume)
    }

    struct HelperLine: Sendable, Encodable {
        let href: String
        let name: String
        let unit: String
        let role: String
        let phone: String
        let period: String
        let households: Int
    }

    struct ListBody: Sendable, Encodable {
        let heading: String
        let rows: [HelperLine]
        let isEmpty: Bool
        let createAction: String?
        let roles: [FormModel.Option]
        let today: String
        let error: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await listPage(error: nil, request: request, context: context)
    }

    private func listPage(error: String?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let rows = try await helpers.helpers(in: code).map { line($0, language) }
        let body = ListBody(
            heading: "\(chain.last?.name ?? "") · \(Strings.text("helpers", language))", rows: rows, isEmpty: rows.isEmpty,
            createAction: DivisionPages.canWriteVillage(code, context) ? "/divisions/\(code)/helpers" : nil,
            roles: HelperRole.allCases.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == .pairedHelper) },
            today: settings.today, error: error)
        return try renderer.page("helpers", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("helpers", language), href: nil)],
                                 body: body, request: request, context: context, status: status)
    }

    struct HelperInput: Decodable {
        var name: String?
        var unit: String?
        var role: String?
        var phone: String?
        var from: String?
        var username: String?
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try DivisionPages.code(context)
        guard code.level == .village else { throw AppError.notFound(LocalizedText(zh: "帮扶责任人登记在村里", en: "Helpers are registered in a village")) }
        let input = try await request.decode(as: HelperInput.self, context: context)
        let username = input.username?.trimmingCharacters(in: .whitespaces)
        let draft = HelperDraft(name: (input.name ?? "").trimmingCharacters(in: .whitespaces), unit: input.unit ?? "",
                                role: HelperRole(rawValue: input.role ?? "") ?? .pairedHelper, phone: (input.phone ?? "").trimmingCharacters(in: .whitespaces),
                                from: (input.from ?? "").trimmingCharacters(in: .whitespaces), username: username?.isEmpty == false ? username : nil)
        do {
            let id = try await helpers.create(draft, village: code, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/helpers/\(id)"])
        } catch let failure as ValidationFailure {
            return try await listPage(error: failure.text(context.language),
                                      request: request, context: context, status: .badRequest)
        }
    }

    struct AssignmentLine: Sendable, Encodable {
        let householdHref: String
        let household: String
        let head: String
        let period: String
        let current: Bool
    }

    struct HelperBody: Sendable, Encodable {
        let line: HelperLine
        let current: [AssignmentLine]
        let past: [AssignmentLine]
        let visits: [HouseholdPages.VisitLine]
        let showHousehold = true
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let id = context.parameters.get("id", as: Int.self)!
        let row = try await helpers.helper(id)
        let code = try DivisionCode(validating: row.villageCode)
        let assignments = try await helpers.assignments(helper: id).map { assignment in
            AssignmentLine(householdHref: "/households/\(assignment.householdId)", household: assignment.householdNumber, head: assignment.headName ?? "—",
                           period: "\(assignment.fromDate) — \(assignment.toDate ?? "")", current: assignment.toDate == nil)
        }
        let body = HelperBody(
            line: line(row, language), current: assignments.filter(\.current), past: assignments.filter { !$0.current },
            visits: try await HouseholdPages.VisitLine.lines(visits.overdue(in: .helper(id), today: settings.today), from: visits, today: settings.today,
                                                             canWrite: false, language: language))
        let chain = try await divisions.chain(code)
        return try renderer.page("helper", title: row.name,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                                    + [Crumb(name: Strings.text("helpers", language), href: "/divisions/\(code)/helpers"), Crumb(name: row.name, href: nil)],
                                 body: body, request: request, context: context)
    }

    struct AssignInput: Decodable {
        var helper: Int?
        var from: String?
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: AssignInput.self, context: context)
        do {
            try await helpers.assign(helper: input.helper ?? 0, household: id, from: (input.from ?? "").trimmingCharacters(in: .whitespaces), by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)#helpers"])
    }

    @Sendable func end(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let assignment = context.parameters.get("assignment", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "没有这项结对", en: "No such assignment"))
        }
        try await helpers.end(assignment: assignment, household: id, on: settings.today, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/households/\(id)?ended=\(assignment)"])
    }

    /// Undoes the end of a pairing from the notice that said it.
    @Sendable func resume(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let assignment = context.parameters.get("assignment", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "没有这项结对", en: "No such assignment"))
        }
        do {
            try await helpers.resume(assignment: assignment, household: id, by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)#helpers"])
    }

    private func line(_ row: HelperRow, _ language: Language) -> HelperLine {
        HelperLine(href: "/helpers/\(row.id)", name: row.name, unit: row.unit, role: HelperRole(rawValue: row.role)?.title.text(language) ?? row.role,
                   phone: row.phone.isEmpty ? "—" : row.phone, period: "\(row.activeFrom) — \(row.activeTo ?? "")", households: row.households)
    }

}
