import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// The JSON API, implementing the operations of `openapi.yaml`. Errors are thrown, not returned:
/// the error middleware turns them into problem+json bodies, the same way for every operation.
struct APIHandler: APIProtocol {
    let divisions: DivisionRepository
    let profiles: VillageProfileRepository
    let figures: FiguresQuery
    let exits: VillageExitRepository
    let registry: RegistryRepository
    let parameters: PolicyParameterRepository
    let people: PersonRepository
    let governance: GovernanceRepository
    let records: RecordLocator
    /// The clock: every "today" of the API is the settings' day in the deployment's time zone.
    let settings: AppSettings

    /// Registers every operation under `/api/v1`, and the document itself at `/api/openapi.yaml`.
    func register(on router: Router<AppRequestContext>) throws {
        try registerHandlers(on: router, serverURL: URL(string: "/api/v1")!)
        router.get("/api/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.yaml)))
        }
    }

    func listDivisions(_ input: Operations.ListDivisions.Input) async throws -> Operations.ListDivisions.Output {
        guard let parent = try input.query.parent.map(Self.code) else {
            // Without a parent: the top of the tree the caller may read.
            guard let identity = RequestScope.identity else { throw AppError.signInRequired }
            if let home = identity.division {
                try RequestScope.authorize(.readRecords, in: home)
                guard let division = try await divisions.find(home) else { throw Self.unknown(home) }
                return .ok(.init(body: .json(.init(items: [Self.schema(division)]))))
            }
            guard identity.holds(.readRecords) else { throw AppError.forbidden }
            return .ok(.init(body: .json(.init(items: try await divisions.children(of: nil).map { Self.schema($0.division) }))))
        }
        try RequestScope.authorize(.readRecords, in: parent)
        if try await divisions.find(parent) == nil { throw Self.unknown(parent) }
        let items = try await divisions.children(of: parent).map { Self.schema($0.division) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getDivision(_ input: Operations.GetDivision.Input) async throws -> Operations.GetDivision.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        let chain = try await divisions.chain(code)
        guard let division = chain.last, division.code == code else { throw Self.unknown(code) }
        let children = try await divisions.children(of: code).map { Self.schema($0.division) }
        return .ok(.init(body: .json(.init(
            division: Self.schema(division), chain: chain.dropLast().map(Self.schema), children: children))))
    }

    func getVillageProfile(_ input: Operations.GetVillageProfile.Input) async throws -> Operations.GetVillageProfile.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        let stored = try await profile(code)
        return .ok(.init(body: .json(Self.schema(stored))))
    }

    func updateVillageProfile(_ input: Operations.UpdateVillageProfile.Input) async throws -> Operations.UpdateVillageProfile.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeVillage, in: code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        _ = try await profile(code)
        let profile = VillageProfile(
            areaSquareMetres: body.areaSquareMetres, farmlandMuHundredths: body.farmlandMuHundredths,
            mountainLandMuHundredths: body.mountainLandMuHundredths, designations: body.designations,
            honours: body.honours.map { VillageHonour(year: $0.year, title: $0.title) },
            groups: body.groups.map { VillageGroup(number: $0.number, name: $0.name) },
            naturalVillages: body.naturalVillages.map(\.name))
        let saved = try await profiles.update(code, to: profile, expectedVersion: body.version, by: RequestScope.actor)
        return .ok(.init(body: .json(Self.schema(saved))))
    }

    func getFigures(_ input: Operations.GetFigures.Input) async throws -> Operations.GetFigures.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        let document: FiguresDocument
        do {
            document = try await figures.document(code, year: input.query.year)
        } catch StoreError.notFound {
            throw Self.unknown(code)
        }
        let registry = document.registry
        return .ok(.init(body: .json(.init(
            division: Self.schema(document.division), year: document.year, asOf: document.asOf,
            population: registry.population, villagesWithEnteredPopulation: registry.villagesWithEnteredPopulation,
            households: registry.households, poorHouseholds: registry.poorHouseholds,
            poorPeople: registry.poorPeople, povertyIncidence: registry.povertyIncidence,
            exitedHouseholds: registry.exitedHouseholds, monitoredHouseholds: registry.monitoredHouseholds,
            povertyLineFen: document.povertyLineFen, povertyLineSource: document.povertyLineSource,
            monitoringThresholdFen: document.monitoringThresholdFen,
            villageExit: document.villageExit.map { .init(eligible: $0.eligible, limit: $0.limit, incidence: $0.incidence) },
            villageExitDecision: document.villageExitDecision.map(Self.schema), villagesExited: document.villagesExited,
            note: document.note, ledger: Self.schema(document.ledger),
            assistance: .init(householdsWithPlan: document.assistance.householdsWithPlan,
                              measures: .init(additionalProperties: document.assistance.measures.mapValues { .init(count: $0.count, amountFen: $0.amountFen) }),
                              visits: document.assistance.visits, overdueFollowUps: document.assistance.overdueFollowUps,
                              party: .init(members: document.assistance.party.members, branches: document.assistance.party.branches,
                                           householdsWithBranch: document.assistance.party.householdsWithBranch)),
            community: Self.schema(document.community), monitoring: Self.schema(document.monitoring)))))
    }

    private static func schema(_ monitoring: MonitoringFigures) -> Components.Schemas.MonitoringFigures {
        let count = { (count: MonitoringFigures.Count) in Components.Schemas.MonitoringCount(households: count.households, people: count.people) }
        return .init(
            monitored: count(monitoring.monitored), byCategory: .init(additionalProperties: monitoring.byCategory.mapValues(count)),
            byRiskType: .init(additionalProperties: monitoring.byRiskType.mapValues(count)), underWatch: monitoring.underWatch,
            monitoredWithPlan: monitoring.monitoredWithPlan, planShare: monitoring.planShare, entered: monitoring.entered, cleared: monitoring.cleared,
            warnings: monitoring.warnings, warningsBySource: .init(additionalProperties: monitoring.warningsBySource),
            workingDaysToDecision: .init(additionalProperties: Dictionary(uniqueKeysWithValues: monitoring.workingDaysToDecision.map { (String($0.key), $0.value) })),
            medianWorkingDaysToDecision: monitoring.medianWorkingDaysToDecision, stepsOverdue: monitoring.stepsOverdue)
    }

    func recordVillageExit(_ input: Operations.RecordVillageExit.Input) async throws -> Operations.RecordVillageExit.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.approveStatus, in: code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard code.level == .village, try await divisions.find(code) != nil else { throw Self.unknown(code) }
        let decision = VillageExitDecision(decidedOn: body.decidedOn, decidedBy: body.decidedBy, document: body.document ?? "", override: body.override)
        try await exits.record(decision, village: code, today: settings.today, by: RequestScope.actor)
        return .ok(.init(body: .json(Self.schema(decision))))
    }

    private static func schema(_ decision: VillageExitDecision) -> Components.Schemas.VillageExitDecision {
        .init(decidedOn: decision.decidedOn, decidedBy: decision.decidedBy, document: decision.document, override: decision.override)
    }

    private static func schema(_ community: CommunityFigures) -> Components.Schemas.CommunityFigures {
        .init(activities: .init(additionalProperties: community.activities.mapValues { .init(sessions: $0.sessions, personTimes: $0.personTimes) }),
              countedPersonTimes: community.countedPersonTimes, honours: .init(additionalProperties: community.honours), projects: community.projects,
              landMuHundredths: community.landMuHundredths, jobs: community.jobs, collectiveIncomeFen: community.collectiveIncomeFen,
              ableToWork: community.ableToWork, employed: community.employed, employmentRate: community.employmentRate,
              employment: .init(additionalProperties: community.employment), enterprises: .init(additionalProperties: community.enterprises))
    }

    // MARK: Mapping

    private func profile(_ code: DivisionCode) async throws -> StoredVillageProfile {
        do {
            return try await profiles.get(code)
        } catch StoreError.notFound {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
    }

    static func code(_ text: String) throws -> DivisionCode {
        do {
            return try DivisionCode(validating: text)
        } catch {
            throw AppError(.badRequest, LocalizedText(zh: "区划代码无效", en: "Invalid division code"), issues: error.issues)
        }
    }

    static func unknown(_ code: DivisionCode) -> AppError {
        .notFound(LocalizedText(zh: "区划 \(code) 不存在", en: "Division \(code) does not exist"))
    }

    private static func schema(_ division: Division) -> Components.Schemas.Division {
        .init(
            code: division.code.rawValue, name: division.name,
            level: Components.Schemas.DivisionLevel(rawValue: division.level.rawValue)!,
            parentCode: division.parentCode?.rawValue)
    }

    private static func schema(_ stored: StoredVillageProfile) -> Components.Schemas.VillageProfile {
        let profile = stored.profile
        return .init(
            code: stored.village.code.rawValue, name: stored.village.name, version: stored.version,
            areaSquareMetres: profile.areaSquareMetres, farmlandMuHundredths: profile.farmlandMuHundredths,
            mountainLandMuHundredths: profile.mountainLandMuHundredths, designations: profile.designations,
            honours: profile.honours.map { .init(year: $0.year, title: $0.title) },
            groups: profile.groups.map { .init(number: $0.number, name: $0.name) },
            naturalVillages: profile.naturalVillages.map { .init(name: $0) })
    }
}
