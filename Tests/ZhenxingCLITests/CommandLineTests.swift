import Foundation
import SQLKit
import Testing
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `zhenxing` binary as a user would and checks what it prints and returns.
@Suite struct CommandLineTests {
    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
    }

    /// The `zhenxing` executable built beside this test bundle.
    static let binary: URL = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhenxing")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/zhenxing").standardized
    }()

    func run(_ arguments: [String], input: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ZHENXING_DATABASE_URL")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data((input + "\n").utf8)) }
        try stdin.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func demoThenMigrateThenVersion() throws {
        // given
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // when
        let demo = try run(["demo", "--data", folder.path])
        let migrate = try run(["migrate", "--data", folder.path])
        let version = try run(["version"])
        let scan = try run(["monitor", "scan", "--division", "411324104201", "--year", "2021", "--dry-run", "--data", folder.path])
        let badYear = try run(["monitor", "scan", "--division", "411324104201", "--year", "1999", "--data", folder.path])
        let whatIf = try run(["monitor", "what-if", "--division", "411324104201", "--year", "2021", "--threshold", "7000", "--list", "--data", folder.path])
        // then
        #expect(demo.status == 0)
        #expect(demo.output.contains("demo village 411324104201 凉水泉村 loaded"))
        // the demo's own scan raised its 2021 finding: run again, the rules find it recorded
        #expect(scan.status == 0 && scan.output.contains("< 监测标准 6,000 元（2021，全国） — already recorded"))
        #expect(scan.output.contains("2021: 3 households scanned") && scan.output.contains("0 warnings would open"))
        #expect(badYear.status == 1 && badYear.errors.contains("--year: The year must be 2000 to 2100"))
        #expect(whatIf.status == 0 && whatIf.output.contains("2021, threshold 7,000 yuan: 3 of 3 households"))
        #expect(whatIf.output.contains("411324104201: 3 households") && whatIf.output.contains("yuan per person"))
        #expect(migrate.status == 0 && migrate.output.contains("up to date"))
        #expect(version.output.hasPrefix("zhenxing "))
    }

    /// Issue 15, defect 17: the database and an export with full ID numbers were readable by every user of the machine.
    @Test func theDatabaseAndFullIDExportsAreTheirOwnersAlone() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["demo", "--data", folder.path]).status == 0)
        let export = folder.appendingPathComponent("roster.csv").path
        #expect(try run(["export", "households", "--division", "411324104201", "--output", export, "--format", "csv", "--full-ids",
                         "--data", folder.path]).status == 0)
        for file in [folder.appendingPathComponent("zhenxing.sqlite").path, export] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test func assistanceReportsAndExportsComeFromTheDemosRecords() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["demo", "--data", folder.path]).status == 0)
        let before = try run(["report", "party", "--division", "411324104201", "--on", "2016-12-31", "--data", folder.path])
        let after = try run(["report", "party", "--division", "411324104201", "--on", "2018-12-31", "--data", folder.path])
        #expect(before.output.contains("党员): 27") && after.output.contains("党员): 93") && after.output.contains("兜底保障党支部"))
        // the branches formed with the joint committee of 2017 are not listed on a day of 2016
        #expect(before.output.contains("专业帮扶党支部): 0") && !before.output.contains("兜底保障党支部"))
        let measures = folder.appendingPathComponent("measures.csv").path
        let exported = try run(["export", "measures", "--division", "411324104201", "--year", "2016", "--category", "production",
                                "--format", "csv", "--output", measures, "--data", folder.path])
        #expect(exported.status == 0 && exported.output.contains("76 measures written"))
        #expect(try String(contentsOfFile: measures, encoding: .utf8).contains("入股蛋鸡养殖场"))
        let visits = try run(["export", "visits", "--division", "411324104201", "--year", "2016", "--format", "csv",
                              "--output", folder.appendingPathComponent("visits.csv").path, "--data", folder.path])
        #expect(visits.status == 0 && visits.output.contains("152 visits written"))
        let activities = try run(["export", "activities", "--division", "411324104201", "--year", "2020", "--kind", "health_check", "--format", "csv",
                                  "--output", folder.appendingPathComponent("activities.csv").path, "--data", folder.path])
        #expect(activities.status == 0 && activities.output.contains("3 activities written"))
        for (what, count) in [("honours", "12 nominations"), ("income", "5 entries"), ("projects", "6 projects"), ("meetings", "23 meetings")] {
            let exported = try run(["export", what, "--division", "411324104201"] + (what == "honours" || what == "income" ? ["--year", "2020"] : [])
                                   + ["--output", folder.appendingPathComponent("\(what).xlsx").path, "--data", folder.path])
            #expect(exported.status == 0 && exported.output.contains("\(count) written"), "\(what): \(exported.output) \(exported.errors)")
        }
        let figures = try run(["report", "figures", "--division", "411324104201", "--year", "2020", "--data", folder.path])
        #expect(figures.output.contains("lecture 20/639") && figures.output.contains("500,000.00 yuan") && figures.output.contains("(100.0 %)"))
        // the village's exit is the decision on record; the county counts it
        #expect(figures.output.contains("exited on 2018-12-28, decided by 镇平县人民政府"), "\(figures.output)")
        let county2016 = try run(["report", "figures", "--division", "411324000000", "--year", "2016", "--data", folder.path])
        #expect(county2016.output.contains("villagesExited") && !county2016.output.contains("exited on"), "\(county2016.output)")
        // the monitoring ledger and figures of 2025: the rules' warning entered and cleared under watch, a self-report overdue
        let ledger = folder.appendingPathComponent("monitoring.csv").path
        let monitoring = try run(["export", "monitoring", "--division", "411324000000", "--year", "2025", "--format", "csv", "--output", ledger,
                                  "--data", folder.path])
        #expect(monitoring.status == 0 && monitoring.output.contains("2 warnings written"), "\(monitoring.errors)")
        let rows = try String(contentsOfFile: ledger, encoding: .utf8)
        #expect(rows.contains(",0200,2025-01-13,规则预警、部门预警,其他、因病,") && rows.contains("2026-01-23,风险消除（稳定，继续观察）"))
        #expect(rows.contains(",0250,2025-11-17,农户自主申报,因学,") && rows.contains(",识别纳入,村民代表评议,2025-12-01,是,"))
        let figures2025 = try run(["report", "figures", "--division", "411324104201", "--year", "2025", "--data", folder.path])
        #expect(figures2025.output.contains("1 households, 3 people; 0 cleared under watch; 1 with a plan")
                && figures2025.output.contains("2 opened (rule 1, self_report 1), 1 entered, 1 cleared, 1 steps overdue"), "\(figures2025.output)")
        let badLedger = try run(["export", "monitoring", "--division", "411324104201", "--year", "3000", "--output", ledger, "--data", folder.path])
        #expect(badLedger.status != 0 && badLedger.errors.contains("--year: The year must be 2000 to 2100"), "\(badLedger.errors)")
        // a department's file: the unmatched ID is listed (masked), a bad row refuses the whole file naming row and column
        let department = folder.appendingPathComponent("medical.csv")
        try Data("身份证号,结算日期,诊断,个人自付\n411324199001011234,2026-10-15,肺炎住院,12000\n".utf8).write(to: department)
        let imported = try run(["import", "warnings", department.path, "--source", "medical", "--division", "411324104201", "--data", folder.path])
        #expect(imported.status == 0 && imported.output.contains("row 2  411324************  unmatched: No one in the registry has this ID")
                && imported.output.contains("1 rows: 0 open warnings, 0 join open ones, 0 already recorded, 1 unmatched"), "\(imported.output) \(imported.errors)")
        try Data("身份证号,结算日期,诊断\n411324199001011230,2026-10-15,肺炎住院\n".utf8).write(to: department)
        let badFile = try run(["import", "warnings", department.path, "--source", "medical", "--division", "411324104201", "--data", folder.path])
        #expect(badFile.status != 0 && badFile.errors.contains("row 2, 身份证号 \"411324************\"") && badFile.errors.contains("nothing imported"))
        #expect(!badFile.errors.contains("411324199001011230"))
        let refused = try run(["export", "measures", "--division", "411324104201", "--year", "2016", "--category", "bridges",
                               "--output", measures, "--data", folder.path])
        #expect(refused.status != 0 && refused.errors.contains("--category: bridges is not one of: production"))
    }

    @Test func generateMakesTheSameCountyForTheSameSeed() throws {
        var outputs: [String] = []
        for _ in 0..<2 {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let made = try run(["generate", "--county", "411325000000", "--people", "3000", "--seed", "7", "--data", folder.path])
            #expect(made.status == 0 && made.output.contains("villages"), "\(made.errors)")
            let figures = try run(["report", "figures", "--division", "411325000000", "--year", "2016", "--format", "json", "--data", folder.path])
            #expect(figures.status == 0)
            outputs.append(figures.output)
        }
        #expect(outputs[0] == outputs[1] && outputs[0].contains("\"population\" : 30"))
        let refused = try run(["generate", "--county", "411325104000", "--people", "3000"])
        #expect(refused.status != 0 && refused.errors.contains("is a township, not a county"))
    }

    @Test(arguments: [
        (["migrate", "--database", "mysql://u@h/db"], "unknown scheme 'mysql'"),
        (["migrate", "--database", "postgres://u@127.0.0.1:1/db"], "cannot reach PostgreSQL at postgres://u@127.0.0.1:1/db: connection refused"),
        (["serve", "--port", "70000"], "port 70000 is out of range"),
    ])
    func badInputIsOneLineAndAFailingExit(arguments: [String], message: String) throws {
        let outcome = try run(arguments)
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains(message), "stderr was: \(outcome.errors)")
        #expect(!outcome.errors.contains("Stack") && !outcome.errors.contains("Fatal"))
    }

    @Test func aCorruptSQLiteFileIsNamedAndLeftAlone() throws {
        // given
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("zhenxing.sqlite")
        let junk = Data(repeating: 0x5A, count: 4096)
        try junk.write(to: file)
        // when
        let outcome = try run(["migrate", "--data", folder.path])
        // then
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("cannot open SQLite file \(file.path): file is not a database"))
        #expect(try Data(contentsOf: file) == junk)
    }

    @Test func aServerWithoutUsersAsksForTheAdministrator() throws {
        // given
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["migrate", "--data", folder.path]).status == 0)
        // when
        let outcome = try run(["serve", "--data", folder.path, "--port", "1"])
        let weak = try run(["user", "add", "--admin", "--username", "root", "--name", "管理员", "--data", folder.path], input: "password1")
        // then
        #expect(outcome.status != 0 && outcome.errors.contains("zhenxing user add --admin"))
        #expect(weak.status != 0 && weak.errors.contains("password refused"))
    }

    @Test func theDemoPrintsOneUserPerRoleWithAPassword() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = try run(["demo", "--data", folder.path])
        for username in ["admin", "zhenping.officer", "lsq.secretary", "lsq.grid", "lsq.viewer"] {
            let line = demo.output.split(separator: "\n").first { $0.hasPrefix("  \(username) ") }
            let password = line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            #expect(password.map { PasswordRules.problems(String($0), username: username).isEmpty } == true, "\(username): \(line ?? "missing")")
        }
    }

    @Test func aServerRefusesADatabaseNewerThanItself() async throws {
        // given
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["migrate", "--data", folder.path]).status == 0)
        let database = try await Database.open(.inDataDirectory(folder.path), logger: .init(label: "test"))
        try await database.transaction { sql in
            try await sql.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'Future', 'x')").run()
        }
        await database.shutdown()
        // when
        let outcome = try run(["serve", "--data", folder.path, "--port", "1"])
        // then
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("schema version 999 but this zhenxing knows only up to"))
    }

    @Test func aPortInUseIsNamed() throws {
        // given: a socket listening on a free loopback port
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (socketFD, port) = try listenOnFreePort()
        defer { close(socketFD) }
        #expect(try run(["migrate", "--data", folder.path]).status == 0)
        let added = try run(["user", "add", "--admin", "--username", "root", "--name", "管理员", "--data", folder.path], input: "s3cure-enough-pass")
        #expect(added.status == 0 && added.output.contains("user root (administrator) created"), "\(added.errors)")
        // when
        let outcome = try run(["serve", "--data", folder.path, "--port", String(port)])
        // then
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("port \(port) on 127.0.0.1 is already in use"), "stderr was: \(outcome.errors)")
    }

    @Test func generateWritesARosterThatImportsAndReimportsUnchanged() throws {
        // given: a synthetic county written as an import file
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("county.csv").path
        let generated = try run(["generate", "--county", "411325000000", "--people", "2000", "--csv", csv, "--data", folder.path])
        #expect(generated.status == 0, "\(generated.errors)")
        // when: checked, imported into the county, imported again
        let dryRun = try run(["import", "households", csv, "--division", "411325000000", "--dry-run", "--data", folder.path])
        let first = try run(["import", "households", csv, "--division", "411325000000", "--data", folder.path])
        let second = try run(["import", "households", csv, "--village", "411325000000", "--data", folder.path])
        // then: progress as plain lines when piped, then the counts
        #expect(dryRun.status == 0 && dryRun.output.contains("dry run: nothing written"), "\(dryRun.errors)")
        #expect(first.status == 0 && first.output.contains("writing: ") && first.output.contains("\nhouseholds: "), "\(first.errors)")
        #expect(first.output.contains("unchanged, 0 left out") && first.output.contains(" 0 updated, 0 unchanged"))
        #expect(second.output.contains("households: 0 added, 0 updated, ") && second.output.contains("people: 0 added, 0 updated, "))
        let figures = try run(["report", "figures", "--division", "411325000000", "--year", "2026", "--format", "json", "--data", folder.path])
        #expect(figures.output.contains("\"population\" : 20"), "\(figures.output)")
    }

    @Test func anImportWithProblemsNamesThemAndFailsWithoutWriting() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try run(["demo", "--data", folder.path]).status == 0)
        let csv = folder.appendingPathComponent("bad.csv")
        try Data("户编号,姓名,身份证号,与户主关系\n9001,甲,411324197505050011,户主\n".utf8).write(to: csv)
        let report = folder.appendingPathComponent("problems.xlsx").path
        let outcome = try run(["import", "households", csv.path, "--village", "411324104201", "--report", report, "--data", folder.path])
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("row 2, 身份证号") && outcome.output.contains("校验位"), "\(outcome.output)")
        #expect(outcome.errors.contains("1 problems; nothing imported"))
        #expect(FileManager.default.fileExists(atPath: report))
        let pdf = folder.appendingPathComponent("roster.xlsx")
        try Data("%PDF-1.5".utf8).write(to: pdf)
        let refused = try run(["import", "households", pdf.path, "--village", "411324104201", "--data", folder.path])
        #expect(refused.status == 1 && refused.errors.contains("这是 PDF 文件"))
    }

    @Test func anImportKilledWhileWritingLeavesTheDatabaseAsItWas() async throws {
        // given
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("county.csv").path
        #expect(try run(["generate", "--county", "411325000000", "--people", "30000", "--csv", csv, "--data", folder.path]).status == 0)
        // when: the import is killed once it reports writing
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["import", "households", csv, "--division", "411325000000", "--data", folder.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("writing:") {
            let data = out.fileHandleForReading.availableData
            guard !data.isEmpty else { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // then: nothing of it is stored, and the same import then runs whole
        #expect(seen.contains("writing:") && process.terminationReason == .uncaughtSignal, "\(seen)")
        let households = try run(["report", "figures", "--division", "411325000000", "--year", "2026", "--format", "json", "--data", folder.path])
        #expect(households.output.contains("\"households\" : 0"), "\(households.output)")
        let again = try run(["import", "households", csv, "--division", "411325000000", "--data", folder.path])
        #expect(again.status == 0 && again.output.contains("\nhouseholds: ") && again.output.contains(" 0 updated, 0 unchanged, 0 left out"), "\(again.output)")
    }

    private func listenOnFreePort() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
