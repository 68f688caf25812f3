import ArgumentParser
import Foundation
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// `zhenxing import`: household rosters from xlsx or CSV.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import files (导入).", subcommands: [Households.self, Warnings.self, Template.self])

    struct Households: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a household roster, one row per person (导入农户花名册).",
            discussion: """
                Checks every row first; with problems, nothing is written unless --mode valid, which imports the households \
                without problems. Re-importing the same file changes nothing. 先逐行检查；有问题时不写入（--mode valid 只导入无误的户）。
                """)

        @Argument(help: "The xlsx or CSV file (文件).")
        var file: String

        @Option(name: [.customLong("village"), .customLong("division")],
                help: "12-digit village code; or a township or county code when the file has a 村代码 column (村、乡镇或县的区划代码).")
        var village: String

        @Flag(help: "Check only, write nothing (只检查不写入).")
        var dryRun = false

        @Option(help: "all: nothing until the file is clean; valid: import the households without problems (all / valid).")
        var mode: String = "all"

        @Option(help: "Date new members are registered from, YYYY-MM-DD (入户日期). Default: today.")
        var asOf: String?

        @Option(help: "xlsx sheet name (工作表). Default: the first.")
        var sheet: String?

        @Option(help: "CSV encoding: utf-8 or gb18030 (编码). Default: detected.")
        var encoding: String?

        @Option(name: .customLong("map"), help: "Map a header to a field, e.g. --map 户主身份证=residentID, or --map 备注=ignore (列映射).")
        var maps: [String] = []

        @Option(help: "Write every problem to this xlsx file (问题清单).")
        var report: String?

        @Option(help: "With --mode valid: write the rows left out, with their problems, to this xlsx file (待修改的行).")
        var rejected: String?

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(village, option: "--village/--division")
            guard let mode = RosterImport.Mode(rawValue: mode) else { throw CommandFailure(message: "--mode: use all or valid") }
            var encodingChoice: TextEncoding?
            if let encoding {
                guard let chosen = TextEncoding(rawValue: encoding.lowercased()) else { throw CommandFailure(message: "--encoding: use utf-8 or gb18030") }
                encodingChoice = chosen
            }
            var mapping: [String: RosterField?] = [:]
            for map in maps {
                let parts = map.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[1] == "ignore" || RosterField(rawValue: parts[1]) != nil else {
                    throw CommandFailure(message: "--map \(map): use HEADER=FIELD with FIELD one of \(RosterField.allCases.map(\.rawValue).joined(separator: ", ")), or ignore")
                }
                mapping[parts[0]] = RosterField(rawValue: parts[1])
            }
            let date = asOf ?? Timestamp.today()
            guard Day.isValid(date) else {
                throw CommandFailure(message: "--as-of: use YYYY-MM-DD")
            }
            let url = URL(fileURLWithPath: file)
            let options = RosterImport.Options(division: code, mode: mode, asOf: date, sheet: sheet, encoding: encodingChoice, mapping: mapping, dryRun: dryRun)
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).migrate()
                let (layout, _, _) = try RosterImport.layout(of: url, sheet: sheet, encoding: encodingChoice, mapping: mapping)
                if !layout.unmatched.isEmpty {
                    say("Ignored columns (未识别的列，已忽略): " + layout.unmatched.map(\.header).joined(separator: "、")
                        + "  — use --map HEADER=FIELD to import them")
                }
                let start = ContinuousClock.now
                let progress = ProgressLine()
                let result = try await RosterImport.run(
                    file: url, fileName: url.lastPathComponent, options: options, database: database, actor: .system,
                    rejectedRows: rejected.map { URL(fileURLWithPath: $0) }, progress: progress.show)
                progress.end()
                let elapsed = (ContinuousClock.now - start).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                for problem in result.problems.prefix(20) {
                    say("row \(problem.row), \(problem.column) \"\(problem.value)\": \(problem.reason.zh) (\(problem.reason.en))")
                }
                if result.problemCount > 20 { say("… \(result.problemCount - 20) more problems (\(result.problemCount) in all)") }
                if let report { try ProblemReport.write(result.problems, to: URL(fileURLWithPath: report)) }
                let h = result.householdCounts, p = result.peopleCounts
                say("""
                    \(result.rows) rows, \(result.households) households read from \(result.sheet) in \(String(format: "%.1f", seconds)) s \
                    (\(Int(Double(result.rows) / max(seconds, 0.001))) rows/s); \(result.problemCount) problems
                    """)
                if result.written {
                    say("""
                        households: \(h.added) added, \(h.updated) updated, \(h.unchanged) unchanged, \(result.rejectedHouseholds) left out; \
                        people: \(p.added) added, \(p.updated) updated, \(p.unchanged) unchanged
                        """)
                } else {
                    say(dryRun ? "dry run: nothing written (只检查，未写入)" : "nothing written: fix the problems, or use --mode valid (未写入)")
                }
                if !result.written && result.problemCount > 0 && !dryRun { throw CommandFailure(message: "\(result.problemCount) problems; nothing imported") }
            }
        }
    }

    struct Warnings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a department's file of warnings, matched by resident ID (导入部门预警数据).",
            discussion: """
                The first row names the columns: the resident ID, the day and what was found under the names that department's \
                files use, an amount (yuan) when it has one. A file with a bad row writes nothing; the rows whose ID matches no \
                current household of the division are listed, never dropped. 身份证号匹配在册农户；未匹配的逐行列出。
                """)

        @Argument(help: "The xlsx or CSV file (文件).")
        var file: String

        @Option(help: "The department: \(DepartmentSource.allCases.map(\.rawValue).joined(separator: ", ")) (数据来源部门).")
        var source: String

        @Option(help: "12-digit division code of any level the rows are matched in (区划代码).")
        var division: String

        @Flag(help: "Check and match only, write nothing (只预览，不写入).")
        var dryRun = false

        @Option(help: "xlsx sheet name (工作表). Default: the first.")
        var sheet: String?

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            let department = try option(DepartmentSource.self, source, "--source")
            let read: (rows: [DepartmentWarning], problems: [ImportProblem])
            do {
                read = try WarningImport.read(try TableFile.open(URL(fileURLWithPath: file), sheet: sheet), department: department, today: Timestamp.today())
            } catch let error as ExchangeError {
                throw CommandFailure(message: "\(file): \(error.message.en) (\(error.message.zh))")
            }
            guard read.problems.isEmpty else {
                let lines = read.problems.map { "row \($0.row), \($0.column)\($0.value.isEmpty ? "" : " \"\($0.value)\"")：\($0.reason.zh) (\($0.reason.en))" }
                throw CommandFailure(message: "nothing imported (未导入): \(read.problems.count) problems\n" + lines.joined(separator: "\n"))
            }
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                guard try await DivisionRepository(database: database).find(code) != nil else {
                    throw CommandFailure(message: "--division: \(code) does not exist (区划不存在)")
                }
                let lines: [DepartmentLine]
                do {
                    lines = try await MonitoringRepository(database: database).importDepartment(read.rows, into: code, today: Timestamp.today(),
                                                                                                 dryRun: dryRun, by: .system)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(options: failure)
                }
                print(Self.report(lines, dryRun: dryRun))
            }
        }

        /// One line a row (the ID masked), then the totals.
        static func report(_ lines: [DepartmentLine], dryRun: Bool) -> String {
            let rows = lines.map { line -> String in
                let at = "row \(line.warning.row)  \(line.warning.residentID.masked)  "
                let household = "\(line.villageCode ?? "") \(line.householdNumber ?? "")"
                return switch line.disposition {
                case .opensWarning: at + household + "  opens a warning (新开预警)"
                case .addsToWarning(let id): at + household + "  joins open warning \(id) (并入预警)"
                case .joinsWarningOpenedAbove: at + household + "  joins the warning a row above opens (并入预警)"
                case .alreadyRecorded: at + household + "  already recorded (已记录)"
                case .unmatched(let reason): at + "unmatched: \(reason.title.en) (\(reason.title.zh))"
                }
            }
            let counts = DepartmentLine.tally(lines)
            return (rows + ["\(lines.count) rows\(dryRun ? " (dry run, nothing written)" : ""): \(counts.opened) open warnings, \(counts.joined) join open ones, "
                            + "\(counts.alreadyRecorded) already recorded, \(counts.unmatched) unmatched"]).joined(separator: "\n")
        }
    }

    struct Template: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the roster import template, xlsx (导出导入模板).")

        @Argument(help: "Where to write it (文件).")
        var file: String

        func run() async throws {
            do { try RosterExport.template(to: URL(fileURLWithPath: file)) } catch { throw CommandFailure(error) }
            print("template written to \(file)")
        }
    }
}

/// `zhenxing export households`: the roster in the import's columns.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export files (导出).", subcommands: [Households.self, People.self, Assessments.self, Issues.self, Measures.self, Visits.self, Activities.self, Meetings.self, Projects.self, Honours.self, Income.self, Monitoring.self])

    struct Issues: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the issue ledger of a division (导出问题台账).")

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "问题台账", entity: .ledger, unit: "issues") { database, code, writer in
                try await LedgerExport.write(division: code, today: Timestamp.today(), language: .chinese, governance: GovernanceRepository(database: database),
                                             to: writer)
            }
        }
    }

    struct People: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the people living in a division on a date, as the people list shows them (导出人口信息).")

        @Option(help: "Only: \(WorkFilter.allCases.map(\.rawValue).joined(separator: ", ")) (劳动力).")
        var work: String?

        @Option(help: "A name, or the last four characters of an ID number (搜索).")
        var search: String?

        @Option(help: "As of this date, YYYY-MM-DD (截至日期). Default: today.")
        var asOf: String?

        @Flag(help: "Write full ID numbers (logged in the audit log) instead of masked ones (完整身份证号，记入审计日志).")
        var fullIds = false

        @OptionGroup var table: TableOptions

        func run() async throws {
            let chosen = try work.map { try option(WorkFilter.self, $0, "--work") }
            if let asOf, !Day.isValid(asOf) { throw CommandFailure(message: "--as-of: \(asOf) is not a day (YYYY-MM-DD)") }
            try await table.write(sheet: "人口信息", entity: fullIds ? .peopleFullIds : .people, unit: "people") { [search, asOf, fullIds] database, code, writer in
                try await PeopleListExport.write(division: code, work: chosen, search: search, asOf: asOf ?? Timestamp.today(), fullIDs: fullIds,
                                                 language: .chinese, registry: RegistryRepository(database: database), to: writer)
            }
        }
    }

    struct Assessments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a year's income and guarantee checks with their exit result (导出收入核算).")

        @Option(help: "Year (年度).")
        var year: Int

        @Option(help: "Only this group (村民小组).")
        var group: Int?

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "收入核算", entity: .assessments, unit: "assessments") { [year, group] database, code, writer in
                try await AssessmentListExport.write(division: code, year: year, group: group, language: .chinese,
                                                     registry: RegistryRepository(database: database), to: writer)
            }
        }
    }

    struct Measures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the measures of a year's plans, by category (导出帮扶措施).")

        @Option(help: "Plan year (年度).")
        var year: Int

        @Option(help: "Only this category: \(MeasureCategory.allCases.map(\.rawValue).joined(separator: ", ")) (措施类别).")
        var category: String?

        @OptionGroup var table: TableOptions

        func run() async throws {
            let chosen = try category.map { try option(MeasureCategory.self, $0, "--category") }
            try await table.write(sheet: "帮扶措施", entity: .measures, unit: "measures") { database, code, writer in
                try await MeasureExport.write(division: code, year: year, category: chosen, language: .chinese, plans: PlanRepository(database: database),
                                              to: writer)
            }
        }
    }

    struct Visits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the visits of a year (导出走访记录).")

        @Option(help: "Year (年度).")
        var year: Int

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "走访记录", entity: .visits, unit: "visits") { database, code, writer in
                try await VisitExport.write(division: code, year: year, today: Timestamp.today(), language: .chinese,
                                            visits: VisitRepository(database: database), to: writer)
            }
        }
    }

    struct Activities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the activities of a year with their person-times (导出活动与讲习).")

        @Option(help: "Year (年度).")
        var year: Int

        @Option(help: "Only this kind: \(ActivityKind.allCases.map(\.rawValue).joined(separator: ", ")) (活动类型).")
        var kind: String?

        @OptionGroup var table: TableOptions

        func run() async throws {
            let chosen = try kind.map { try option(ActivityKind.self, $0, "--kind") }
            try await table.write(sheet: "活动", entity: .activities, unit: "activities") { database, code, writer in
                try await ActivityExport.write(division: code, year: year, kind: chosen, language: .chinese, community: CommunityRepository(database: database),
                                               to: writer)
            }
        }
    }

    struct Meetings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the meetings of a division (导出会议).")

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "会议", entity: .meetings, unit: "meetings") { database, code, writer in
                try await MeetingExport.write(division: code, language: .chinese, governance: GovernanceRepository(database: database), to: writer)
            }
        }
    }

    struct Projects: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the projects of a division with their totals (导出项目).")

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "项目", entity: .projects, unit: "projects") { database, code, writer in
                try await ProjectExport.write(division: code, language: .chinese, community: CommunityRepository(database: database), to: writer)
            }
        }
    }

    struct Honours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the honours of a year: nominations, votes, winners (导出评选).")

        @Option(help: "Year (年度).")
        var year: Int

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "评选", entity: .honours, unit: "nominations") { database, code, writer in
                try await HonourExport.write(division: code, year: year, language: .chinese, community: CommunityRepository(database: database), to: writer)
            }
        }
    }

    struct Income: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the collective income of a year (导出村集体收入).")

        @Option(help: "Year (年度).")
        var year: Int

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "村集体收入", entity: .collectiveIncome, unit: "entries") { database, code, writer in
                try await IncomeExport.write(division: code, year: year, language: .chinese, community: CommunityRepository(database: database), to: writer)
            }
        }
    }

    struct Monitoring: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the monitoring ledger of a year: each warning opened, its procedure, decision and clearance (导出防返贫监测台账).")

        @Option(help: "Year the warnings were opened (年度).")
        var year: Int

        @OptionGroup var table: TableOptions

        func run() async throws {
            try await table.write(sheet: "防返贫监测台账", entity: .monitoring, unit: "warnings") { database, code, writer in
                try await MonitoringExport.write(division: code, year: year, today: Timestamp.today(), language: .chinese,
                                                 monitoring: MonitoringRepository(database: database), to: writer)
            }
        }
    }

    /// The options every table export takes, and the one way they are written: the division checked, the file
    /// written, the export recorded in the audit log.
    struct TableOptions: ParsableArguments {
        @Option(help: "12-digit division code (区划代码).")
        var division: String

        @Option(help: "xlsx or csv.")
        var format: String = "xlsx"

        @Option(help: "Where to write it (文件).")
        var output: String

        @OptionGroup var data: DataOptions

        func write(sheet: String, entity: AuditEntity, unit: String,
                   rows: @escaping @Sendable (Database, DivisionCode, any TableWriter) async throws -> Int) async throws {
            let code = try divisionCode(division, option: "--division")
            guard let tableFormat = TableFormat(rawValue: format) else { throw CommandFailure(message: "--format: use xlsx or csv") }
            let output = output
            try await data.withDatabase { database, _ in
                guard try await DivisionRepository(database: database).find(code) != nil else {
                    throw CommandFailure(message: "--division: \(code) does not exist (区划不存在)")
                }
                let count: Int
                do {
                    count = try await rows(database, code, try tableFormat.writer(to: URL(fileURLWithPath: output), sheet: sheet))
                } catch let failure as ValidationFailure {
                    throw CommandFailure(options: failure)
                }
                try await AuditLog(database: database).record(.export, entity: entity, key: "\(count) \(unit)", division: code, by: .system)
                print("\(count) \(unit) written to \(output)")
            }
        }
    }

    struct Households: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the household roster of a division (导出农户花名册).")

        @Option(help: "12-digit division code (区划代码).")
        var division: String

        @Option(help: "xlsx or csv.")
        var format: String = "xlsx"

        @Option(help: "Where to write it (文件).")
        var output: String

        @Flag(help: "Write full ID numbers (logged in the audit log) instead of masked ones (完整身份证号，记入审计日志).")
        var fullIds = false

        @Option(help: "As of this date, YYYY-MM-DD (截至日期). Default: today.")
        var asOf: String?

        @OptionGroup var data: DataOptions

        func run() async throws {
            let code = try divisionCode(division, option: "--division")
            guard let tableFormat = TableFormat(rawValue: format) else { throw CommandFailure(message: "--format: use xlsx or csv") }
            try await data.withDatabase { database, _ in
                guard try await DivisionRepository(database: database).find(code) != nil else {
                    throw CommandFailure(message: "--division: \(code) does not exist (区划不存在)")
                }
                let url = URL(fileURLWithPath: output)
                let writer = try tableFormat.writer(to: url, sheet: "花名册", numericColumns: RosterExport.numericColumns)
                let rows = try await RosterExport.write(division: code, asOf: asOf ?? Timestamp.today(), fullIDs: fullIds,
                                                        language: .chinese, database: database, to: writer)
                try await AuditLog(database: database).record(.export, entity: fullIds ? .rosterFullIds : .roster, key: url.lastPathComponent,
                                                              division: code, by: .system)
                print("\(rows) people written to \(output)")
            }
        }
    }
}

/// Progress on one rewritten line on a terminal, plain lines every 10 % when piped.
final class ProgressLine: @unchecked Sendable {
    private let interactive = isatty(STDOUT_FILENO) == 1
    private let lock = NSLock()
    private var lastStep = -1

    var show: @Sendable (RosterImport.Progress) -> Void {
        { [self] progress in
            let text = "\(progress.phase.rawValue): \(progress.rowsRead) read, \(progress.rowsChecked) checked, \(progress.rowsWritten) written"
            lock.withLock {
                if interactive {
                    FileHandle.standardOutput.write(Data("\r\(text)\u{1B}[K".utf8))
                } else {
                    let step = Int(progress.fraction * 10) + (progress.phase == .writing ? 100 : 0)
                    if step != lastStep, progress.phase != .done {
                        lastStep = step
                        say(text)
                    }
                }
            }
        }
    }

    func end() {
        if interactive { say("") }
    }
}

/// A line on standard output, unbuffered: progress and results reach a pipe as they happen.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
