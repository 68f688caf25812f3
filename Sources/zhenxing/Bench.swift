import ArgumentParser
import Foundation
import SQLKit
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingServer
import ZhenxingStore

/// Benchmarks on a synthetic county.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks on a synthetic county (性能测试).", subcommands: [Figures.self, Floor.self])

    /// A bare route served by this binary, to measure pages against (`scripts/bench pages`).
    struct Floor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a bare Hummingbird route (GET / answers hello) as the floor for page benchmarks (基准路由).")

        @Option(help: "Address to listen on.")
        var host: String = "127.0.0.1"

        @Option(help: "Port to listen on.")
        var port: Int = 8090

        func run() async throws {
            try await buildFloorApplication(host: host, port: port).runService()
        }
    }

    /// How long the figures document takes for a county, a township and a village, beside a plain SQL count.
    struct Figures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the figures document of a synthetic county, one of its townships and villages, beside plain SQL (统计数字耗时).")

        @Option(help: "12-digit code of the synthetic county (generated when it does not exist yet).")
        var county: String = "411399000000"

        @Option(help: "About how many people to generate (人数).")
        var people: Int = 1_000_000

        @Option(help: "Random seed of the generator.")
        var seed: UInt64 = 1

        @Option(help: "The year of the figures (年份).")
        var year: Int = 2018

        @Option(help: "Runs of each measurement; the median is printed.")
        var runs: Int = 5

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(county, option: "--county")
            guard code.level == .county else { throw CommandFailure(message: "--county: \(code) is a \(code.level.rawValue), not a county") }
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).migrate()
                let divisions = DivisionRepository(database: database)
                if try await divisions.find(code) == nil {
                    let started = ContinuousClock.now
                    let summary = try await SyntheticCounty.generate(county: code, people: people, seed: seed, into: database, roster: nil) { _ in }
                    print("generated \(summary.people) people in \(summary.households) households, \(summary.villages) villages in \(Self.seconds(since: started)) s")
                }
                guard let township = try await divisions.children(of: code).first?.division.code,
                      let village = try await divisions.children(of: township).first?.division.code else {
                    throw CommandFailure(message: "--county: \(code) has no townships or villages; use another code")
                }
                let query = FiguresQuery(database: database)
                let asOf = "\(year)-12-31"
                print("engine \(database.engine.rawValue), figures of \(year) as of \(asOf); medians of \(runs) runs")
                print("cold: every village counted from its records (cache emptied first); warm: from the cache; after a write: one record")
                print("of village \(village) written before each run, so that village and the divisions above it are counted again")
                print("level     code               cold        warm  after a write   plain SQL   population (document / plain SQL)  poor households")
                for (level, division) in [("county", code), ("township", township), ("village", village)] {
                    try await database.transaction { sql in try await sql.raw("DELETE FROM figures_cache").run() }
                    var document: FiguresDocument?
                    let cold = try await Self.time { document = try await query.document(division, year: year) }
                    let warm = try await median { document = try await query.document(division, year: year) }
                    let afterWrite = try await median(after: { try await Self.touch(village, in: database) }) {
                        document = try await query.document(division, year: year)
                    }
                    var plain = (people: 0, poor: 0)
                    let plainTime = try await median { plain = try await Self.plainCount(division, asOf: asOf, in: database) }
                    let registry = document!.registry
                    print(level.padding(toLength: 10, withPad: " ", startingAt: 0) + division.rawValue
                          + String(format: " %9.1f ms %8.1f ms %11.1f ms %8.1f ms   %9d / %-9d %16d / %d", cold, warm, afterWrite, plainTime,
                                   registry.population, plain.people, registry.poorHouseholds, plain.poor))
                }
            }
        }

        /// Writes one household of `village` (its address, unchanged): a real write that the village's stamp records.
        static func touch(_ village: DivisionCode, in database: Database) async throws {
            try await database.transaction { sql in
                try await sql.raw("""
                    UPDATE households SET address = address WHERE id = (SELECT min(id) FROM households WHERE village_code = \(bind: village.rawValue))
                    """).run()
            }
        }

        /// People present in the division on `date` and households whose latest status by then is poor, in the
        /// simplest SQL: the baseline the document is compared with.
        static func plainCount(_ division: DivisionCode, asOf date: String, in database: Database) async throws -> (people: Int, poor: Int) {
            try await database.read { sql in
                let people = try await sql.raw("""
                    SELECT count(*) AS n FROM memberships m JOIN households h ON h.id = m.household_id
                    WHERE \(division.covers("h.village_code")) AND m.from_date <= \(bind: date) AND (m.to_date IS NULL OR m.to_date > \(bind: date))
                    """).first(decodingColumn: "n", as: Int.self) ?? 0
                let poor = try await sql.raw("""
                    SELECT count(*) AS n FROM households h WHERE \(division.covers("h.village_code")) AND (
                        SELECT e.status FROM status_events e WHERE e.household_id = h.id AND e.event_date <= \(bind: date)
                        ORDER BY e.event_date DESC, e.id DESC LIMIT 1) = 'poor'
                    """).first(decodingColumn: "n", as: Int.self) ?? 0
                return (people, poor)
            }
        }

        /// The median time of `work` in ms over the runs, `before` run untimed ahead of each.
        private func median(after before: () async throws -> Void = {}, _ work: () async throws -> Void) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<max(1, runs) {
                try await before()
                times.append(try await Self.time(work))
            }
            return times.sorted()[times.count / 2]
        }

        /// The time of `work` in ms.
        private static func time(_ work: () async throws -> Void) async throws -> Double {
            let started = ContinuousClock.now
            try await work()
            let elapsed = (ContinuousClock.now - started).components
            return Double(elapsed.seconds) * 1_000 + Double(elapsed.attoseconds) / 1e15
        }

        private static func seconds(since start: ContinuousClock.Instant) -> String {
            let elapsed = (ContinuousClock.now - start).components
            return String(format: "%.1f", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        }
    }
}
