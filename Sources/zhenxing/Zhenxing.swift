import ArgumentParser
import Foundation
import Logging
import ZhenxingDomain
import ZhenxingServer
import ZhenxingStore

/// The `zhenxing` command: the server and the jobs beside it.
@main
struct Zhenxing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhenxing",
        abstract: "Zhenxing — village assistance records (振兴：驻村帮扶工作台账).",
        discussion: """
            Options can also come from the environment: ZHENXING_DATA, ZHENXING_DATABASE_URL, \
            ZHENXING_HOST, ZHENXING_PORT, ZHENXING_LOG_LEVEL; ZHENXING_TIME_ZONE (default Asia/Shanghai) decides what \
            day "today" is.
            选项也可由环境变量给出：ZHENXING_DATA、ZHENXING_DATABASE_URL、ZHENXING_HOST、ZHENXING_PORT、ZHENXING_LOG_LEVEL；\
            ZHENXING_TIME_ZONE（默认 Asia/Shanghai）决定“今天”是哪一天。
            """,
        version: ZhenxingVersionText.text,
        subcommands: [Serve.self, Migrate.self, BackupCommand.self, RestoreCommand.self, Demo.self, User.self, Token.self, Report.self, Monitor.self, Import.self, Export.self, Generate.self, Bench.self, Version.self])

    /// Every file the command creates — the database, exports with full ID numbers, uploads — is readable by its
    /// own user only.
    static func main() async {
        umask(0o077)
        if let name = ProcessInfo.processInfo.environment["ZHENXING_TIME_ZONE"], !name.isEmpty, Timestamp.zone(named: name) == nil {
            FileHandle.standardError.write(Data("Error: ZHENXING_TIME_ZONE=\(name) is not a time zone (use an IANA name such as Asia/Shanghai)\n".utf8))
            Foundation.exit(2)
        }
        await main(nil)
    }
}

/// Where the data lives; every subcommand that touches data takes these.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Data folder for the SQLite file (数据目录). Default: ./data")
    var dataDirectory: String?

    @Option(name: .customLong("database"), help: "postgres://user:pass@host:port/db, or sqlite:PATH (数据库地址).")
    var databaseURL: String?

    /// The resolved location: flags, then environment, then `./data/zhenxing.sqlite`.
    func location() throws -> DatabaseLocation {
        let environment = ProcessInfo.processInfo.environment
        return try DatabaseLocation.resolve(
            url: databaseURL ?? environment["ZHENXING_DATABASE_URL"],
            dataDirectory: dataDirectory ?? environment["ZHENXING_DATA"] ?? "data")
    }

    /// Opens the database, runs `body`, and closes it on every path. Errors become one line and exit 1.
    func withDatabase(_ body: (Database, Logger) async throws -> Void) async throws {
        let logger = CommandLogging.logger()
        let database: Database
        do {
            database = try await Database.open(try location(), logger: logger)
        } catch {
            throw CommandFailure(error)
        }
        do {
            try await body(database, logger)
        } catch {
            await database.shutdown()
            throw CommandFailure(error)
        }
        await database.shutdown()
    }
}

/// A division code given to `option`, or a failure naming the option and why the code is refused.
func divisionCode(_ text: String, option: String) throws -> DivisionCode {
    do {
        return try DivisionCode(validating: text)
    } catch {
        throw CommandFailure(message: "\(option): \(error.issues[0].message.en)")
    }
}

/// The case of `type` named by an option's value, or a one-line failure listing the values allowed.
func option<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, _ text: String, _ name: String) throws -> Value where Value.RawValue == String {
    do {
        return try Value.named(text, field: name)
    } catch let failure as ValidationFailure {
        throw CommandFailure(message: "\(name): \(failure.issues[0].message.en)")
    }
}

/// A failure reported as one line on standard error, exit code 1, no stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        if let failure = error as? CommandFailure {
            description = failure.description
        } else if let store = error as? StoreError {
            description = store.description
        } else {
            description = String(describing: error)
        }
    }

    init(message: String) {
        description = message
    }

    /// Refused input, each problem named by the option it came from: "--year: The year must be 2000 to 2100".
    init(options failure: ValidationFailure) {
        description = failure.issues.map { "--\($0.field): \($0.message.en)" }.joined(separator: "; ")
    }
}

/// Logging set up once per process, to standard error.
enum CommandLogging {
    private static let bootstrapped: Bool = {
        let level = ProcessInfo.processInfo.environment["ZHENXING_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return true
    }()

    static func logger() -> Logger {
        _ = bootstrapped
        return Logger(label: "zhenxing")
    }
}
