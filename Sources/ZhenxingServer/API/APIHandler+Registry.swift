import Foundation
import OpenAPIRuntime
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// The registry operations: households, status events, assessments, policy parameters.
extension APIHandler {
    func listHouseholds(_ input: Operations.ListHouseholds.Input) async throws -> Operations.ListHouseholds.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        let query = input.query
        let limit = query.limit ?? 100
        guard (1...500).contains(limit) else {
            throw AppError(.badRequest, LocalizedText(zh: "limit 应在 1 到 500 之间", en: "limit must be 1 to 500"))
        }
        let date = query.asOf ?? settings.today
        guard Day.isValid(date) else {
            throw AppError(.badRequest, LocalizedText(zh: "asOf 应为 YYYY-MM-DD", en: "asOf must be YYYY-MM-DD"))
        }
        let filter = HouseholdFilter(
            groupNumber: query.group, status: query.status.flatMap { PovertyStatus(rawValue: $0.rawValue) }, search: query.q)
        let rows = try await registry.households(in: code, filter: filter, asOf: date, after: query.after, limit: limit)
        let items = rows.map { row in
            Components.Schemas.HouseholdSummary(
                id: row.id, number: row.number, villageCode: row.villageCode, groupNumber: row.groupNumber, headName: row.headName,
                members: row.members, status: Components.Schemas.PovertyStatus(rawValue: row.status) ?? .notPoor, attribute: row.attribute)
        }
        return .ok(.init(body: .json(.init(items: items, next: rows.count == limit ? rows.last?.key : nil))))
    }

    func getHousehold(_ input: Operations.GetHousehold.Input) async throws -> Operations.GetHousehold.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .readRecords)
        return .ok(.init(body: .json(try await fileSchema(id))))
    }

    func addStatusEvent(_ input: Operations.AddStatusEvent.Input) async throws -> Operations.AddStatusEvent.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .approveStatus)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        var issues: [FieldIssue] = []
        if !Day.isValid(body.date) {
            issues.append(FieldIssue.notADay("date"))
        }
        let kind = body.monitoringKind.flatMap(MonitoringKind.init)
        let status = PovertyStatus(rawValue: body.status.rawValue)!
        if status == .monitored && kind == nil {
            issues.append(FieldIssue(field: "monitoringKind", message: LocalizedText(zh: "监测户须给出监测类型", en: "A monitored household needs a kind")))
        }
        for (field, value) in [("reason", body.reason), ("decidedBy", body.decidedBy)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(FieldIssue(field: field, message: LocalizedText(zh: "不能为空", en: "Required")))
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        try await registry.changeStatus(
            StatusChange(date: body.date, status: status, monitoringKind: status == .monitored ? kind : nil, reason: body.reason, decidedBy: body.decidedBy,
                         override: body.override),
            household: id, by: RequestScope.actor)
        return .ok(.init(body: .json(try await fileSchema(id))))
    }

    func putAssessment(_ input: Operations.PutAssessment.Input) async throws -> Operations.PutAssessment.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard FieldIssue.years.contains(input.path.year) else {
            throw ValidationFailure([FieldIssue.yearOutOfRange()])
        }
        guard (0...50).contains(body.members) else {
            throw ValidationFailure([FieldIssue(field: "members", message: LocalizedText(zh: "人数应在 0 到 50 之间", en: "Members must be 0 to 50"))])
        }
        try await registry.saveAssessment(
            Assessment(
                year: input.path.year, members: body.members,
                income: IncomeSheet(wages: body.wages, production: body.production, property: body.property, transfers: body.transfers,
                                    productionCosts: body.productionCosts),
                guarantees: Guarantees(foodAndClothing: body.foodAndClothing, education: body.education, medical: body.medical,
                                       housing: body.housing, water: body.water),
                spending: RigidSpending(medical: body.medicalSpending ?? 0, schooling: body.schoolingSpending ?? 0), note: body.note ?? ""),
            household: id, expectedVersion: body.version ?? 0, by: RequestScope.actor)
        return .ok(.init(body: .json(try await fileSchema(id))))
    }

    func listParameters(_ input: Operations.ListParameters.Input) async throws -> Operations.ListParameters.Output {
        try Self.require(.readRecords)
        return .ok(.init(body: .json(try await parameterList())))
    }

    func putParameters(_ input: Operations.PutParameters.Input) async throws -> Operations.PutParameters.Output {
        try Self.require(.editParameters)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await parameters.save(
            PolicyParameterRow(scope: body.scope, year: body.year, povertyLineFen: body.povertyLineFen,
                               monitoringThresholdFen: body.monitoringThresholdFen, villageExitLimitBp: body.villageExitLimitBp, source: body.source,
                               version: body.version),
            by: RequestScope.actor)
        return .ok(.init(body: .json(try await parameterList())))
    }

    func listRuleParameters(_ input: Operations.ListRuleParameters.Input) async throws -> Operations.ListRuleParameters.Output {
        try Self.require(.readRecords)
        return .ok(.init(body: .json(try await ruleParameterList())))
    }

    func putRuleParameter(_ input: Operations.PutRuleParameter.Input) async throws -> Operations.PutRuleParameter.Output {
        try Self.require(.editParameters)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await parameters.saveRule(RuleParameterRow(scope: body.scope, year: body.year, rule: body.rule, value: body.value, source: body.source),
                                      by: RequestScope.actor)
        return .ok(.init(body: .json(try await ruleParameterList())))
    }

    // MARK: Shared

    /// The village of a record once the caller may act on it: 404 outside their division (its
    /// existence is private), 403 without the right.
    func authorizeRecord(_ kind: RecordKind, _ id: Int, needs permission: Permission) async throws -> DivisionCode {
        guard let identity = RequestScope.identity else { throw AppError.signInRequired }
        guard let village = try await records.village(of: kind, id), identity.covers(village) else {
            throw AppError.notFound(LocalizedText(zh: "找不到这条记录", en: "No such record"))
        }
        guard try await records.allows(identity, permission, kind, id, in: village) else { throw AppError.forbidden }
        return village
    }

    /// Signed in, with `permission` (the parameters are national: no division to check).
    private static func require(_ permission: Permission) throws {
        guard let identity = RequestScope.identity else { throw AppError.signInRequired }
        guard identity.holds(permission) else { throw AppError.forbidden }
    }

    private func ruleParameterList() async throws -> Components.Schemas.RuleParameterList {
        .init(items: try await parameters.ruleRows().map { row in
            let unit: Components.Schemas.RuleParameter.UnitPayload? = switch RuleParameterRow.unit(of: row.rule) {
            case .basisPoints: .basisPoints
            case .workingDays: .workingDays
            case .months: .months
            case nil: nil
            }
            return .init(scope: row.scope, year: row.year, rule: row.rule, value: row.value, source: row.source,
                         title: RuleParameterRow.title(of: row.rule).text(RequestScope.language), unit: unit)
        })
    }

    private func parameterList() async throws -> Components.Schemas.ParameterList {
        .init(items: try await parameters.all().map {
            .init(scope: $0.scope, year: $0.year, povertyLineFen: $0.povertyLineFen, monitoringThresholdFen: $0.monitoringThresholdFen,
                  villageExitLimitBp: $0.villageExitLimitBp, source: $0.source, version: $0.version)
        })
    }

    private func fileSchema(_ id: Int) async throws -> Components.Schemas.HouseholdFile {
        let file = try await registry.file(id)
        let draft = file.draft
        let checks = try await registry.exitChecks(file)
        let assessments: [Components.Schemas.Assessment] = file.assessments.map { assessment in
            let income = assessment.income, guarantees = assessment.guarantees
            return .init(
                year: assessment.year, members: assessment.members, wages: income.wages, production: income.production,
                property: income.property, transfers: income.transfers, productionCosts: income.productionCosts,
                medicalSpending: assessment.spending.medical, schoolingSpending: assessment.spending.schooling, foodAndClothing: guarantees.foodAndClothing, education: guarantees.education, medical: guarantees.medical,
                housing: guarantees.housing, water: guarantees.water, note: assessment.note, version: assessment.version,
                perCapitaNetIncome: income.perCapita(members: assessment.members),
                meetsExitStandard: checks[assessment.year]?.lines.allSatisfy(\.passes))
        }
        return .init(
            id: file.id, number: draft.number, villageCode: draft.village.rawValue, groupNumber: draft.groupNumber,
            naturalVillage: draft.naturalVillage, address: draft.address, attribute: draft.attribute.rawValue,
            mainCause: draft.mainCause?.rawValue, otherCauses: draft.otherCauses.map(\.rawValue), version: file.version,
            status: Components.Schemas.PovertyStatus(rawValue: (file.statusChanges.last?.status ?? .notPoor).rawValue)!,
            members: file.members.map {
                .init(personId: $0.personId, name: $0.name, residentIdMasked: (try? ResidentID(validating: $0.residentId))?.masked ?? "",
                      sex: $0.sex, birthDate: $0.birthDate, relation: $0.relation, fromDate: $0.fromDate, toDate: $0.toDate,
                      reasonIn: $0.reasonIn, reasonOut: $0.reasonOut)
            },
            statusEvents: file.statusChanges.map {
                .init(date: $0.date, status: Components.Schemas.PovertyStatus(rawValue: $0.status.rawValue)!,
                      monitoringKind: $0.monitoringKind?.rawValue, reason: $0.reason, decidedBy: $0.decidedBy, override: $0.override)
            },
            assessments: assessments)
    }
}

/// The people operations.
extension APIHandler {
    func getPerson(_ input: Operations.GetPerson.Input) async throws -> Operations.GetPerson.Output {
        _ = try await authorizeRecord(.person, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await personSchema(input.path.id))))
    }

    func updatePerson(_ input: Operations.UpdatePerson.Input) async throws -> Operations.UpdatePerson.Output {
        let village = try await authorizeRecord(.person, input.path.id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let facts = PersonFacts(
            name: body.name, ethnicity: body.ethnicity, education: body.education, inSchool: body.inSchool ?? "", health: body.health,
            labour: body.labour,
            employment: body.employment, monthsWorked: body.monthsWorked, medicalInsurance: body.medicalInsurance,
            pensionInsurance: body.pensionInsurance, partyMember: body.partyMember, phone: body.phone)
        try await people.update(input.path.id, to: facts, workSince: body.workSince ?? settings.today, today: settings.today,
                                expectedVersion: body.version, division: village, by: RequestScope.actor)
        return .ok(.init(body: .json(try await personSchema(input.path.id))))
    }


    private func personSchema(_ id: Int) async throws -> Components.Schemas.Person {
        let record = try await people.person(id)
        let facts = record.facts
        return .init(
            id: id, residentIdMasked: (try? ResidentID(validating: record.residentID))?.masked ?? "", sex: record.sex, birthDate: record.birthDate,
            facts: .init(
                version: record.version, name: facts.name, ethnicity: facts.ethnicity, education: facts.education,
                inSchool: facts.inSchool, health: facts.health,
                labour: facts.labour, employment: facts.employment, monthsWorked: facts.monthsWorked, medicalInsurance: facts.medicalInsurance,
                pensionInsurance: facts.pensionInsurance, partyMember: facts.partyMember, phone: facts.phone),
            work: record.work.map { .init(since: $0.since, labour: $0.labour, employment: $0.employment, monthsWorked: $0.monthsWorked) },
            memberships: record.memberships.map {
                .init(householdId: $0.household, householdNumber: $0.number, relation: $0.relation, fromDate: $0.from, toDate: $0.to,
                      reasonIn: $0.reasonIn, reasonOut: $0.reasonOut)
            })
    }
}
