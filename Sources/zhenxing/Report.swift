import ArgumentParser
import Foundation
import ZhenxingDomain
import ZhenxingStore

/// Reports computed from the records.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print reports from the records (输出统计报表).", subcommands: [Figures.self])

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
                    throw CommandFailure(message: failure.issues.map { "--\($0.field): \($0.message.en)" }.joined(separator: "; "))
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
            if let exit = document.villageExit {
                rows.append(("villageExit", "\(exit.eligible ? "eligible" : "not eligible") (limit \(String(format: "%.0f", exit.limit * 100)) %)"))
            }
            if let note = document.note { rows.append(("note", note)) }
            let width = rows.map(\.0.count).max() ?? 0
            return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
        }
    }
}
