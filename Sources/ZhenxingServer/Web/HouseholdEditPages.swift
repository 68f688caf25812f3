import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Creating and editing households, registering and ending members, recording status changes.
struct HouseholdEditPages: Sendable {
    let registry: RegistryRepository
    let profiles: VillageProfileRepository
    let records: RecordLocator
    let renderer: PageRenderer
    let settings: AppSettings

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/households/new", .pathDivision(.writeVillage), use: new)
        routes.add(.post, "/divisions/:code/households", .pathDivision(.writeVillage), use: create)
        routes.add(.get, "/households/:id/edit", .record(.writeRecords, .household), use: edit)
        routes.add(.post, "/households/:id", .record(.writeRecords, .household), use: update)
        routes.add(.get, "/households/:id/members/new", .record(.writeRecords, .household), use: newMember)
        routes.add(.post, "/households/:id/members", .record(.writeRecords, .household), use: addMember)
        routes.add(.post, "/households/:id/members/:person/end", .record(.writeRecords, .household), use: endMember)
        routes.add(.post, "/households/:id/members/:person/resume", .record(.writeRecords, .household), use: resumeMember)
        routes.add(.post, "/households/:id/status", .record(.approveStatus, .household), use: changeStatus)
        routes.add(.post, "/households/:id/close", .record(.writeRecords, .household), use: close)
        routes.add(.post, "/households/:id/reopen", .record(.writeRecords, .household), use: reopen)
    }

    /// The household form as posted.
    struct HouseholdInput: Decodable {
        var version: Int?
        var number: String
        var group: String?
        var naturalVillage: String?
        var address: String?
        var attribute: String?
        var mainCause: String?
        var otherCauses: [String]?
        var headName: String?
        var headID: String?
        var from: String?
    }

    // MARK: Household

    @Sendable func new(_ request: Request, context: AppRequestContext) async throws -> Response {
        let village = try await villageProfile(context)
        let input = HouseholdInput(number: "", attribute: HouseholdAttribute.ordinary.rawValue, from: settings.today)
        return try await householdForm(input, village: village, householdID: nil, issues: [], conflict: nil, request: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let village = try await villageProfile(context)
        let input = try await request.decode(as: HouseholdInput.self, context: context)
        var issues: [FieldIssue] = []
        let draft = Self.draft(input, village: village.village.code, issues: &issues)
        var head: PersonDraft?
        do {
            head = PersonDraft(name: (input.headName ?? "").trimmingCharacters(in: .whitespaces),
                               residentID: try ResidentID(validating: input.headID ?? ""))
            issues += head!.problems().map { FieldIssue(field: $0.field == "name" ? "headName" : $0.field, message: $0.message) }
        } catch {
            issues += error.issues.map { FieldIssue(field: "headID", message: $0.message) }
        }
        let from = Self.date(input.from, field: "from", issues: &issues)
        guard issues.isEmpty, let head else {
            return try await householdForm(input, village: village, householdID: nil, issues: issues, conflict: nil,
                                           request: request, context: context, status: .badRequest)
        }
        do {
            let id = try await registry.createHousehold(draft, head: head, from: from, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
        } catch let failure as ValidationFailure {
            let mapped = failure.issues.map { FieldIssue(field: $0.field == "residentID" ? "headID" : $0.field, message: $0.message) }
            return try await householdForm(input, village: village, householdID: nil, issues: mapped, conflict: nil,
                                           request: request, context: context, status: .badRequest)
        }
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let file = try await registry.file(id)
        let village = try await profiles.get(file.draft.village)
        return try await householdForm(Self.input(file.draft, version: file.version), village: village, householdID: id,
                                       issues: [], conflict: nil, request: request, context: context)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let file = try await registry.file(id)
        let village = try await profiles.get(file.draft.village)
        let input = try await request.decode(as: HouseholdInput.self, context: context)
        var issues: [FieldIssue] = []
        let draft = Self.draft(input, village: file.draft.village, issues: &issues)
        guard issues.isEmpty else {
            return try await householdForm(input, village: village, householdID: id, issues: issues, conflict: nil,
                                           request: request, context: context, status: .badRequest)
        }
        do {
            try await registry.updateHousehold(id, to: draft, expectedVersion: input.version ?? -1, by: context.actor)
        } catch let failure as ValidationFailure {
            return try await householdForm(input, village: village, householdID: id, issues: failure.issues, conflict: nil,
                                           request: request, context: context, status: .badRequest)
        } catch StoreError.staleVersion {
            let current = try await registry.file(id)
            var kept = input
            kept.version = current.version
            return try await householdForm(kept, village: village, householdID: id, issues: [],
                                           conflict: Self.input(current.draft, version: current.version),
                                           request: request, context: context, status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
    }

    // MARK: Members

    struct MemberInput: Decodable {
        var name: String?
        var residentID: String?
        var birthDate: String?
        var relation: String?
        var from: String?
        var reason: String?
    }

    static let joinReasons = ["出生", "婚入", "迁入", "分户迁入", "登记"]
    static let leaveReasons = ["死亡", "迁出", "婚出", "分户"]

    @Sendable func newMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await memberForm(MemberInput(from: settings.today, reason: "出生"), issues: [], request: request, context: context)
    }

    @Sendable func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: MemberInput.self, context: context)
        var issues: [FieldIssue] = []
        var person: PersonDraft?
        do {
            let resident = try ResidentID(validating: input.residentID ?? "")
            person = PersonDraft(name: (input.name ?? "").trimmingCharacters(in: .whitespaces), residentID: resident)
            issues += person!.problems()
            if let typed = input.birthDate, !typed.isEmpty, typed != resident.birthDate {
                issues.append(FieldIssue(field: "birthDate", message: LocalizedText(
                    zh: "出生日期 \(typed) 与身份证号中的 \(resident.birthDate) 不一致", en: "The birth date \(typed) contradicts the ID number's \(resident.birthDate)")))
            }
        } catch {
            issues += error.issues
        }
        let relation = Relation(rawValue: input.relation ?? "")
        if relation == nil || relation == .head {
            issues.append(FieldIssue(field: "relation", message: LocalizedText(zh: "请选择与户主关系", en: "Choose the relation to the head")))
        }
        let from = Self.date(input.from, field: "from", issues: &issues)
        let reason = Self.joinReasons.contains(input.reason ?? "") ? input.reason! : ""
        if reason.isEmpty { issues.append(FieldIssue(field: "reason", message: LocalizedText(zh: "请选择加入原因", en: "Choose why they joined"))) }
        guard issues.isEmpty, let person, let relation else {
            return try await memberForm(input, issues: issues, request: request, context: context, status: .badRequest)
        }
        do {
            // Moving a villager out of another household writes to that household too: the caller must reach it.
            let identity = context.identity, records = records
            _ = try await registry.addMember(person, household: id, relation: relation, from: from, reason: reason, by: context.actor) { source in
                guard let identity, let village = try await records.village(of: .household, source) else { return false }
                return try await records.allows(identity, .writeRecords, .household, source, in: village)
            }
        } catch let failure as ValidationFailure {
            return try await memberForm(input, issues: failure.issues, request: request, context: context, status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
    }

    struct EndInput: Decodable { let date: String; let reason: String }

    @Sendable func endMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let person = context.parameters.get("person", as: Int.self) else { throw AppError.notFound(LocalizedText(zh: "找不到这个人", en: "No such person")) }
        let input = try await request.decode(as: EndInput.self, context: context)
        var issues: [FieldIssue] = []
        let date = Self.date(input.date, field: "date", issues: &issues)
        guard issues.isEmpty, Self.leaveReasons.contains(input.reason) else {
            throw AppError(.badRequest, LocalizedText(zh: "请填写离开日期和原因", en: "Give the leaving date and reason"), issues: issues)
        }
        do {
            try await registry.endMember(person: person, household: id, on: date, reason: input.reason, by: context.actor)
        } catch StoreError.notFound {
            throw AppError.notFound(LocalizedText(zh: "此人不是该户现有成员", en: "Not a current member of this household"))
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)?left=\(person)"])
    }

    /// Undoes a member's leaving from the notice that said it.
    @Sendable func resumeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let person = context.parameters.get("person", as: Int.self) else { throw AppError.notFound(LocalizedText(zh: "找不到这个人", en: "No such person")) }
        do {
            try await registry.resumeMember(person: person, household: id, by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)#members"])
    }

    // MARK: Closing

    struct CloseInput: Decodable { let date: String; let reason: String }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: CloseInput.self, context: context)
        var issues: [FieldIssue] = []
        let date = Self.date(input.date, field: "date", issues: &issues)
        guard issues.isEmpty else { throw AppError(.badRequest, LocalizedText(zh: "请填写注销日期", en: "Give the closing date"), issues: issues) }
        do {
            try await registry.closeHousehold(id, on: date, reason: input.reason, by: context.actor)
        } catch let failure as ValidationFailure {
            throw AppError(.badRequest, failure.issues[0].message, issues: failure.issues)
        }
        return Response(status: .seeOther, headers: [.location: "/households/\(id)?closed=1"])
    }

    /// Undoes the closing from the notice that said it.
    @Sendable func reopen(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        try await registry.reopenHousehold(id, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
    }

    // MARK: Status

    struct StatusInput: Decodable { let status: String; let kind: String?; let date: String; let reason: String; let decidedBy: String; let override: String? }

    @Sendable func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: StatusInput.self, context: context)
        var issues: [FieldIssue] = []
        let date = Self.date(input.date, field: "date", issues: &issues)
        guard let status = PovertyStatus(rawValue: input.status) else {
            throw AppError(.badRequest, LocalizedText(zh: "请选择状态", en: "Choose a status"))
        }
        let kind = input.kind.flatMap(MonitoringKind.init)
        if status == .monitored && kind == nil {
            issues.append(FieldIssue(field: "kind", message: LocalizedText(zh: "监测户须选择监测类型", en: "A monitored household needs a kind")))
        }
        for (field, value) in [("reason", input.reason), ("decidedBy", input.decidedBy)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: field, message: LocalizedText(zh: "不能为空", en: "Required")))
        }
        guard issues.isEmpty else {
            throw AppError(.badRequest, LocalizedText(zh: "状态变更信息不完整", en: "The status change is incomplete"), issues: issues)
        }
        try await registry.changeStatus(
            StatusChange(date: date, status: status, monitoringKind: status == .monitored ? kind : nil, reason: input.reason, decidedBy: input.decidedBy,
                         override: input.override),
            household: id, by: context.actor)
        return Response(status: .seeOther, headers: [.location: "/households/\(id)"])
    }

    // MARK: Shared


    private func villageProfile(_ context: AppRequestContext) async throws -> StoredVillageProfile {
        do {
            return try await profiles.get(try DivisionPages.code(context))
        } catch StoreError.notFound {
            throw AppError.notFound(LocalizedText(zh: "只能在村里登记农户", en: "Households are registered in a village"))
        }
    }

    static func date(_ text: String?, field: String, issues: inout [FieldIssue]) -> String {
        let value = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard Day.isValid(value) else {
            issues.append(FieldIssue.notADay(field))
            return ""
        }
        return value
    }

    static func draft(_ input: HouseholdInput, village: DivisionCode, issues: inout [FieldIssue]) -> HouseholdDraft {
        let attribute = HouseholdAttribute(rawValue: input.attribute ?? "")
        if attribute == nil {
            issues.append(FieldIssue(field: "attribute", message: LocalizedText(zh: "请选择户属性", en: "Choose the attribute")))
        }
        let draft = HouseholdDraft(
            number: input.number.trimmingCharacters(in: .whitespaces), village: village, groupNumber: input.group.flatMap { Int($0) },
            naturalVillage: input.naturalVillage.flatMap { $0.isEmpty ? nil : $0 }, address: (input.address ?? "").trimmingCharacters(in: .whitespaces),
            attribute: attribute ?? .ordinary, mainCause: input.mainCause.flatMap(PovertyCause.init),
            otherCauses: (input.otherCauses ?? []).compactMap(PovertyCause.init))
        issues += draft.problems()
        return draft
    }

    static func input(_ draft: HouseholdDraft, version: Int) -> HouseholdInput {
        HouseholdInput(
            version: version, number: draft.number, group: draft.groupNumber.map(String.init), naturalVillage: draft.naturalVillage,
            address: draft.address, attribute: draft.attribute.rawValue, mainCause: draft.mainCause?.rawValue,
            otherCauses: draft.otherCauses.map(\.rawValue))
    }

    private func householdForm(
        _ input: HouseholdInput, village: StoredVillageProfile, householdID: Int?, issues: [FieldIssue], conflict: HouseholdInput?,
        request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let causes = PovertyCause.allCases.map { ($0.rawValue, $0.title.text(language)) }
        func fields(_ input: HouseholdInput) -> [FormModel.Field] {
            var list = [
                FormModel.field("number", t("household_number"), .text, values: [input.number], issues: issues, language: language),
                FormModel.field("group", t("group_number"), .select(village.profile.groups.map { (String($0.number), $0.name) }),
                                values: [input.group ?? ""], issues: issues, language: language),
                FormModel.field("naturalVillage", t("natural_village"), .select(village.profile.naturalVillages.map { ($0, $0) }),
                                values: [input.naturalVillage ?? ""], issues: issues, language: language),
                FormModel.field("address", t("home_address"), .text, values: [input.address ?? ""], issues: issues, language: language),
                FormModel.field("attribute", t("attribute"), .select(HouseholdAttribute.allCases.map { ($0.rawValue, $0.title.text(language)) }),
                                values: [input.attribute ?? ""], issues: issues, language: language),
                FormModel.field("mainCause", t("main_cause"), .select(causes), values: [input.mainCause ?? ""], issues: issues, language: language),
                FormModel.field("otherCauses", t("other_causes"), .checks(causes), values: input.otherCauses ?? [], issues: issues, language: language),
            ]
            if householdID == nil {
                list += [
                    FormModel.field("headName", t("head_name"), .text, values: [input.headName ?? ""], issues: issues, language: language),
                    FormModel.field("headID", t("head_id"), .text, values: [input.headID ?? ""], hint: t("hint_resident_id"), issues: issues, language: language),
                    FormModel.field("from", t("registered_on"), .date, values: [input.from ?? ""], issues: issues, language: language),
                ]
            }
            return list
        }
        let shown = fields(input)
        let differences = conflict.map { FormModel.differences(saved: fields($0), shown: shown) } ?? []
        let code = village.village.code
        let heading = householdID == nil ? "\(village.village.name) · \(t("new_household"))" : "\(t("edit_household")) \(input.number)"
        let model = FormModel(
            heading: heading, action: householdID.map { "/households/\($0)" } ?? "/divisions/\(code)/households",
            cancelHref: householdID.map { "/households/\($0)" } ?? "/divisions/\(code)/households", version: input.version,
            fields: shown, hasErrors: !issues.isEmpty, conflict: differences, hasConflict: conflict != nil,
            offline: householdID == nil ? nil : heading)
        return try renderer.page("form", title: heading, crumbs: [
            Crumb(name: village.village.name, href: "/divisions/\(code)"),
            Crumb(name: t("households"), href: "/divisions/\(code)/households"), Crumb(name: heading, href: nil),
        ], body: model, request: request, context: context, status: status)
    }

    private func memberForm(_ input: MemberInput, issues: [FieldIssue], request: Request, context: AppRequestContext,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let file = try await registry.file(id)
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let relations = Relation.allCases.filter { $0 != .head }.map { ($0.rawValue, $0.title.text(language)) }
        let heading = "\(t("household_number")) \(file.draft.number) · \(t("new_member"))"
        let model = FormModel(
            heading: heading, action: "/households/\(id)/members", cancelHref: "/households/\(id)", version: nil,
            fields: [
                FormModel.field("name", t("display_name"), .text, values: [input.name ?? ""], issues: issues, language: language),
                FormModel.field("residentID", t("resident_id"), .text, values: [input.residentID ?? ""], hint: t("hint_resident_id"), issues: issues, language: language),
                FormModel.field("birthDate", t("birth_date"), .date, values: [input.birthDate ?? ""], hint: t("hint_birth_date"), issues: issues, language: language),
                FormModel.field("relation", t("relation"), .select(relations), values: [input.relation ?? ""], issues: issues, language: language),
                FormModel.field("from", t("joined_on"), .date, values: [input.from ?? ""], issues: issues, language: language),
                FormModel.field("reason", t("join_reason"), .select(Self.joinReasons.map { ($0, Strings.storedValue($0, language)) }), values: [input.reason ?? ""], issues: issues, language: language),
            ],
            hasErrors: !issues.isEmpty, conflict: [], hasConflict: false)
        return try renderer.page("form", title: heading, crumbs: [
            Crumb(name: t("households"), href: "/divisions/\(file.draft.village)/households"),
            Crumb(name: file.draft.number, href: "/households/\(id)"), Crumb(name: t("new_member"), href: nil),
        ], body: model, request: request, context: context, status: status)
    }
}
