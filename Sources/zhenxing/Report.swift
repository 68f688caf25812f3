import ArgumentParser
import Foundation
import ZhenxingDomain
import ZhenxingStore

/// Reports computed from the records.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print reports from the records (输出统计报表).", subcommands: [Figures.self, Party.self])

    /// The figures document of a division for a year.
    struct Figures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Figures of a division for a year (区划年度统计数字).")

        enum Format: String, ExpressibleByArgument, CaseIterable { case json, table }

        @Option(help: "12-digit division code (区划代码).")
        var division: String

        @Option(help: "Year (年份).")
        var year: Int

        @Option(help: "json or table.")
        var format: Format = .table

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                let document: FiguresDocument
                do {
                    document = try await FiguresQuery(database: database).document(code, year: year)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(options: failure)
                } catch StoreError.notFound {
                    throw CommandFailure(message: "no division \(code)")
                }
                print(format == .json ? Self.json(document) : Self.table(document))
            }
        }

        /// The document as JSON, the same as the API's.
        static func json(_ document: FiguresDocument) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try! encoder.encode(document), as: UTF8.self)
        }

        /// The document as an aligned two-column table.
        static func table(_ document: FiguresDocument) -> String {
            let figures = document.registry
            var rows: [(String, String)] = [
                ("division", "\(document.division.code) \(document.division.name)"),
                ("year", "\(document.year) (as of \(document.asOf))"),
                ("population", String(figures.population)),
                ("households", String(figures.households)),
                ("poorHouseholds", String(figures.poorHouseholds)),
                ("poorPeople", String(figures.poorPeople)),
                ("povertyIncidence", figures.povertyIncidence.map { "\($0) (\(String(format: "%.2f", $0 * 100)) %)" } ?? "—"),
                ("exitedHouseholds", String(figures.exitedHouseholds)),
                ("monitoredHouseholds", String(figures.monitoredHouseholds)),
                ("povertyLine", document.povertyLineFen.map { FixedPoint.format($0, scale: 2, minimumFractionDigits: 2) + " yuan" } ?? "—"),
            ]
            if let decision = document.villageExitDecision {
                rows.append(("villageExit", "exited on \(decision.decidedOn), decided by \(decision.decidedBy)"
                    + (decision.document.isEmpty ? "" : ", \(decision.document)") + (decision.override.map { "; despite the limit: \($0)" } ?? "")))
            } else if let exit = document.villageExit {
                rows.append(("villageExit", "\(exit.eligible ? "eligible" : "not eligible") (limit \(String(format: "%.0f", exit.limit * 100)) %)"))
            }
            if document.division.level != .village {
                rows.append(("villagesExited", String(document.villagesExited)))
            }
            let ledger = document.ledger, assistance = document.assistance
            rows += [
                ("issues", "\(ledger.collected) raised, \(ledger.solvedOnTheSpot) solved on the spot, \(ledger.referredToMeeting) referred, \(ledger.closed) closed, \(ledger.open) open"),
                ("plans", "\(assistance.householdsWithPlan) households, \(assistance.measures.values.reduce(0) { $0 + $1.count }) measures, "
                    + FixedPoint.format(assistance.measures.values.reduce(0) { $0 + $1.amountFen }, scale: 2, minimumFractionDigits: 2) + " yuan"),
                ("visits", "\(assistance.visits), \(assistance.overdueFollowUps) follow-ups overdue"),
                ("partyMembers", "\(assistance.party.members) (\(assistance.party.branches) specialised branches, \(assistance.party.householdsWithBranch) households)"),
            ]
            let community = document.community
            let lectures = community.activities[ActivityKind.lecture.rawValue]
            rows += [
                ("lectures", "\(lectures?.sessions ?? 0) sessions, \(lectures?.personTimes ?? 0) person-times"),
                ("activities", ActivityKind.allCases.compactMap { kind in
                    community.activities[kind.rawValue].map { "\(kind.rawValue) \($0.sessions)/\($0.personTimes)" } }.joined(separator: ", ")),
                ("honours", community.honours.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
                ("projects", "\(community.projects), land \(FixedPoint.format(community.landMuHundredths, scale: 2)) mu, \(community.jobs) jobs"),
                ("collectiveIncome", FixedPoint.format(community.collectiveIncomeFen, scale: 2, minimumFractionDigits: 2) + " yuan"),
                ("employment", "\(community.employed) of \(community.ableToWork) able to work"
                    + (community.employmentRate.map { " (\(String(format: "%.1f", $0 * 100)) %)" } ?? "")),
                ("enterprises", community.enterprises.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ]
            let monitoring = document.monitoring
            let codes = { (counts: [String: MonitoringFigures.Count]) in
                counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.households)/\($0.value.people)" }.joined(separator: ", ")
            }
            rows += [
                ("monitored", "\(monitoring.monitored.households) households, \(monitoring.monitored.people) people; \(monitoring.underWatch) cleared under watch; "
                    + "\(monitoring.monitoredWithPlan) with a plan"),
                ("byCategory", codes(monitoring.byCategory)),
                ("byRiskType", codes(monitoring.byRiskType)),
                ("warnings", "\(monitoring.warnings) opened (" + monitoring.warningsBySource.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", ") + "), \(monitoring.entered) entered, \(monitoring.cleared) cleared, \(monitoring.stepsOverdue) steps overdue"),
                ("daysToDecision", monitoring.medianWorkingDaysToDecision.map { "median \(String(format: "%.1f", $0)) working days" } ?? "—"),
            ]
            if let note = document.note { rows.append(("note", note)) }
            let width = rows.map(\.0.count).max() ?? 0
            return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
        }
    }

    /// The party organisation of a division on a date.
    struct Party: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Party members on a date and the specialised branches (党员与专业帮扶党支部).")

        @Option(help: "12-digit division code (区划代码).")
        var division: String

        @Option(help: "The date, YYYY-MM-DD (统计日期). Default: today.")
        var on: String?

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            let date = on ?? Timestamp.today()
            guard Day.isValid(date) else { throw CommandFailure(message: "--on: use YYYY-MM-DD") }
            try await data.withDatabase { database, _ in
                guard try await DivisionRepository(database: database).find(code) != nil else {
                    throw CommandFailure(message: "--division: \(code) does not exist (区划不存在)")
                }
                let party = PartyRepository(database: database)
                let members = try await party.members(in: code, on: date)
                print("party members on \(date) (党员): \(members.count)")
                for (organisation, count) in members.byOrganisation { print("  \(organisation)  \(count)") }
                let branches = try await party.branches(in: code, on: date)
                print("specialised branches (专业帮扶党支部): \(branches.count)")
                for branch in branches {
                    print("  \(branch.name)  \(BranchKind(rawValue: branch.kind)?.title.en ?? branch.kind), formed \(branch.formedOn), "
                          + "\(branch.members) members, \(branch.households) households")
                }
            }
        }
    }
}
