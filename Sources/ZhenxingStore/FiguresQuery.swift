import ZhenxingDomain

/// The figures document of a division for a year: what `report figures`, the API and the
/// dashboards show. Later modules add their figures here.
public struct FiguresDocument: Sendable, Hashable, Encodable {
    /// The village-exit check of a village.
    public struct VillageExit: Sendable, Hashable, Encodable {
        /// True when incidence is under the limit.
        public let eligible: Bool
        /// The limit in force, a ratio.
        public let limit: Double
        /// The incidence, a ratio.
        public let incidence: Double
    }

    /// The division.
    public let division: Division
    /// The year.
    public let year: Int
    /// The day the figures are as of.
    public let asOf: String
    /// Registry figures.
    public let registry: RegistryFigures
    /// The poverty line in force, fen.
    public let povertyLineFen: Int?
    /// Its year and source.
    public let povertyLineSource: String
    /// The monitoring threshold in force, fen.
    public let monitoringThresholdFen: Int?
    /// For a village with population: the exit check.
    public let villageExit: VillageExit?
    /// Set when there was no registered population that year.
    public let note: String?
    /// The issue ledger, meetings and grids.
    public let ledger: LedgerFigures
    /// Plans, measures and visits.
    public let assistance: AssistanceFigures
    /// Activities, honours, projects, land, jobs, collective income, employment, cooperatives and demonstration households.
    public let community: CommunityFigures

    private enum Keys: String, CodingKey {
        case division, year, asOf, population, villagesWithEnteredPopulation, households, poorHouseholds, poorPeople, povertyIncidence, exitedHouseholds
        case monitoredHouseholds, povertyLineFen, povertyLineSource, monitoringThresholdFen, villageExit, note, ledger, assistance, community
    }

    private struct DivisionJSON: Encodable { let code: String; let name: String; let level: String; let parentCode: String? }

    /// Encodes the flat shape the API's `Figures` schema describes, so the CLI prints the same document.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(DivisionJSON(code: division.code.rawValue, name: division.name, level: division.level.rawValue,
                                          parentCode: division.parentCode?.rawValue), forKey: .division)
        try container.encode(year, forKey: .year)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(registry.population, forKey: .population)
        try container.encode(registry.villagesWithEnteredPopulation, forKey: .villagesWithEnteredPopulation)
        try container.encode(registry.households, forKey: .households)
        try container.encode(registry.poorHouseholds, forKey: .poorHouseholds)
        try container.encode(registry.poorPeople, forKey: .poorPeople)
        try container.encodeIfPresent(registry.povertyIncidence, forKey: .povertyIncidence)
        try container.encode(registry.exitedHouseholds, forKey: .exitedHouseholds)
        try container.encode(registry.monitoredHouseholds, forKey: .monitoredHouseholds)
        try container.encodeIfPresent(povertyLineFen, forKey: .povertyLineFen)
        try container.encode(povertyLineSource, forKey: .povertyLineSource)
        try container.encodeIfPresent(monitoringThresholdFen, forKey: .monitoringThresholdFen)
        try container.encodeIfPresent(villageExit, forKey: .villageExit)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encode(ledger, forKey: .ledger)
        try container.encode(assistance, forKey: .assistance)
        try container.encode(community, forKey: .community)
    }
}

/// Computes figures documents from the records, live.
public struct FiguresQuery: Sendable {
    private let database: Database

    /// Creates a query over a database.
    public init(database: Database) {
        self.database = database
    }


    /// The document for `code` in `year`; `notFound` for an unknown division, a validation
    /// failure for a year outside 2000–2100.
    public func document(_ code: DivisionCode, year: Int) async throws -> FiguresDocument {
        guard FieldIssue.years.contains(year) else {
            throw ValidationFailure([FieldIssue.yearOutOfRange()])
        }
        guard let division = try await DivisionRepository(database: database).find(code) else {
            throw StoreError.notFound("division \(code)")
        }
        let registry = RegistryRepository(database: database)
        let asOf = "\(year)-12-31"
        let figures = try await registry.figures(code, asOf: asOf)
        let parameters = try await registry.parameters(for: code, year: year)
        var exit: FiguresDocument.VillageExit?
        if code.level == .village, let incidence = figures.povertyIncidence, let limit = parameters.villageExitLimit {
            exit = FiguresDocument.VillageExit(eligible: incidence < limit, limit: limit, incidence: incidence)
        }
        return FiguresDocument(
            division: division, year: year, asOf: asOf, registry: figures, povertyLineFen: parameters.povertyLineFen,
            povertyLineSource: parameters.povertyLineSource, monitoringThresholdFen: parameters.monitoringThresholdFen,
            villageExit: exit,
            note: figures.population == 0 ? "no registered population in \(code) on \(asOf)" : nil,
            ledger: try await GovernanceRepository(database: database).figures(code, year: year),
            assistance: try await PlanRepository(database: database).figures(code, year: year),
            community: try await CommunityRepository(database: database).figures(code, year: year))
    }
}
