import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Entering a household's yearly assessment (年度核查): the income sheet in yuan and the five guarantees.
struct AssessmentPages: Sendable {
    let registry: RegistryRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/households/:id/assessments/new", .record(.writeRecords, .household), use: new)
        routes.add(.post, "/households/:id/assessments", .record(.writeRecords, .household), use: save)
    }

    /// The form as posted: amounts as the user typed them, in yuan.
    struct Input: Decodable {
        var version: Int?
        var year: String?
        var members: String?
        var wages: String?
        var production: String?
        var property: String?
        var transfers: String?
        var productionCosts: String?
        var medicalSpending: String?
        var schoolingSpending: String?
        var guarantees: [String]?
        var note: String?
    }

    static let incomeFields = ["wages": "income_wages", "production": "income_production", "property": "income_property",
                               "transfers": "income_transfers", "productionCosts": "income_costs",
                               "medicalSpending": "spending_medical", "schoolingSpending": "spending_schooling"]
    static let guaranteeKeys = ["foodAndClothing", "education", "medical", "housing", "water"]

    @Sendable func new(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let file = try await registry.file(id)
        let year = request.query("year").flatMap(Int.init) ?? settings.thisYear
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, grouped: false) }
        let input: Input
        if let existing = file.assessments.first(where: { $0.year == year }) {
            let income = existing.income, guarantees = existing.guarantees
            input = Input(
                version: existing.version, year: String(year), members: String(existing.members), wages: yuan(income.wages), production: yuan(income.production),
                property: yuan(income.property), transfers: yuan(income.transfers), productionCosts: yuan(income.productionCosts),
                medicalSpending: yuan(existing.spending.medical), schoolingSpending: yuan(existing.spending.schooling),
                guarantees: zip(Self.guaranteeKeys, [guarantees.foodAndClothing, guarantees.education, guarantees.medical,
                                                    guarantees.housing, guarantees.water]).filter(\.1).map(\.0),
                note: existing.note)
        } else {
            input = Input(version: 0, year: String(year), members: String(file.members.filter { $0.toDate == nil }.count), guarantees: [])
        }
        return try form(input, file: file, issues: [], conflict: false, request: request, context: context)
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let file = try await registry.file(id)
        let input = try await request.decode(as: Input.self, context: context)
        var issues: [FieldIssue] = []
        let year = Int(input.year ?? "").flatMap { FieldIssue.years.contains($0) ? $0 : nil }
        if year == nil { issues.append(FieldIssue.yearOutOfRange()) }
        let members = Int(input.members ?? "").flatMap { (0...50).contains($0) ? $0 : nil }
        if members == nil { issues.append(FieldIssue(field: "members", message: LocalizedText(zh: "人数应在 0 到 50 之间", en: "Members must be 0 to 50"))) }
        func amount(_ field: String, _ text: String?) -> Int {
            guard let fen = FixedPoint.parse((text ?? "").isEmpty ? "0" : text!, scale: 2) else {
                issues.append(FieldIssue(field: field, message: LocalizedText(zh: "请填写金额（元），最多 2 位小数", en: "Enter an amount in yuan, at most 2 decimals")))
                return 0
            }
            return fen
        }
        let income = IncomeSheet(
            wages: amount("wages", input.wages), production: amount("production", input.production), property: amount("property", input.property),
            transfers: amount("transfers", input.transfers), productionCosts: amount("productionCosts", input.productionCosts))
        let spending = RigidSpending(medical: amount("medicalSpending", input.medicalSpending), schooling: amount("schoolingSpending", input.schoolingSpending))
        issues += income.problems() + spending.problems()
        let held = Set(input.guarantees ?? [])
        let guarantees = Guarantees(
            foodAndClothing: held.contains("foodAndClothing"), education: held.contains("education"), medical: held.contains("medical"),
            housing: held.contains("housing"), water: held.contains("water"))
        guard issues.isEmpty, let year, let members else {
            return try form(input, file: file, issues: issues, conflict: false, request: request, context: context, status: .badRequest)
        }
        do {
            try await registry.saveAssessment(
                Assessment(year: year, members: members, income: income, guarantees: guarantees, spending: spending, note: input.note ?? ""),
                household: id, expectedVersion: input.version ?? 0, by: context.actor)
        } catch StoreError.staleVersion(_, let current) {
            var kept = input
            kept.version = current
            return try form(kept, file: try await registry.file(id), issues: [], conflict: true, request: request, context: context, status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
    }

    private func form(_ input: Input, file: HouseholdFile, issues: [FieldIssue], conflict: Bool, request: Request, context: AppRequestContext,
                      status: HTTPResponse.Status = .ok) throws -> Response {
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let guarantees = Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true).items
        var fields = [
            FormModel.field("year", t("year"), .text, values: [input.year ?? ""], issues: issues, language: language),
            FormModel.field("members", t("members_counted"), .text, values: [input.members ?? ""], issues: issues, language: language),
        ]
        for (field, key) in [("wages", input.wages), ("production", input.production), ("property", input.property),
                             ("transfers", input.transfers), ("productionCosts", input.productionCosts),
                             ("medicalSpending", input.medicalSpending), ("schoolingSpending", input.schoolingSpending)] {
            fields.append(FormModel.field(field, t(Self.incomeFields[field]!), .text, values: [key ?? ""], hint: t("hint_yuan"), issues: issues, language: language))
        }
        fields.append(FormModel.field("guarantees", t("guarantees"), .checks(zip(Self.guaranteeKeys, guarantees.map { $0.name.text(language) }).map { ($0, $1) }),
                                      values: input.guarantees ?? [], issues: issues, language: language))
        fields.append(FormModel.field("note", t("note"), .text, values: [input.note ?? ""], issues: issues, language: language))
        let heading = "\(t("household_number")) \(file.draft.number) · \(t("assessments"))"
        let model = FormModel(heading: heading, action: "/households/\(file.id)/assessments", cancelHref: "/households/\(file.id)",
                              version: input.version, fields: fields, hasErrors: !issues.isEmpty, conflict: [], hasConflict: conflict)
        return try renderer.page("form", title: heading, crumbs: [
            Crumb(name: t("households"), href: "/divisions/\(file.draft.village)/households"),
            Crumb(name: file.draft.number, href: "/households/\(file.id)"), Crumb(name: t("assessments"), href: nil),
        ], body: model, request: request, context: context, status: status)
    }
}
