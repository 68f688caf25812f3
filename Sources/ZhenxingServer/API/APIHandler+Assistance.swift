import Foundation
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// Helpers, plans and visits over the API.
extension APIHandler {
    func listHelpers(_ input: Operations.ListHelpers.Input) async throws -> Operations.ListHelpers.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        let helpers = try await HelperRepository(database: registry.database).helpers(in: code)
        return .ok(.init(body: .json(.init(items: helpers.map {
            .init(id: $0.id, villageCode: $0.villageCode, name: $0.name, unit: $0.unit, role: $0.role, phone: $0.phone, activeFrom: $0.activeFrom,
                  activeTo: $0.activeTo, households: $0.households)
        }))))
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
        _ = try await VisitRepository(database: registry.database).add(
            VisitDraft(date: body.date, visitor: body.visitor, seen: body.seen, promised: body.promised ?? "", followUp: body.followUp),
            household: id, today: Timestamp.today(), by: RequestScope.actor)
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
        let today = Timestamp.today()
        return .init(items: try await VisitRepository(database: registry.database).visits(ofHousehold: household).map {
            .init(id: $0.id, date: $0.visitedOn, visitor: $0.visitor, seen: $0.seen, promised: $0.promised, followUp: $0.followUpOn,
                  followedUp: $0.followedUpOn, followUpState: $0.followUp(on: today)?.rawValue)
        })
    }
}
