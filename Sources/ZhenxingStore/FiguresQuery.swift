import Foundation
import SQLKit
import Synchronization
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
    /// For a village that has exited the poor-village list by the day the figures are as of: the decision.
    public let villageExitDecision: VillageExitDecision?
    /// The villages below (or the village itself) whose exit was decided by that day.
    public let villagesExited: Int
    /// Set when there was no registered population that year.
    public let note: String?
    /// The issue ledger, meetings and grids.
    public let ledger: LedgerFigures
    /// Plans, measures and visits.
    public let assistance: AssistanceFigures
    /// Activities, honours, projects, land, jobs, collective income, employment, cooperatives and demonstration households.
    public let community: CommunityFigures
    /// Monitoring (防返贫监测): who is monitored, warnings, decisions, clearances, what is overdue.
    public let monitoring: MonitoringFigures
    /// The year of the earliest status recorded below the division; not encoded.
    public let firstStatusYear: Int?

    /// The years a line over time shows up to this one: from the first recorded status (建档立卡), at most ten.
    public var lineYears: ClosedRange<Int> { max(min(firstStatusYear ?? year, year), year - 9, FieldIssue.years.lowerBound)...year }

    private enum Keys: String, CodingKey {
        case division, year, asOf, population, villagesWithEnteredPopulation, households, poorHouseholds, poorPeople, povertyIncidence, exitedHouseholds
        case monitoredHouseholds, povertyLineFen, povertyLineSource, monitoringThresholdFen, villageExit, villageExitDecision, villagesExited, note
        case ledger, assistance, community, monitoring
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
        try container.encodeIfPresent(villageExitDecision, forKey: .villageExitDecision)
        try container.encode(villagesExited, forKey: .villagesExited)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encode(ledger, forKey: .ledger)
        try container.encode(assistance, forKey: .assistance)
        try container.encode(CommunityJSON(figures: community), forKey: .community)
        try container.encode(MonitoringJSON(figures: monitoring), forKey: .monitoring)
    }

    /// The community figures with their employment rate, which is derived and so not one of their stored fields.
    private struct CommunityJSON: Encodable {
        let figures: CommunityFigures
        enum Keys: String, CodingKey { case employmentRate }

        func encode(to encoder: any Encoder) throws {
            try figures.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeIfPresent(figures.employmentRate, forKey: .employmentRate)
        }
    }

    /// The monitoring figures with what is derived from them: the warnings in all, the median and the plan share.
    private struct MonitoringJSON: Encodable {
        let figures: MonitoringFigures
        enum Keys: String, CodingKey { case warnings, medianWorkingDaysToDecision, planShare }

        func encode(to encoder: any Encoder) throws {
            try figures.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(figures.warnings, forKey: .warnings)
            try container.encodeIfPresent(figures.medianWorkingDaysToDecision, forKey: .medianWorkingDaysToDecision)
            try container.encodeIfPresent(figures.planShare, forKey: .planShare)
        }
    }
}

/// The additive figures of a division for a year: a village's counted from its records, any other division's the sum
/// of the divisions directly under it. Kept in `figures_cache` (see M0013) while no record below the division changes.
/// A figure read from a table M0013 does not list needs that table's stamp triggers, in a new migration.
struct FigureParts: Sendable, Codable {
    /// The day they were counted as of: the year's last day, or today while the year runs (what is overdue moves).
    var asOf: String
    var registry: RegistryFigures
    var ledger: LedgerFigures
    /// Issues finished in the year by the days they took (the median of a sum needs the whole distribution).
    var daysToClose: [Int: Int]
    var assistance: AssistanceFigures
    var community: CommunityFigures
    var monitoring: MonitoringFigures
    /// The earliest status recorded (建档立卡) below the division, whatever the year.
    var firstStatus: String?

    static func zero(asOf: String) -> FigureParts {
        FigureParts(asOf: asOf, registry: RegistryFigures(population: 0, households: 0, poorHouseholds: 0, poorPeople: 0, exitedHouseholds: 0,
                                                                 monitoredHouseholds: 0),
                    ledger: LedgerFigures(), daysToClose: [:], assistance: AssistanceFigures(), community: CommunityFigures(),
                    monitoring: MonitoringFigures())
    }

    mutating func add(_ other: FigureParts) {
        registry.add(other.registry)
        daysToClose.merge(other.daysToClose, uniquingKeysWith: +)
        ledger.add(other.ledger, daysToClose: daysToClose)
        assistance.add(other.assistance)
        community.add(other.community)
        monitoring.add(other.monitoring)
        firstStatus = [firstStatus, other.firstStatus].compactMap { $0 }.min()
    }
}

/// Computes figures documents from the records, live: a village's from its records, any other division's by adding up
/// the divisions under it, each taken from `figures_cache` while its villages' stamps say nothing below it changed.
public struct FiguresQuery: Sendable {
    private let database: Database
    private let today: @Sendable () -> String

    /// Creates a query over a database; `today` is the day a running year is counted as of (the server passes its
    /// settings' clock).
    public init(database: Database, today: @escaping @Sendable () -> String = { Timestamp.today() }) {
        self.database = database
        self.today = today
    }

    /// The day a year's figures are counted as of: its last day once it has ended, today while it runs.
    public func asOf(_ year: Int) -> String { min(today(), "\(year)-12-31") }

    /// The document for `code` in `year`; `notFound` for an unknown division, a validation
    /// failure for a year outside 2000–2100.
    public func document(_ code: DivisionCode, year: Int) async throws -> FiguresDocument {
        try await documents(code, years: [year])[year]!
    }

    /// The documents of `code` for each of `years`: the years are counted side by side, and what had to be counted is
    /// kept in one write.
    public func documents(_ code: DivisionCode, years: [Int]) async throws -> [Int: FiguresDocument] {
        guard years.allSatisfy(FieldIssue.years.contains) else {
            throw ValidationFailure([FieldIssue.yearOutOfRange()])
        }
        guard let division = try await DivisionRepository(database: database).find(code) else {
            throw StoreError.notFound("division \(code)")
        }
        let counted = try await Self.concurrently(Array(Set(years))) { year in
            let entry = try await entries("d.code = \(bind: code.rawValue)", level: code.level, year: year)[0]
            return (year: year, counted: try await parts(entry, year: year, asOf: asOf(year)))
        }
        let fresh = counted.flatMap(\.counted.fresh)
        if !fresh.isEmpty {
            await store(fresh)
        }
        let parameters = try await RegistryRepository(database: database).parameters(for: code, years: years)
        let exits = try await database.read { sql in try await VillageExitRepository.exits(in: code, sql) }
        var documents: [Int: FiguresDocument] = [:]
        for (year, (parts, _)) in counted {
            let asOf = parts.asOf
            let figures = parts.registry
            let parameters = parameters[year]!
            var exit: FiguresDocument.VillageExit?
            if code.level == .village, let incidence = figures.povertyIncidence, let limit = parameters.villageExitLimit {
                exit = FiguresDocument.VillageExit(
                    eligible: ExitRules.villageMayExit(poorPeople: figures.poorPeople, population: figures.population, limit: limit),
                    limit: limit, incidence: incidence)
            }
            let exited = exits.filter { $0.decidedOn <= asOf }
            documents[year] = FiguresDocument(
                division: division, year: year, asOf: asOf, registry: figures, povertyLineFen: parameters.povertyLineFen,
                povertyLineSource: parameters.povertyLineSource, monitoringThresholdFen: parameters.monitoringThresholdFen,
                villageExit: exit, villageExitDecision: code.level == .village ? exited.first : nil, villagesExited: exited.count,
                note: figures.population == 0 ? "no registered population in \(code) on \(asOf)" : nil,
                ledger: parts.ledger, assistance: parts.assistance, community: parts.community, monitoring: parts.monitoring,
                firstStatusYear: parts.firstStatus.flatMap { Int($0.prefix(4)) })
        }
        return documents
    }

    /// Counts what the cache lacks for every top division over the years a dashboard shows (`thisYear` and up to nine
    /// before, back to the first recorded status), so the first visitor after a bulk load does not wait for it; a warm
    /// cache costs a query per document. Stops when its task is cancelled. Returns the documents made.
    public func warm(thisYear: Int) async throws -> Int {
        var made = 0
        for top in try await DivisionRepository(database: database).children(of: nil) {
            let code = top.division.code
            let earlier = try await document(code, year: thisYear).lineYears.dropLast()
            made += 1 + (try await documents(code, years: Array(earlier)).count)
        }
        return made
    }

    /// A division-year counted afresh, to keep in the cache with the stamp read before its records.
    private struct Fresh: Sendable {
        let code: DivisionCode
        let year: Int
        let counter: Int
        let parts: FigureParts
    }

    /// Runs `work` on every element, at most `width` at a time (the SQLite readers are four); results in any order.
    private static func concurrently<Element: Sendable, Result: Sendable>(
        _ elements: [Element], width: Int = 4, _ work: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: Result.self) { group in
            var pending = elements.makeIterator()
            for _ in 0..<width {
                guard let next = pending.next() else { break }
                group.addTask { try await work(next) }
            }
            var results: [Result] = []
            while let result = try await group.next() {
                results.append(result)
                if let next = pending.next() { group.addTask { try await work(next) } }
            }
            return results
        }
    }

    /// A division with the sum of its villages' stamps and what the cache holds for it.
    private struct Entry: Decodable, Sendable {
        let code: String
        let stamp: Int
        let counter: Int?
        let parts: String?
    }

    /// The divisions matching `condition` (all of one `level`) with their stamps and cached parts, in one statement.
    private func entries(_ condition: SQLQueryString, level: DivisionLevel, year: Int) async throws -> [Entry] {
        // A division's villages are the codes from its own up to its prefix followed by nines.
        let nines = String(repeating: "9", count: 12 - level.segmentEnd)
        return try await database.read { sql in
            try await sql.raw("""
                SELECT d.code, c.counter, c.parts,
                       (SELECT CAST(COALESCE(sum(s.counter), 0) AS BIGINT) FROM village_stamps s
                        WHERE s.village_code BETWEEN d.code AND substr(d.code, 1, \(literal: level.segmentEnd)) || \(bind: nines)) AS stamp
                FROM divisions d LEFT JOIN figures_cache c ON c.division_code = d.code AND c.year = \(bind: year)
                WHERE \(condition) ORDER BY d.code
                """).all(decoding: Entry.self)
        }
    }

    /// The parts of a division: from the cache when its stamp matches, otherwise counted (a village) or added up from
    /// the divisions directly under it, side by side; with every division-year that had to be counted. Stamps are read
    /// before any record, so a write landing meanwhile leaves a row that is merely out of date, never one that looks current.
    private func parts(_ entry: Entry, year: Int, asOf: String) async throws -> (parts: FigureParts, fresh: [Fresh]) {
        // A row written by an older version of FigureParts does not decode: it is counted again like a stale one, and so
        // is a running year's row of an earlier day.
        if entry.counter == entry.stamp, let text = entry.parts, let parts = DecodedParts.shared.parts(of: text), parts.asOf == asOf {
            return (parts, [])
        }
        try Task.checkCancellation()
        let code = try DivisionCode(validating: entry.code)
        guard let below = DivisionLevel.allCases.dropFirst(code.level.depth + 1).first else {
            let key = CountsInFlight.Key(database: ObjectIdentifier(database), village: code, year: year, asOf: asOf, stamp: entry.stamp)
            let parts = try await CountsInFlight.shared.count(key) { try await count(code, year: year, asOf: asOf) }
            return (parts, [Fresh(code: code, year: year, counter: entry.stamp, parts: parts)])
        }
        let children = try await entries("d.parent_code = \(bind: code.rawValue)", level: below, year: year)
        var parts = FigureParts.zero(asOf: asOf)
        var fresh: [Fresh] = []
        for child in try await Self.concurrently(children, { try await self.parts($0, year: year, asOf: asOf) }) {
            parts.add(child.parts)
            fresh += child.fresh
        }
        return (parts, fresh + [Fresh(code: code, year: year, counter: entry.stamp, parts: parts)])
    }

    /// A village's parts, counted from its records.
    private func count(_ village: DivisionCode, year: Int, asOf: String) async throws -> FigureParts {
        let (ledger, days) = try await GovernanceRepository(database: database).figures(village, year: year, asOf: asOf)
        return FigureParts(
            asOf: asOf,
            registry: try await RegistryRepository(database: database).figures(village, asOf: asOf),
            ledger: ledger, daysToClose: days,
            assistance: try await PlanRepository(database: database).figures(village, year: year, asOf: asOf),
            community: try await CommunityRepository(database: database).figures(village, year: year),
            monitoring: try await MonitoringRepository(database: database).figures(village, year: year, asOf: asOf),
            firstStatus: try await RegistryRepository(database: database).firstStatus(in: village))
    }

    /// Keeps what was counted for the next request, when the writer is free: a busy writer (an import) or a failed write
    /// costs a recount next time and nothing else, so the answer never waits for it.
    private func store(_ rows: [Fresh]) async {
        let encoder = JSONEncoder()
        guard let encoded = try? rows.map({ ($0.code.rawValue, $0.year, $0.counter, String(decoding: try encoder.encode($0.parts), as: UTF8.self)) }) else {
            return
        }
        _ = try? await database.transactionIfIdle { sql in
            for (code, year, counter, parts) in encoded {
                try await sql.raw("""
                    INSERT INTO figures_cache (division_code, year, counter, parts) VALUES (\(bind: code), \(bind: year), \(bind: counter), \(bind: parts))
                    ON CONFLICT (division_code, year) DO UPDATE SET counter = excluded.counter, parts = excluded.parts
                    """).run()
            }
        }
    }
}

/// Cached rows as decoded before, by their text: decoding a row's JSON again cost a sixth of a dashboard's CPU. The same
/// text always decodes to the same parts, so an entry can never be stale; a full memo is emptied and filled again.
final class DecodedParts: Sendable {
    static let shared = DecodedParts(capacity: 4096)

    private let capacity: Int
    private let decoded = Mutex<[String: FigureParts]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The parts a cached row's text holds; nil when it does not decode (a row of an older `FigureParts`).
    func parts(of text: String) -> FigureParts? {
        if let known = decoded.withLock({ $0[text] }) { return known }
        guard let parts = try? JSONDecoder().decode(FigureParts.self, from: Data(text.utf8)) else { return nil }
        decoded.withLock { memo in
            if memo.count >= capacity { memo.removeAll(keepingCapacity: true) }
            memo[text] = parts
        }
        return parts
    }
}

/// The village counts under way: requests that find the same village-year uncounted wait for one count instead of each
/// making its own (64 dashboards of the demo on a cold cache took 57 s each on PostgreSQL, every one counting ten years).
final class CountsInFlight: Sendable {
    static let shared = CountsInFlight()

    struct Key: Hashable, Sendable {
        let database: ObjectIdentifier
        let village: DivisionCode
        let year: Int
        let asOf: String
        /// The village's stamp when the count began: a write meanwhile makes a new count.
        let stamp: Int
    }

    private let running = Mutex<[Key: Task<FigureParts, any Error>]>([:])

    /// The result of the count for `key` under way, or of `work` started now.
    func count(_ key: Key, _ work: @escaping @Sendable () async throws -> FigureParts) async throws -> FigureParts {
        let task = running.withLock { tasks in
            if let task = tasks[key] { return task }
            let task = Task { try await work() }
            tasks[key] = task
            return task
        }
        defer { running.withLock { tasks in if tasks[key] == task { tasks[key] = nil } } }
        return try await task.value
    }
}

extension FiguresQuery {
    /// Drops the cached figures of the divisions under `scope` ('*' everywhere, or a province's two digits), in the
    /// caller's transaction: a dated parameter the figures read (a deadline, a threshold, the calendar) changed, which
    /// no village's stamp records.
    static func forgetCached(scope: String, in sql: any SQLDatabase) async throws {
        if scope == "*" {
            try await sql.raw("DELETE FROM figures_cache").run()
        } else {
            try await sql.raw("DELETE FROM figures_cache WHERE substr(division_code, 1, 2) = \(bind: scope)").run()
        }
    }
}

extension RegistryFigures {
    /// Adds another division's figures.
    mutating func add(_ other: RegistryFigures) {
        self = RegistryFigures(
            population: population + other.population, households: households + other.households, poorHouseholds: poorHouseholds + other.poorHouseholds,
            poorPeople: poorPeople + other.poorPeople, exitedHouseholds: exitedHouseholds + other.exitedHouseholds,
            monitoredHouseholds: monitoredHouseholds + other.monitoredHouseholds,
            villagesWithEnteredPopulation: villagesWithEnteredPopulation + other.villagesWithEnteredPopulation)
    }
}
