import ArgumentParser
import ZhenxingDomain
import ZhenxingStore

/// Return-to-poverty monitoring from the command line.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Return-to-poverty monitoring (防返贫监测).", subcommands: [Scan.self, WhatIf.self])

    /// Runs the rules over a year's assessments and raises the warnings they find.
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the monitoring rules over a division's assessments of a year (规则预警).",
            discussion: "Prints every finding with its values and the parameter row used; without --dry-run, opens or adds to each household's warning.")

        @Option(help: "12-digit division code of any level (区划代码).")
        var division: String

        @Option(help: "Assessment year (年份).")
        var year: Int

        @Flag(help: "Print what would be raised; write nothing (只预览，不写入).")
        var dryRun = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                let scan: MonitoringScan
                do {
                    scan = try await MonitoringRepository(database: database).scan(code, year: year, today: Timestamp.today(), dryRun: dryRun, by: .system)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(options: failure)
                }
                print(Self.report(scan))
            }
        }

        /// One line a finding, then the totals.
        static func report(_ scan: MonitoringScan) -> String {
            var lines = scan.lines.map { line in
                let outcome = switch line.disposition {
                case .opensWarning: "opens a warning (新预警)"
                case .addsToWarning(let id): "adds to warning #\(id) (并入预警)"
                case .alreadyRecorded: "already recorded (已记录)"
                }
                return "\(line.villageCode) household \(line.householdNumber): \(line.finding.explanation.zh) — \(outcome)"
            }
            let thresholds = scan.thresholds
            func share(_ threshold: DatedThreshold?) -> String {
                threshold.map { "\(FixedPoint.format($0.value, scale: 2)) % (\($0.origin.title.en))" } ?? "none in force"
            }
            let threshold = thresholds.monitoring.map { "\(FixedPoint.format($0.value, scale: 2)) yuan (\($0.origin.title.en))" } ?? "none in force"
            lines.append("""
                \(scan.year): \(scan.householdsScanned) households scanned, monitoring threshold \(threshold), \
                income drop \(share(thresholds.incomeDrop)), rigid spending \(share(thresholds.rigidSpending)); \
                \(scan.lines.count) findings, \(scan.opened) warnings \(scan.dryRun ? "would open" : "opened"), \
                \(scan.added) findings \(scan.dryRun ? "would be added" : "added") to open warnings\(scan.dryRun ? " (dry run: nothing written)" : "")
                """)
            return lines.joined(separator: "\n")
        }
    }

    /// Who would enter under another threshold.
    struct WhatIf: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "what-if",
            abstract: "Who would enter monitoring under another threshold (测算：监测标准调整后的纳入范围).",
            discussion: "Counts by village, from the year's assessments; writes nothing.")

        @Option(help: "12-digit division code of any level (区划代码).")
        var division: String

        @Option(help: "Assessment year (年份).")
        var year: Int

        @Option(help: "Threshold in yuan per person per year, e.g. 7000 or 6500.50 (监测标准，元).")
        var threshold: String

        @Flag(help: "Also list the households (列出农户).")
        var list = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            guard let fen = FixedPoint.parse(threshold, scale: 2) else { throw CommandFailure(message: "--threshold: give yuan, e.g. 7000 or 6500.50") }
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                let result: ZhenxingStore.WhatIf
                do {
                    result = try await MonitoringRepository(database: database).whatIf(code, year: year, thresholdFen: fen)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(options: failure)
                }
                var lines = result.byVillage.map { "\($0.village): \($0.households) households, \($0.people) people" }
                if list {
                    lines += result.households.map { "\($0.villageCode) household \($0.householdNumber): \($0.members) people, \(FixedPoint.format($0.perCapitaFen, scale: 2)) yuan per person" }
                }
                lines.append("""
                    \(result.year), threshold \(FixedPoint.format(fen, scale: 2)) yuan: \(result.households.count) of \(result.householdsRead) households \
                    (\(result.people) people) would be under it, in \(result.byVillage.count) villages
                    """)
                print(lines.joined(separator: "\n"))
            }
        }
    }
}
