import Foundation
import SQLKit
import ZhenxingDomain

/// A measure as stored.
public struct Measure: Sendable, Hashable, Decodable {
    public let id: Int
    public let category: String
    public let content: String
    public let amountFen: Int
    public let funding: String
    public let startOn: String
    public let endOn: String
    public let status: String
    public let result: String

    enum CodingKeys: String, CodingKey {
        case id, category, content, funding, status, result
        case amountFen = "amount_fen", startOn = "start_on", endOn = "end_on"
    }

    /// As a draft, to carry it into a new version.
    public var draft: MeasureDraft {
        MeasureDraft(category: MeasureCategory(rawValue: category) ?? .production, content: content, amountFen: amountFen, funding: funding,
                     start: startOn, end: endOn, status: MeasureStatus(rawValue: status) ?? .planned, result: result)
    }
}

/// A measure of a current plan version with its household, as listed and exported.
public struct MeasureRow: Sendable, Hashable, Decodable {
    public let householdId: Int
    public let householdNumber: String
    public let villageCode: String
    public let headName: String?
    public let year: Int
    public let version: Int
    public let measure: Measure

    enum CodingKeys: String, CodingKey {
        case year, version
        case householdId = "household_id", householdNumber = "household_number", villageCode = "village_code", headName = "head_name"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        householdId = try container.decode(Int.self, forKey: .householdId)
        householdNumber = try container.decode(String.self, forKey: .householdNumber)
        villageCode = try container.decode(String.self, forKey: .villageCode)
        headName = try container.decodeIfPresent(String.self, forKey: .headName)
        year = try container.decode(Int.self, forKey: .year)
        version = try container.decode(Int.self, forKey: .version)
        measure = try Measure(from: decoder)
    }
}

/// One version of a household's plan for a year.
public struct Plan: Sendable, Hashable {
    public let id: Int
    public let year: Int
    public let version: Int
    public let createdBy: String
    public let createdAt: String
    public let measures: [Measure]
}

/// The assistance figures of a division in a year: plans, measures by category, visits.
public struct AssistanceFigures: Sendable, Hashable, Codable {
    /// Households with a plan for the year.
    public var householdsWithPlan = 0
    /// Measures by category: count and amount in fen (current versions only).
    public var measures: [String: CategoryTotal] = [:]
    /// Visits in the year.
    public var visits = 0
    /// Promises made on visits and not followed up past their date at the year's end.
    public var overdueFollowUps = 0
    /// Party members at the year's end, specialised branches and the households they look after.
    public var party = PartyFigures()

    public struct CategoryTotal: Sendable, Hashable, Codable {
        public var count: Int
        public var amountFen: Int
    }

    public init() {}

    /// Adds another division's figures.
    mutating func add(_ other: AssistanceFigures) {
        householdsWithPlan += other.householdsWithPlan
        measures.merge(other.measures) { CategoryTotal(count: $0.count + $1.count, amountFen: $0.amountFen + $1.amountFen) }
        visits += other.visits
        overdueFollowUps += other.overdueFollowUps
        party.add(other.party)
    }
}

extension AssistanceFigures {
    func with(visits: (visits: Int, overdueFollowUps: Int), party: PartyFigures) -> AssistanceFigures {
        var figures = self
        figures.visits = visits.visits
        figures.overdueFollowUps = visits.overdueFollowUps
        figures.party = party
        return figures
    }
}

/// Yearly assistance plans and their measures, versioned.
public struct PlanRepository: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Writes a new version of a household's plan for `year` with `measures` (the earlier version stays); returns the version.
    @discardableResult
    public func save(household: Int, year: Int, measures: [MeasureDraft], by actor: AuditActor) async throws -> Int {
        var problems: [FieldIssue] = []
        if !(2000...2100).contains(year) {
            problems.append(FieldIssue.yearOutOfRange())
        }
        for (index, measure) in measures.enumerated() {
            problems += measure.problems().map {
                FieldIssue(field: measures.count == 1 ? $0.field : "measures[\(index)].\($0.field)", message: $0.message)
            }
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.save(household: household, year: year, measures: measures, by: actor, in: sql) }
    }

    /// The same inside the caller's transaction (checked by the caller).
    @discardableResult
    public static func save(household: Int, year: Int, measures: [MeasureDraft], by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        guard let village = try await sql.raw("SELECT village_code FROM households WHERE id = \(bind: household)")
            .first(decodingColumn: "village_code", as: String.self) else { throw StoreError.notFound("household \(household)") }
        let version = (try await sql.raw("SELECT COALESCE(max(version), 0) AS v FROM plans WHERE household_id = \(bind: household) AND year = \(bind: year)")
            .first(decodingColumn: "v", as: Int.self) ?? 0) + 1
        let plan = try await BulkInsert.row(into: "plans", columns: ["household_id", "year", "version", "created_by", "created_at"],
                                            values: [household, year, version, actor.username, Timestamp.now()], in: sql)
        try await BulkInsert.rows(measures.map {
            [plan, $0.category.rawValue, $0.content, $0.amountFen, $0.funding, $0.start, $0.end, $0.status.rawValue, $0.result]
        }, into: "measures", columns: ["plan_id", "category", "content", "amount_fen", "funding", "start_on", "end_on", "status", "result"], in: sql)
        try await AuditLog.record(.update, entity: .plan, key: "\(household)/\(year)/v\(version)", division: try? DivisionCode(validating: village),
                                  after: measures, by: actor, in: sql)
        return version
    }

    /// Every version of a household's plans, newest year and version first.
    public func plans(ofHousehold household: Int) async throws -> [Plan] {
        try await database.read { sql in
            struct Row: Decodable {
                let id: Int, year: Int, version: Int, createdBy: String, createdAt: String
                enum CodingKeys: String, CodingKey { case id, year, version, createdBy = "created_by", createdAt = "created_at" }
            }
            let rows = try await sql.raw("""
                SELECT id, year, version, created_by, created_at FROM plans WHERE household_id = \(bind: household) ORDER BY year DESC, version DESC
                """).all(decoding: Row.self)
            guard !rows.isEmpty else { return [] }
            struct Owned: Decodable {
                let planId: Int
                let measure: Measure
                init(from decoder: any Decoder) throws {
                    enum Key: String, CodingKey { case planId = "plan_id" }
                    planId = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .planId)
                    measure = try Measure(from: decoder)
                }
            }
            let measures = try await sql.raw("""
                SELECT plan_id, id, category, content, amount_fen, funding, start_on, end_on, status, result FROM measures
                WHERE plan_id IN (\(binds: rows.map(\.id))) ORDER BY id
                """).all(decoding: Owned.self)
            let byPlan = Dictionary(grouping: measures, by: \.planId)
            return rows.map { Plan(id: $0.id, year: $0.year, version: $0.version, createdBy: $0.createdBy, createdAt: $0.createdAt,
                                   measures: byPlan[$0.id]?.map(\.measure) ?? []) }
        }
    }

    /// The measures of the current plan versions of `year` in a division, optionally of one category, ordered by
    /// id; `after` (a measure id) and `limit` page through them so an export of any size stays small.
    public func measures(in division: DivisionCode, year: Int, category: MeasureCategory? = nil, after: Int? = nil, limit: Int) async throws -> [MeasureRow] {
        var filter: SQLQueryString = ""
        if let category { filter += " AND x.category = \(bind: category.rawValue)" }
        if let after { filter += " AND x.id > \(bind: after)" }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT x.id, x.category, x.content, x.amount_fen, x.funding, x.start_on, x.end_on, x.status, x.result,
                       h.id AS household_id, h.number AS household_number, h.village_code, p.year, p.version,
                       (SELECT pe.name FROM memberships m JOIN people pe ON pe.id = m.person_id
                        WHERE m.household_id = h.id AND m.relation = 'head' AND m.to_date IS NULL LIMIT 1) AS head_name
                FROM measures x JOIN plans p ON p.id = x.plan_id JOIN households h ON h.id = p.household_id
                WHERE \(division.covers("h.village_code")) AND p.year = \(bind: year)
                  AND p.version = (SELECT max(q.version) FROM plans q WHERE q.household_id = p.household_id AND q.year = p.year)
                  \(filter)
                ORDER BY x.id LIMIT \(literal: limit)
                """).all(decoding: MeasureRow.self)
        }
    }

    /// Measures by category (count and amount) of the current plan versions of `year`, households with a plan, visits and party figures.
    func figures(_ division: DivisionCode, year: Int, asOf: String) async throws -> AssistanceFigures {
        try await database.read { sql in
            let current: SQLQueryString = """
                SELECT p.id FROM plans p JOIN households h ON h.id = p.household_id
                WHERE \(division.covers("h.village_code")) AND p.year = \(bind: year)
                  AND p.version = (SELECT max(q.version) FROM plans q WHERE q.household_id = p.household_id AND q.year = p.year)
                """
            var figures = AssistanceFigures()
            figures.householdsWithPlan = try await sql.raw("SELECT count(*) AS n FROM (\(current)) c").first(decodingColumn: "n", as: Int.self) ?? 0
            struct Row: Decodable { let category: String; let n: Int; let fen: Int? }
            for row in try await sql.raw("""
                SELECT category, count(*) AS n, CAST(sum(amount_fen) AS BIGINT) AS fen FROM measures WHERE plan_id IN (\(current)) GROUP BY category
                """).all(decoding: Row.self) {
                figures.measures[row.category] = .init(count: row.n, amountFen: row.fen ?? 0)
            }
            return figures
        }.with(visits: try await VisitRepository(database: database).figures(division, year: year, asOf: asOf),
               party: try await PartyRepository(database: database).figures(division, year: year))
    }
}
