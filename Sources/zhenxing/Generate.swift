import ArgumentParser
import Foundation
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore

/// Builds a synthetic county for benchmarks.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a synthetic county for benchmarks (生成用于压力测试的合成县).")

    @Option(help: "12-digit county code (县级区划代码), e.g. 411325000000.")
    var county: String

    @Option(help: "About how many people (人数).")
    var people: Int

    @Option(help: "Random seed (随机种子); the same seed makes the same county.")
    var seed: UInt64 = 1

    @Option(help: "Write the households and people to this CSV roster instead of the database; the divisions are still created (写出导入用的 CSV 花名册).")
    var csv: String?

    @OptionGroup var data: DataOptions

    func run() async throws {
        let code = try divisionCode(county, option: "--county")
        guard code.level == .county else { throw CommandFailure(message: "--county: \(code) is a \(code.level.rawValue), not a county") }
        guard (1_000...50_000_000).contains(people) else { throw CommandFailure(message: "--people: give 1,000 to 50,000,000") }
        try await data.withDatabase { database, _ in
            try await Migrator(database: database).migrate()
            let start = ContinuousClock.now
            let interactive = isatty(STDOUT_FILENO) == 1
            let summary = try await SyntheticCounty.generate(county: code, people: people, seed: seed, into: database, roster: csv.map { URL(fileURLWithPath: $0) }) { done in
                if interactive { FileHandle.standardOutput.write(Data("\r\(done) people".utf8)) }
            }
            let elapsed = (ContinuousClock.now - start).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            if interactive { print() }
            print("\(summary.people) people in \(summary.households) households, \(summary.villages) villages, \(summary.townships) townships "
                + "in \(String(format: "%.1f", seconds)) s (\(Int(Double(summary.people) / seconds)) people/s) into \(csv ?? database.location.description)")
            let monitoring = summary.monitoring
            if csv == nil {
                print("monitoring: \(monitoring.warnings) warnings (\(monitoring.reported) reported), \(monitoring.entered) households entered, "
                    + "\(monitoring.notEntered) not entered, \(monitoring.stalled) open and overdue, \(monitoring.cleared) cleared")
            }
        }
    }
}
