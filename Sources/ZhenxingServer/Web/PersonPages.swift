import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// A person's page (facts and memberships across households) and the form that edits their facts.
struct PersonPages: Sendable {
    let people: PersonRepository
    let registry: RegistryRepository
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/people/:id", .record(.readRecords, .person), use: show)
        routes.add(.get, "/people/:id/edit", .record(.writeRecords, .person), use: edit)
        routes.add(.post, "/people/:id", .record(.writeRecords, .person), use: save)
    }

    struct Fact: Encodable { let label: String; let value: String }
    struct MembershipRow: Encodable { let href: String; let number: String; let relation: String; let period: String }
    struct WorkRow: Encodable { let since: String; let labour: String; let employment: String; let monthsWorked: Int }
    struct Body: Encodable {
        let heading: String
        let residentID: String
        let revealAction: String?
        let editHref: String?
        let facts: [Fact]
        let work: [WorkRow]
        let memberships: [MembershipRow]
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let person = try await people.person(id)
        let village = try await registry.village(ofPerson: id)
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let yes = { (flag: Bool) in flag ? LocalizedText(zh: "是", en: "Yes").text(language) : LocalizedText(zh: "否", en: "No").text(language) }
        let facts = person.facts
        let identity = context.identity!
        let body = Body(
            heading: facts.name, residentID: (try? ResidentID(validating: person.residentID))?.masked ?? "—",
            revealAction: village.map { identity.can(.viewFullIDs, in: $0) } == true ? "/people/\(id)/full-id" : nil,
            editHref: village.map { identity.can(.writeRecords, in: $0) } == true ? "/people/\(id)/edit" : nil,
            facts: [
                Fact(label: t("sex"), value: ResidentID.Sex(rawValue: person.sex)?.title.text(language) ?? person.sex),
                Fact(label: t("birth_date"), value: person.birthDate), Fact(label: t("ethnicity"), value: facts.ethnicity),
                Fact(label: t("education"), value: facts.education), Fact(label: t("in_school"), value: facts.inSchool.isEmpty ? "—" : facts.inSchool),
                Fact(label: t("health"), value: facts.health),
                Fact(label: t("labour"), value: facts.labour), Fact(label: t("employment"), value: facts.employment.isEmpty ? "—" : facts.employment),
                Fact(label: t("months_worked"), value: String(facts.monthsWorked)), Fact(label: t("medical_insurance"), value: yes(facts.medicalInsurance)),
                Fact(label: t("pension_insurance"), value: yes(facts.pensionInsurance)), Fact(label: t("party_member"), value: yes(facts.partyMember)),
                Fact(label: t("phone"), value: facts.phone.isEmpty ? "—" : facts.phone),
            ],
            work: person.work.reversed().map {
                WorkRow(since: $0.since, labour: $0.labour, employment: $0.employment.isEmpty ? "—" : $0.employment, monthsWorked: $0.monthsWorked)
            },
            memberships: person.memberships.map {
                MembershipRow(href: "/households/\($0.household)", number: $0.number,
                              relation: Relation(rawValue: $0.relation)?.title.text(language) ?? $0.relation,
                              period: "\($0.from) \(Strings.storedValue($0.reasonIn, language))" + ($0.to.map { to in " — \(to)" } ?? "")
                                  + ($0.reasonOut.map { " \(Strings.storedValue($0, language))" } ?? ""))
            })
        var crumbs = [Crumb(name: facts.name, href: nil)]
        if let village, let last = person.memberships.last {
            crumbs.insert(contentsOf: [
                Crumb(name: t("households"), href: "/divisions/\(village)/households"),
                Crumb(name: last.number, href: "/households/\(last.household)"),
            ], at: 0)
        }
        return try renderer.page("person", title: facts.name, crumbs: crumbs, body: body, request: request, context: context)
    }

    struct Input: Decodable {
        var version: Int?
        var name: String?
        var ethnicity: String?
        var education: String?
        var inSchool: String?
        var health: String?
        var labour: String?
        var employment: String?
        var monthsWorked: String?
        var workSince: String?
        var flags: [String]?
        var phone: String?
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let person = try await people.person(id)
        let facts = person.facts
        let flags = [("medical", facts.medicalInsurance), ("pension", facts.pensionInsurance), ("party", facts.partyMember)].filter(\.1).map(\.0)
        let input = Input(version: person.version, name: facts.name, ethnicity: facts.ethnicity, education: facts.education, inSchool: facts.inSchool,
                          health: facts.health, labour: facts.labour, employment: facts.employment, monthsWorked: String(facts.monthsWorked), workSince: settings.today,
                          flags: flags, phone: facts.phone)
        return try form(input, id: id, issues: [], conflict: false, request: request, context: context)
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: Input.self, context: context)
        let flags = Set(input.flags ?? [])
        var issues: [FieldIssue] = []
        let months = Int(input.monthsWorked ?? "0")
        if months == nil { issues.append(FieldIssue(field: "monthsWorked", message: LocalizedText(zh: "请填写整数", en: "Enter a whole number"))) }
        let facts = PersonFacts(
            name: input.name ?? "", ethnicity: input.ethnicity ?? "", education: input.education ?? "", inSchool: input.inSchool ?? "",
            health: input.health ?? "",
            labour: input.labour ?? "", employment: input.employment ?? "", monthsWorked: months ?? 0,
            medicalInsurance: flags.contains("medical"), pensionInsurance: flags.contains("pension"), partyMember: flags.contains("party"),
            phone: (input.phone ?? "").trimmingCharacters(in: .whitespaces))
        issues += facts.problems()
        guard issues.isEmpty, let village = try await registry.village(ofPerson: id) else {
            return try form(input, id: id, issues: issues, conflict: false, request: request, context: context, status: .badRequest)
        }
        do {
            try await people.update(id, to: facts, workSince: (input.workSince ?? "").trimmingCharacters(in: .whitespaces), today: settings.today,
                                    expectedVersion: input.version ?? -1, division: village, by: context.actor)
        } catch let failure as ValidationFailure {
            return try form(input, id: id, issues: failure.issues, conflict: false, request: request, context: context, status: .badRequest)
        } catch StoreError.staleVersion(_, let current) {
            var kept = input
            kept.version = current
            return try form(kept, id: id, issues: [], conflict: true, request: request, context: context, status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/people/\(id)"])
    }

    private func form(_ input: Input, id: Int, issues: [FieldIssue], conflict: Bool, request: Request, context: AppRequestContext,
                      status: HTTPResponse.Status = .ok) throws -> Response {
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let text = { (name: String, label: String, value: String?) in
            FormModel.field(name, t(label), .text, values: [value ?? ""], issues: issues, language: language)
        }
        let heading = "\(t("edit_person")) \(input.name ?? "")"
        let model = FormModel(
            heading: heading, action: "/people/\(id)", cancelHref: "/people/\(id)", version: input.version,
            fields: [
                text("name", "display_name", input.name), text("ethnicity", "ethnicity", input.ethnicity),
                text("education", "education", input.education), text("inSchool", "in_school", input.inSchool),
                text("health", "health", input.health),
                text("labour", "labour", input.labour), text("employment", "employment", input.employment),
                text("monthsWorked", "months_worked", input.monthsWorked),
                FormModel.field("workSince", t("work_since"), .date, values: [input.workSince ?? ""], issues: issues, language: language),
                text("phone", "phone", input.phone),
                FormModel.field("flags", t("insurance_and_party"), .checks([
                    ("medical", t("medical_insurance")), ("pension", t("pension_insurance")), ("party", t("party_member")),
                ]), values: input.flags ?? [], issues: issues, language: language),
            ],
            hasErrors: !issues.isEmpty, conflict: [], hasConflict: conflict)
        return try renderer.page("form", title: heading, crumbs: [Crumb(name: input.name ?? "", href: "/people/\(id)"), Crumb(name: t("edit"), href: nil)],
                                 body: model, request: request, context: context, status: status)
    }
}
