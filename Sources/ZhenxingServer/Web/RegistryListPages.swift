import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// The people of a division on a date and the assessments of a year, each a list page with filters and an export of
/// what it shows. ID numbers stay masked; the people export has them in full only for a user with the right who asks,
/// recorded in the audit log.
struct RegistryListPages: Sendable {
    let registry: RegistryRepository
    let divisions: DivisionRepository
    let audit: AuditLog
    let renderer: PageRenderer
    let settings: AppSettings

    static let pageSize = 50

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/people", .pathDivision(.readRecords), use: people)
        routes.add(.get, "/divisions/:code/people/export", .pathDivision(.readRecords), use: exportPeople)
        routes.add(.get, "/divisions/:code/assessments", .pathDivision(.readRecords), use: assessments)
        routes.add(.get, "/divisions/:code/assessments/export", .pathDivision(.readRecords), use: exportAssessments)
    }

    typealias Option = FormModel.Option

    // MARK: People

    struct PersonLine: Sendable, Encodable {
        let href: String
        let household: String
        let group: String
        let name: String
        let residentID: String
        let sex: String
        let birthDate: String
        let relation: String
        let health: String
        let labour: String
        let employment: String
    }
    struct PeopleBody: Sendable, Encodable {
        let heading: String
        let action: String
        let date: String
        let search: String
        let works: [Option]
        let rows: [PersonLine]
        let nextHref: String?
        let exportHref: String
        let exportFullHref: String?
    }

    private func peopleFilter(_ request: Request) throws -> (work: WorkFilter?, search: String?, date: String) {
        let date = request.query("date").flatMap { Day.isValid($0) ? $0 : nil } ?? settings.today
        return (try request.query("work").map { try WorkFilter.named($0, field: "work") }, request.query("q"), date)
    }

    @Sendable func people(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let (work, search, date) = try peopleFilter(request)
        let found = try await registry.people(in: code, work: work, search: search, asOf: date, after: request.query("after"), limit: Self.pageSize)
        let body = PeopleBody(
            heading: "\(chain.last?.name ?? "") · \(Strings.text("people_list", language))", action: "/divisions/\(code)/people", date: date,
            search: search ?? "",
            works: WorkFilter.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == work) },
            rows: found.map { row in
                PersonLine(href: "/households/\(row.householdId)", household: row.householdNumber, group: row.groupNumber.map(String.init) ?? "—",
                           name: row.name, residentID: (try? ResidentID(validating: row.residentId).masked) ?? "",
                           sex: ResidentID.Sex(rawValue: row.sex)?.title.text(language) ?? row.sex, birthDate: row.birthDate,
                           relation: Relation(rawValue: row.relation)?.title.text(language) ?? row.relation, health: row.health,
                           labour: row.labour, employment: row.employment)
            },
            nextHref: found.count == Self.pageSize ? found.last.map {
                request.nextPage("/divisions/\(code)/people", key: ("after", $0.key), keeping: ["date", "work", "q"])
            } : nil,
            exportHref: request.link("/divisions/\(code)/people/export", keeping: ["date", "work", "q"]),
            exportFullHref: context.identity?.can(.viewFullIDs, in: code) == true
                ? request.link("/divisions/\(code)/people/export", keeping: ["date", "work", "q"], and: [("ids", "full")]) : nil)
        return try renderer.page("people", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("people_list", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    /// The people list as shown, as xlsx or CSV; `ids=full` only for a user with the right to full ID numbers.
    @Sendable func exportPeople(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let (work, search, date) = try peopleFilter(request)
        let fullIDs = request.query("ids") == "full"
        if fullIDs, context.identity?.can(.viewFullIDs, in: code) != true { throw AppError.forbidden }
        return try await TableExport(settings: settings, audit: audit).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-人口信息-\(date)", sheet: "人口信息",
            entity: fullIDs ? .peopleFullIds : .people) {
            try await PeopleListExport.write(division: code, work: work, search: search, asOf: date, fullIDs: fullIDs, language: context.language,
                                             registry: registry, to: $0)
        }
    }

    // MARK: Assessments

    struct AssessmentLine: Sendable, Encodable {
        let href: String
        let household: String
        let head: String
        let members: Int
        let net: String
        let perCapita: String
        let passes: Bool
        let failing: String
    }
    struct AssessmentsBody: Sendable, Encodable {
        let heading: String
        let action: String
        let year: Int
        let group: String
        let line: String
        let rows: [AssessmentLine]
        let nextHref: String?
        let exportHref: String
    }

    @Sendable func assessments(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        let group = request.query("group").flatMap(Int.init)
        let found = try await registry.assessments(in: code, year: year, group: group, after: request.query("after"), limit: Self.pageSize)
        let line = try await registry.parameters(for: code, year: year).povertyLineFen
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        let body = AssessmentsBody(
            heading: "\(chain.last?.name ?? "") · \(year) \(Strings.text("assessments_of_year", language))", action: "/divisions/\(code)/assessments",
            year: year, group: group.map(String.init) ?? "", line: line.map(yuan) ?? "—",
            rows: found.map { row in
                let assessment = row.assessment
                let checks = line.map {
                    ExitRules.household(income: assessment.income, members: assessment.members, guarantees: assessment.guarantees, povertyLineFen: $0)
                } ?? []
                return AssessmentLine(
                    href: "/households/\(row.householdId)", household: row.householdNumber, head: row.headName ?? "—", members: assessment.members,
                    net: yuan(assessment.income.netIncome), perCapita: assessment.income.perCapita(members: assessment.members).map(yuan) ?? "—",
                    passes: !checks.isEmpty && checks.allSatisfy(\.passes),
                    failing: checks.filter { !$0.passes }.map { $0.item.text(language) }.joined(separator: "；"))
            },
            nextHref: found.count == Self.pageSize ? found.last.map {
                request.nextPage("/divisions/\(code)/assessments", key: ("after", $0.key), keeping: ["year", "group"])
            } : nil,
            exportHref: request.link("/divisions/\(code)/assessments/export", keeping: ["group"], and: [("year", String(year))]))
        return try renderer.page("assessments", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("assessments", language), href: nil)],
                                 body: body, request: request, context: context)
    }

    /// The year's assessments as shown, as xlsx or CSV.
    @Sendable func exportAssessments(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        let group = request.query("group").flatMap(Int.init)
        return try await TableExport(settings: settings, audit: audit).respond(
            request, context: context, division: code, name: "\(chain.last?.name ?? code.rawValue)-\(year)年收入核算", sheet: "收入核算", entity: .assessments) {
            try await AssessmentListExport.write(division: code, year: year, group: group, language: context.language, registry: registry, to: $0)
        }
    }
}
