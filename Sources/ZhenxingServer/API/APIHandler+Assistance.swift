import Foundation
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// Helpers, plans, visits, measures and the party organisation over the API.
extension APIHandler {
    func listHelpers(_ input: Operations.ListHelpers.Input) async throws -> Operations.ListHelpers.Output {
        let code = try await readableDivision(input.path.code)
        let helpers = try await HelperRepository(database: registry.database).helpers(in: code)
        return .ok(.init(body: .json(.init(items: helpers.map(Self.schema)))))
    }

    func createHelper(_ input: Operations.CreateHelper.Input) async throws -> Operations.CreateHelper.Output {
        let code = try await writableVillage(input.path.code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard let role = HelperRole(rawValue: body.role) else {
            throw ValidationFailure([FieldIssue(field: "role", message: LocalizedText(
                zh: "身份应为：\(HelperRole.allCases.map(\.rawValue).joined(separator: "、"))", en: "The role must be one of: \(HelperRole.allCases.map(\.rawValue).joined(separator: ", "))"))])
        }
        let helpers = HelperRepository(database: registry.database)
        let id = try await helpers.create(HelperDraft(name: body.name, unit: body.unit, role: role, phone: body.phone ?? "", from: body.from, to: body.to,
                                                      username: body.username), village: code, by: RequestScope.actor)
        return .created(.init(body: .json(Self.schema(try await helpers.helper(id)))))
    }

    func listHouseholdHelpers(_ input: Operations.ListHouseholdHelpers.Input) async throws -> Operations.ListHouseholdHelpers.Output {
        _ = try await authorizeRecord(.household, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await assignmentList(input.path.id))))
    }

    func assignHelper(_ input: Operations.AssignHelper.Input) async throws -> Operations.AssignHelper.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await HelperRepository(database: registry.database).assign(helper: body.helperId, household: id, from: body.from, by: RequestScope.actor)
        return .created(.init(body: .json(try await assignmentList(id))))
    }

    func getParty(_ input: Operations.GetParty.Input) async throws -> Operations.GetParty.Output {
        let code = try await readableDivision(input.path.code)
        let on = input.query.on ?? settings.today
        guard Day.isValid(on) else { throw ValidationFailure([FieldIssue.notADay("on")]) }
        let party = PartyRepository(database: registry.database)
        let members = try await party.members(in: code, on: on)
        let organisations: [Components.Schemas.OrganisationCount] = members.byOrganisation.map { .init(organisation: $0.organisation, members: $0.members) }
        return .ok(.init(body: .json(.init(
            on: on, members: members.count, organisations: organisations,
            branches: try await party.branches(in: code, on: on).map {
                .init(id: $0.id, villageCode: $0.villageCode, name: $0.name, kind: $0.kind, formed: $0.formedOn, secretary: $0.secretary,
                      members: $0.members, households: $0.households)
            }))))
    }

    func listMeasures(_ input: Operations.ListMeasures.Input) async throws -> Operations.ListMeasures.Output {
        let code = try await readableDivision(input.path.code)
        let category = try input.query.category.map { try MeasureCategory.named($0, field: "category") }
        let rows = try await PlanRepository(database: registry.database).measures(in: code, year: input.query.year, category: category, limit: 10_000)
        return .ok(.init(body: .json(.init(items: rows.map {
            .init(householdId: $0.householdId, householdNumber: $0.householdNumber, headName: $0.headName, year: $0.year, version: $0.version,
                  measure: Self.schema($0.measure))
        }))))
    }

    /// The division named by the path, readable by the caller and existing.
    func readableDivision(_ text: String) async throws -> DivisionCode {
        let code = try Self.code(text)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        return code
    }

    /// The village named by the path, writable by the caller and existing.
    func writableVillage(_ text: String) async throws -> DivisionCode {
        let code = try Self.code(text)
        try RequestScope.authorize(.writeVillage, in: code)
        guard code.level == .village, try await divisions.find(code) != nil else {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
        return code
    }

    private func assignmentList(_ household: Int) async throws -> Components.Schemas.AssignmentList {
        .init(items: try await HelperRepository(database: registry.database).assignments(household: household).map {
            .init(id: $0.id, helperId: $0.helperId, helperName: $0.helperName, helperUnit: $0.helperUnit, helperRole: $0.helperRole,
                  from: $0.fromDate, to: $0.toDate)
        })
    }

    private static func schema(_ row: HelperRow) -> Components.Schemas.Helper {
        .init(id: row.id, villageCode: row.villageCode, name: row.name, unit: row.unit, role: row.role, phone: row.phone, activeFrom: row.activeFrom,
              activeTo: row.activeTo, households: row.households)
    }

    private static func schema(_ measure: Measure) -> Components.Schemas.Measure {
        .init(category: measure.category, content: measure.content, amountFen: measure.amountFen, funding: measure.funding, start: measure.startOn,
              end: measure.endOn, status: measure.status, result: measure.result)
    }

    func listPlans(_ input: Operations.ListPlans.Input) async throws -> Operations.ListPlans.Output {
        _ = try await authorizeRecord(.household, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await planList(input.path.id))))
    }

    func putPlan(_ input: Operations.PutPlan.Input) async throws -> Operations.PutPlan.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        var measures: [MeasureDraft] = []
        var issues: [FieldIssue] = []
        for (index, measure) in body.measures.enumerated() {
            guard let category = MeasureCategory(rawValue: measure.category), let status = MeasureStatus(rawValue: measure.status) else {
                issues.append(FieldIssue(field: "measures[\(index)]", message: LocalizedText(zh: "类别或状态无法识别", en: "Unknown category or status")))
                continue
            }
            measures.append(MeasureDraft(category: category, content: measure.content, amountFen: measure.amountFen, funding: measure.funding,
                                         start: measure.start, end: measure.end, status: status, result: measure.result))
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        try await PlanRepository(database: registry.database).save(household: id, year: input.path.year, measures: measures, by: RequestScope.actor)
        return .ok(.init(body: .json(try await planList(id))))
    }

    func listVisits(_ input: Operations.ListVisits.Input) async throws -> Operations.ListVisits.Output {
        _ = try await authorizeRecord(.household, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await visitList(input.path.id))))
    }

    func addVisit(_ input: Operations.AddVisit.Input) async throws -> Operations.AddVisit.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        _ = try await MonitoringRepository(database: registry.database).recordVisit(
            VisitDraft(date: body.date, visitor: body.visitor ?? "", helperID: body.helperId, seen: body.seen, promised: body.promised ?? "",
                       followUp: body.followUp),
            risk: body.riskType, household: id, today: settings.today, by: RequestScope.actor)
        return .created(.init(body: .json(try await visitList(id))))
    }

    private func planList(_ household: Int) async throws -> Components.Schemas.PlanList {
        .init(items: try await PlanRepository(database: registry.database).plans(ofHousehold: household).map { plan in
            .init(year: plan.year, version: plan.version, createdBy: plan.createdBy, createdAt: plan.createdAt, measures: plan.measures.map {
                .init(category: $0.category, content: $0.content, amountFen: $0.amountFen, funding: $0.funding, start: $0.startOn, end: $0.endOn,
                      status: $0.status, result: $0.result)
            })
        })
    }

    private func visitList(_ household: Int) async throws -> Components.Schemas.VisitList {
        let today = settings.today
        let repository = VisitRepository(database: registry.database)
        let visits = try await repository.visits(ofHousehold: household)
        let photos = try await repository.photos(ofVisits: visits.map(\.id))
        return .init(items: visits.map {
            .init(id: $0.id, date: $0.visitedOn, visitor: $0.visitor, helperId: $0.helperId, seen: $0.seen, promised: $0.promised, followUp: $0.followUpOn,
                  photos: photos[$0.id]?.count ?? 0, followedUp: $0.followedUpOn, followUpState: $0.followUp(on: today)?.rawValue)
        })
    }
}
