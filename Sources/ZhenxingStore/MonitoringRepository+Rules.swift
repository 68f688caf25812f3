import SQLKit
import ZhenxingDomain

/// What a scan found in one household, and what became of it.
public struct ScanLine: Sendable, Hashable {
    /// What becomes of a finding.
    public enum Disposition: Sendable, Hashable {
        /// It opens a warning for the household.
        case opensWarning
        /// It is added to the household's open warning.
        case addsToWarning(Int)
        /// The same rule already raised it for the year.
        case alreadyRecorded
    }

    /// The household.
    public let householdID: Int
    /// Its number in the village.
    public let householdNumber: String
    /// Its village.
    public let villageCode: DivisionCode
    /// What the rule found.
    public let finding: RuleFinding
    /// What became (or, on a dry run, would become) of it.
    public let disposition: Disposition
}

/// A scan of a division's assessments of a year by the monitoring rules.
public struct MonitoringScan: Sendable, Hashable {
    /// The year scanned.
    public let year: Int
    /// Households with an assessment of the year that the rules looked at (not poor, not already monitored).
    public let householdsScanned: Int
    /// The thresholds used; a rule whose threshold is not in force did not run.
    public let thresholds: RuleThresholds
    /// Every finding, by village and household number.
    public let lines: [ScanLine]
    /// Whether nothing was written.
    public let dryRun: Bool

    /// Warnings the scan opens.
    public var opened: Int { Set(lines.filter { $0.disposition == .opensWarning }.map(\.householdID)).count }
    /// Findings added to warnings that were open already.
    public var added: Int { lines.filter { if case .addsToWarning = $0.disposition { true } else { false } }.count }
}

/// Who would enter monitoring under another threshold (what-if), computed from the assessments.
public struct WhatIf: Sendable, Hashable {
    /// A household that would enter.
    public struct Household: Sendable, Hashable {
        /// The household.
        public let householdID: Int
        /// Its number in the village.
        public let householdNumber: String
        /// Its village.
        public let villageCode: DivisionCode
        /// Members counted in the assessment.
        public let members: Int
        /// Its per-capita net income, fen.
        public let perCapitaFen: Int
    }

    /// The assessment year.
    public let year: Int
    /// The threshold asked about, fen per person per year.
    public let thresholdFen: Int
    /// Households whose assessment was read.
    public let householdsRead: Int
    /// Those under the threshold, by village and number.
    public let households: [Household]

    /// People in them.
    public var people: Int { households.reduce(0) { $0 + $1.members } }
    /// Households and people by village, in village order.
    public var byVillage: [(village: DivisionCode, households: Int, people: Int)] {
        var counts: [(village: DivisionCode, households: Int, people: Int)] = []
        for household in households {
            if counts.last?.village == household.villageCode {
                counts[counts.count - 1].households += 1
                counts[counts.count - 1].people += household.members
            } else {
                counts.append((household.villageCode, 1, household.members))
            }
        }
        return counts
    }
}

/// The rules over the records: the scan that raises warnings and the what-if of another threshold.
extension MonitoringRepository {
    /// Runs the rules over the assessments of `year` in `division` (any level) on `today`: each finding not recorded
    /// for the household and year before opens a warning or joins the household's open one. A dry run writes
    /// nothing and says what would happen. Households poor or already monitored at the year's end are not scanned.
    public func scan(_ division: DivisionCode, year: Int, today: String, dryRun: Bool, by actor: AuditActor) async throws -> MonitoringScan {
        guard FieldIssue.years.contains(year) else { throw ValidationFailure([FieldIssue.yearOutOfRange()]) }
        if dryRun { return try await database.read { try await Self.scan(division, year: year, today: today, write: nil, in: $0) } }
        return try await database.transaction { sql in
            let scan = try await Self.scan(division, year: year, today: today, write: actor, in: sql)
            if !scan.lines.isEmpty {
                struct Counts: Encodable { let year: Int; let opened: Int; let added: Int }
                try await AuditLog.record(.create, entity: .monitoringScan, key: "\(division)/\(year)", division: division,
                                          after: Counts(year: year, opened: scan.opened, added: scan.added), by: actor, in: sql)
            }
            return scan
        }
    }

    fileprivate static func scan(_ division: DivisionCode, year: Int, today: String, write actor: AuditActor?, in sql: any SQLDatabase) async throws -> MonitoringScan {
        let shares = try await Self.ruleParameters(MonitoringRule.parameterised.map(\.rawValue), for: division, year: year, in: sql)
        let thresholds = RuleThresholds(monitoring: try await RegistryRepository.parameters(for: division, years: [year], in: sql)[year]?.monitoringThreshold,
                                        incomeDrop: shares[MonitoringRule.incomeDrop.rawValue], rigidSpending: shares[MonitoringRule.rigidSpending.rawValue])
        let rows = try await Self.assessed(division, year: year, as: ScanRow.self, in: sql)
        let workers = try await Self.workersChanged(division, year: year, in: sql)
        let recorded = Set(try await sql.raw("""
            SELECT s.household_id, s.rule FROM monitoring_signals s JOIN households h ON h.id = s.household_id
            WHERE s.source = 'rule' AND s.year = \(bind: year) AND \(division.covers("h.village_code"))
            """).all(decoding: RecordedRule.self, keyDecodingStrategy: .convertFromSnakeCase).map { "\($0.householdId)/\($0.rule)" })
        var open = Dictionary(uniqueKeysWithValues: try await sql.raw("""
            SELECT id, household_id FROM monitoring_warnings WHERE closed_on IS NULL AND \(division.covers("village_code"))
            """).all(decoding: OpenWarning.self, keyDecodingStrategy: .convertFromSnakeCase).map { ($0.householdId, $0.id) })
        var lines: [ScanLine] = [], openedNow: Set<Int> = []
        for row in rows {
            let village = try DivisionCode(validating: row.villageCode)
            for finding in MonitoringRules.findings(row.assessment(year), previous: row.previous(year - 1), workers: workers[row.id], thresholds: thresholds) {
                let disposition: ScanLine.Disposition
                if recorded.contains("\(row.id)/\(finding.rule.rawValue)") {
                    disposition = .alreadyRecorded
                } else if let warning = open[row.id], !openedNow.contains(row.id) {
                    disposition = .addsToWarning(warning)
                } else {
                    disposition = .opensWarning
                    openedNow.insert(row.id)
                }
                lines.append(ScanLine(householdID: row.id, householdNumber: row.number, villageCode: village, finding: finding, disposition: disposition))
                if let actor, disposition != .alreadyRecorded {
                    let warning = try await Self.warning(open[row.id], household: row.id, village: village, opening: today, in: sql)
                    open[row.id] = warning
                    try await Self.addSignal(to: warning, household: row.id, source: .rule, finding: finding, riskType: finding.rule.riskType,
                                             foundOn: today, by: actor, in: sql)
                }
            }
        }
        return MonitoringScan(year: year, householdsScanned: rows.count, thresholds: thresholds, lines: lines, dryRun: actor == nil)
    }

    /// The people able to work (`Employment.ableToWork`, by their work record in force) at the end of the year before
    /// `year` and at its end, for the households of `division` where a member left or a member's work record changed
    /// during the year: elsewhere the two counts are the same. A first pass finds those households (0.7 s at 1 M
    /// people); counting every household's workers at both days took 7 s.
    fileprivate static func workersChanged(_ division: DivisionCode, year: Int, in sql: any SQLDatabase) async throws -> [Int: (before: Int, now: Int)] {
        let before = "\(year - 1)-12-31", end = "\(year)-12-31"
        let changed = try await sql.raw("""
            SELECT DISTINCT m.household_id AS "householdId" FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE \(division.covers("h.village_code")) AND m.from_date <= \(bind: end) AND (m.to_date IS NULL OR m.to_date > \(bind: before))
              AND ((m.to_date IS NOT NULL AND m.to_date <= \(bind: end))
                   OR EXISTS (SELECT 1 FROM work_records w WHERE w.person_id = m.person_id AND w.since > \(bind: before) AND w.since <= \(bind: end)))
            """).all(decodingColumn: "householdId", as: Int.self)
        var counts: [Int: (before: Int, now: Int)] = Dictionary(uniqueKeysWithValues: changed.map { ($0, (0, 0)) })
        struct Row: Decodable { let householdId: Int; let workers: Int }
        for start in stride(from: 0, to: changed.count, by: 500) {
            let page = Array(changed[start..<min(start + 500, changed.count)])
            for (day, isBefore) in [(before, true), (end, false)] {
                for row in try await sql.raw("""
                    SELECT m.household_id AS "householdId", COUNT(*) AS "workers"
                    FROM memberships m JOIN work_records w ON w.person_id = m.person_id
                    WHERE m.household_id IN (\(binds: page)) AND m.from_date <= \(bind: day) AND (m.to_date IS NULL OR m.to_date > \(bind: day))
                      AND \(WorkRecords.inForce("w", on: day)) AND w.labour IN (\(binds: Employment.ableToWork.sorted()))
                    GROUP BY m.household_id
                    """).all(decoding: Row.self) {
                    if isBefore { counts[row.householdId]?.before = row.workers } else { counts[row.householdId]?.now = row.workers }
                }
            }
        }
        return counts
    }

    /// The households of `division` with an assessment of `year`, not poor and not monitored at the year's end, by
    /// village and number, as `Row` reads them: a `ScanRow` with the year before's income, an `IncomeRow` without.
    fileprivate static func assessed<Row: AssessedRow>(_ division: DivisionCode, year: Int, as _: Row.Type, in sql: any SQLDatabase) async throws -> [Row] {
        let yearEnd = "\(year)-12-31"
        let previous: SQLQueryString = Row.withPrevious ? "LEFT JOIN assessments p ON p.household_id = a.household_id AND p.year = a.year - 1" : ""
        return try await sql.raw("""
            SELECT \(unsafeRaw: Row.columns)
            FROM assessments a JOIN households h ON h.id = a.household_id \(previous)
            WHERE a.year = \(bind: year) AND \(division.covers("h.village_code")) AND h.closed_on IS NULL
              AND COALESCE((SELECT e.status FROM status_events e WHERE e.household_id = h.id AND e.event_date <= \(bind: yearEnd)
                            ORDER BY e.event_date DESC, e.id DESC LIMIT 1), 'not_poor') NOT IN ('poor', 'monitored')
            ORDER BY h.village_code, h.number
            """).all(decoding: Row.self)  // columns named as the row's properties: 280,000 rows decode without converting keys
    }

    /// Who would enter monitoring if the threshold of `division`'s province in `year` were `thresholdFen`: the households
    /// the scan reads whose per-capita net income of that year's assessment lies under it, with counts by village.
    /// Reads only; the parameters in force do not change.
    public func whatIf(_ division: DivisionCode, year: Int, thresholdFen: Int) async throws -> WhatIf {
        var problems: [FieldIssue] = []
        if !FieldIssue.years.contains(year) { problems.append(FieldIssue.yearOutOfRange()) }
        if let problem = FieldIssue.money(thresholdFen, field: "threshold", positive: true) { problems.append(problem) }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let rows = try await database.read { try await Self.assessed(division, year: year, as: IncomeRow.self, in: $0) }
        var entering: [WhatIf.Household] = []
        for row in rows {
            if let perCapita = row.income.perCapita(members: row.members), perCapita < thresholdFen {
                entering.append(WhatIf.Household(householdID: row.id, householdNumber: row.number, villageCode: try DivisionCode(validating: row.villageCode),
                                                 members: row.members, perCapitaFen: perCapita))
            }
        }
        return WhatIf(year: year, thresholdFen: thresholdFen, householdsRead: rows.count, households: entering)
    }

    // MARK: Rows as read

    fileprivate struct RecordedRule: Decodable { let householdId: Int; let rule: String }

    fileprivate struct OpenWarning: Decodable { let id: Int; let householdId: Int }

    /// A row of `assessed`: the columns it reads, named as its properties.
    fileprivate protocol AssessedRow: Decodable {
        static var columns: String { get }
        static var withPrevious: Bool { get }
    }

    fileprivate struct IncomeRow: AssessedRow {
        static let columns = """
            h.id, h.village_code AS "villageCode", h.number, a.members, a.wages, a.production, a.property, a.transfers,
            a.production_costs AS "productionCosts"
            """
        static let withPrevious = false
        let id: Int, villageCode: String, number: String, members: Int, wages: Int, production: Int, property: Int, transfers: Int, productionCosts: Int

        var income: IncomeSheet {
            IncomeSheet(wages: wages, production: production, property: property, transfers: transfers, productionCosts: productionCosts)
        }
    }

    fileprivate struct ScanRow: AssessedRow {
        static let columns = """
            h.id, h.village_code AS "villageCode", h.number,
            a.members, a.wages, a.production, a.property, a.transfers, a.production_costs AS "productionCosts",
            a.medical_spending AS "medicalSpending", a.schooling_spending AS "schoolingSpending", a.food_clothing AS "foodClothing", a.education, a.medical, a.housing, a.water,
            p.members AS "pMembers", p.wages AS "pWages", p.production AS "pProduction", p.property AS "pProperty",
            p.transfers AS "pTransfers", p.production_costs AS "pProductionCosts"
            """
        static let withPrevious = true
        let id: Int, villageCode: String, number: String
        let members: Int, wages: Int, production: Int, property: Int, transfers: Int, productionCosts: Int, medicalSpending: Int, schoolingSpending: Int
        let foodClothing: Bool, education: Bool, medical: Bool, housing: Bool, water: Bool
        let pMembers: Int?, pWages: Int?, pProduction: Int?, pProperty: Int?, pTransfers: Int?, pProductionCosts: Int?

        func assessment(_ year: Int) -> Assessment {
            Assessment(year: year, members: members,
                       income: IncomeSheet(wages: wages, production: production, property: property, transfers: transfers, productionCosts: productionCosts),
                       guarantees: Guarantees(foodAndClothing: foodClothing, education: education, medical: medical, housing: housing, water: water),
                       spending: RigidSpending(medical: medicalSpending, schooling: schoolingSpending))
        }

        func previous(_ year: Int) -> Assessment? {
            guard let pMembers, let pWages, let pProduction, let pProperty, let pTransfers, let pProductionCosts else { return nil }
            // the guarantees of the year before play no part in the rules
            return Assessment(year: year, members: pMembers,
                              income: IncomeSheet(wages: pWages, production: pProduction, property: pProperty, transfers: pTransfers, productionCosts: pProductionCosts),
                              guarantees: Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true))
        }
    }
}
