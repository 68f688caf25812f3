import SQLKit
import ZhenxingDomain

/// What became of a row of a department's file.
public struct DepartmentLine: Sendable, Hashable {
    /// Why a row matched no household of the division.
    public enum Unmatched: Sendable, Hashable {
        /// No one in the registry has the ID.
        case notRegistered
        /// The resident lives in no current household of the division.
        case notInDivision

        /// The reason in both languages.
        public var title: LocalizedText {
            switch self {
            case .notRegistered: LocalizedText(zh: "户籍信息中无此身份证号", en: "No one in the registry has this ID")
            case .notInDivision: LocalizedText(zh: "不在本区划的在册农户中", en: "Not in a current household of this division")
            }
        }
    }

    /// What became of it.
    public enum Disposition: Sendable, Hashable {
        /// It opens the household's warning.
        case opensWarning
        /// It joins the household's open warning, this one.
        case addsToWarning(Int)
        /// In a dry run: it joins the warning an earlier row of the file would open.
        case joinsWarningOpenedAbove
        /// The same department already reported the same thing for the household on that day.
        case alreadyRecorded
        /// It matched no household: listed, never dropped.
        case unmatched(Unmatched)
    }

    /// The row.
    public let warning: DepartmentWarning
    /// The household it matched.
    public let householdID: Int?
    /// Its number in the village.
    public let householdNumber: String?
    /// Its village.
    public let villageCode: String?
    public let disposition: Disposition

    /// How many of `lines` open a warning, join one (open already, or opened by a row above), were recorded already
    /// and matched no household.
    public static func tally(_ lines: [DepartmentLine]) -> (opened: Int, joined: Int, alreadyRecorded: Int, unmatched: Int) {
        lines.reduce(into: (0, 0, 0, 0)) { counts, line in
            switch line.disposition {
            case .opensWarning: counts.0 += 1
            case .addsToWarning, .joinsWarningOpenedAbove: counts.1 += 1
            case .alreadyRecorded: counts.2 += 1
            case .unmatched: counts.3 += 1
            }
        }
    }
}

extension MonitoringRepository {
    /// Stands for the warning a dry run would open (ids start at 1).
    private static let openedInDryRun = 0

    /// Records the rows of a department's file for `division`, in one transaction (nothing with `dryRun`): each row
    /// matched by resident ID to the current household of the division the resident lives in opens its warning or
    /// joins its open one, as a department's signal; the rows matching no household come back listed. A row the
    /// department already reported (same household, day and finding) is recorded once. Audited.
    public func importDepartment(_ rows: [DepartmentWarning], into division: DivisionCode, today: String, dryRun: Bool,
                                 by actor: AuditActor) async throws -> [DepartmentLine] {
        let late = rows.filter { $0.foundOn > today }
        guard late.isEmpty else {
            throw ValidationFailure(late.prefix(20).map {
                FieldIssue(field: "row \($0.row)", message: LocalizedText(zh: "日期不能晚于今天", en: "The day cannot be after today"))
            })
        }
        let body: @Sendable (any SQLDatabase) async throws -> [DepartmentLine] = { sql in
            struct Resident: Decodable { let residentId: String; let householdId: Int?; let number: String?; let villageCode: String? }
            var residents: [String: [Resident]] = [:]
            let ids = Array(Set(rows.map(\.residentID.value)))
            for start in stride(from: 0, to: ids.count, by: 500) {
                let page = Array(ids[start..<min(start + 500, ids.count)])
                for resident in try await sql.raw("""
                    SELECT p.resident_id AS "residentId", h.id AS "householdId", h.number AS "number", h.village_code AS "villageCode"
                    FROM people p LEFT JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                    LEFT JOIN households h ON h.id = m.household_id AND h.closed_on IS NULL
                    WHERE p.resident_id IN (\(binds: page))
                    """).all(decoding: Resident.self) {
                    residents[resident.residentId, default: []].append(resident)
                }
            }
            var open: [Int: Int] = [:], recorded = Set<String>(), lines: [DepartmentLine] = []
            for row in rows {
                guard let found = residents[row.residentID.value] else {
                    lines.append(DepartmentLine(warning: row, householdID: nil, householdNumber: nil, villageCode: nil, disposition: .unmatched(.notRegistered)))
                    continue
                }
                guard let home = found.first(where: { resident in
                    resident.householdId != nil && resident.villageCode.flatMap { try? DivisionCode(validating: $0) }.map(division.contains) == true
                }), let household = home.householdId, let village = home.villageCode.flatMap({ try? DivisionCode(validating: $0) }) else {
                    lines.append(DepartmentLine(warning: row, householdID: nil, householdNumber: nil, villageCode: nil, disposition: .unmatched(.notInDivision)))
                    continue
                }
                let report = RiskReport(source: .department, riskType: row.source.riskType, detail: row.detail, reportedBy: row.source.title.zh,
                                        foundOn: row.foundOn, spendingFen: row.amountFen)
                let key = "\(household)/\(row.foundOn)/\(report.reportedBy)/\(report.detail)"
                var disposition: DepartmentLine.Disposition
                if recorded.contains(key) {
                    disposition = .alreadyRecorded
                } else if try await sql.raw("""
                    SELECT 1 AS found FROM monitoring_signals WHERE household_id = \(bind: household) AND source = 'department'
                    AND found_on = \(bind: row.foundOn) AND reported_by = \(bind: report.reportedBy) AND detail = \(bind: report.detail)
                    """).first() != nil {
                    disposition = .alreadyRecorded
                } else {
                    if open[household] == nil, let existing = try await sql.raw("""
                        SELECT id FROM monitoring_warnings WHERE household_id = \(bind: household) AND closed_on IS NULL
                        """).first(decodingColumn: "id", as: Int.self) {
                        open[household] = existing
                    }
                    disposition = open[household].map { $0 == Self.openedInDryRun ? .joinsWarningOpenedAbove : .addsToWarning($0) } ?? .opensWarning
                    if dryRun {
                        open[household] = open[household] ?? Self.openedInDryRun
                    } else {
                        let warning = try await Self.warning(open[household], household: household, village: village, opening: row.foundOn, in: sql)
                        try await Self.addSignal(to: warning, household: household, source: .department, report: report, riskType: report.riskType,
                                                 foundOn: row.foundOn, by: actor, in: sql)
                        open[household] = warning
                    }
                    recorded.insert(key)
                }
                lines.append(DepartmentLine(warning: row, householdID: household, householdNumber: home.number, villageCode: home.villageCode,
                                            disposition: disposition))
            }
            if !dryRun {
                let counts = "\(lines.count) rows, \(lines.filter { if case .unmatched = $0.disposition { true } else { false } }.count) unmatched"
                try await AuditLog.record(.create, entity: .monitoringDepartmentImport, key: counts, division: division,
                                          after: ["source": rows.first?.source.rawValue ?? ""], by: actor, in: sql)
            }
            return lines
        }
        return dryRun ? try await database.read(body) : try await database.transaction(body)
    }
}
