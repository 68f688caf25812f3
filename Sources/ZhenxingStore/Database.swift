import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// The one door to the records, on SQLite or PostgreSQL. Read with `read`, write only inside
/// `transaction`; never nest a transaction in another (the SQLite writer is a single connection).
public final class Database: Sendable {
    /// The engine behind a database.
    public enum Engine: String, Sendable {
        /// An embedded SQLite file.
        case sqlite
        /// A PostgreSQL server.
        case postgres
    }

    /// Which engine this is.
    public let engine: Engine
    /// Where it lives (without a password when printed).
    public let location: DatabaseLocation
    private let backend: Backend
    private let logger: Logger
    /// The SQLite file whose `import.lock` writes must respect; nil for PostgreSQL and the sessions file.
    private let lockedPath: String?
    /// SQLite: the file of sessions, sign-in throttles and the sign-in audit entries waiting to move to the audit log.
    private let sessionsFile: Database?

    /// Where sessions and sign-in throttles are kept: on SQLite a file of their own beside the records, so that a
    /// long import holding the records' writer never stops anyone signing in; on PostgreSQL the database itself.
    public var sessions: Database { sessionsFile ?? self }

    private enum Backend: Sendable {
        case sqlite(writer: ConnectionLease<SQLiteConnection>, readers: ConnectionLease<SQLiteConnection>)
        case postgres(client: PostgresClient, run: Task<Void, Never>)
    }

    private init(engine: Engine, location: DatabaseLocation, backend: Backend, logger: Logger, lockedPath: String? = nil, sessionsFile: Database? = nil) {
        self.engine = engine
        self.location = location
        self.backend = backend
        self.logger = logger
        self.lockedPath = lockedPath
        self.sessionsFile = sessionsFile
    }

    /// The lock an import of `what` holds for as long as it runs: on SQLite, where it holds the one writer; nil on
    /// PostgreSQL. Throws `importRunning` when another import holds it.
    public func lockForImport(what: String) throws -> ImportLock? {
        try lockedPath.map { try ImportLock.acquire(forDatabaseAt: $0, what: what) }
    }

    /// Throws `importRunning` when an import other than the current task's holds the SQLite writer.
    private func checkNoImport() throws {
        guard let lockedPath, let running = ImportLock.running(forDatabaseAt: lockedPath), running.token != ImportLock.holding else { return }
        throw StoreError.importRunning(what: running.what, since: running.started)
    }

    /// Opens the database and checks that it answers; the error names the cause in one line.
    /// Call `shutdown()` on every path once done.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws(StoreError) -> Database {
        switch location {
        case .sqlite(let path):
            return try await openSQLite(path: path, location: location, logger: logger)
        case .postgres(let target):
            return try await openPostgres(target, location: location, logger: logger)
        }
    }

    /// Writes a consistent copy of the whole SQLite database to `path` (`VACUUM INTO`) on the writer connection, between
    /// transactions: readers go on, writes wait for the copy.
    func copySQLite(to path: String) async throws {
        guard case .sqlite(let writer, _) = backend else { throw StoreError.backup("not an SQLite database") }
        try checkNoImport()
        try await writer.with { try await $0.sql(queryLogLevel: nil).raw("VACUUM INTO \(bind: path)").run() }
    }

    /// Whether the database answers a trivial query; throws the driver's error when it does not.
    public func ping() async throws {
        try await read { try await $0.raw("SELECT 1").run() }
    }

    /// Runs `body` on a connection that sees committed data.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers):
            return try await readers.with { try await body($0.sql(queryLogLevel: nil)) }
        case .postgres(let client, _):
            return try await client.withConnection { try await body($0.sql(queryLogLevel: nil)) }
        }
    }

    /// Runs `body` in one transaction: all its writes land, or none do. Inside an API write that carries an
    /// `Idempotency-Key` (`RequestKeyClaim.current`), the first transaction also stores the key.
    public func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard let claim = RequestKeyClaim.current, !claim.isStored else { return try await plainTransaction(body) }
        let result = try await plainTransaction { sql in
            try await claim.store(in: sql)
            return try await body(sql)
        }
        claim.committed()
        return result
    }

    private func plainTransaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try checkNoImport()
        do {
            switch backend {
            case .sqlite(let writer, _):
                return try await writer.with { try await Self.immediateTransaction($0, body) }
            case .postgres(let client, _):
                return try await postgresTransaction(client, body)
            }
        } catch {
            throw Self.duplicate(error) ?? error
        }
    }

    /// A unique key's refusal as `StoreError.duplicate`: two requests racing past a check for the same new key (a
    /// household number) are the callers' conflict, not a server error.
    private static func duplicate(_ error: any Error) -> StoreError? {
        switch error {
        case let error as SQLiteError where error.reason == .constraintUniqueFailed || error.message.hasPrefix("UNIQUE constraint failed"):
            .duplicate
        case let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw:
            .duplicate
        default:
            nil
        }
    }

    /// Like `transaction`, but only when it can begin at once: on SQLite nil while another transaction holds the
    /// writer (an import may hold it for minutes). For work that may be skipped, such as keeping a cache; never records.
    public func transactionIfIdle<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T? {
        guard (try? checkNoImport()) != nil else { return nil }
        switch backend {
        case .sqlite(let writer, _):
            return try await writer.withIdle { try await Self.immediateTransaction($0, body) }
        case .postgres(let client, _):
            return try await postgresTransaction(client, body)
        }
    }

    private func postgresTransaction<T: Sendable>(_ client: PostgresClient, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection.sql(queryLogLevel: nil))
            }
        } catch let failure as PostgresTransactionError {
            throw failure.closureError ?? failure.commitError ?? failure.beginError ?? failure
        }
    }

    private static func immediateTransaction<T: Sendable>(_ connection: SQLiteConnection, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let sql = connection.sql(queryLogLevel: nil)
        try await sql.raw("BEGIN IMMEDIATE").run()
        do {
            let result = try await body(sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Refreshes the statistics the query planner chooses indexes by; run after a bulk load (PostgreSQL would otherwise
    /// plan the next queries over a freshly filled table as if it were empty until autovacuum comes by).
    public func analyze() async throws {
        try await transaction { sql in
            guard engine == .postgres else { return try await sql.raw("ANALYZE").run() }
            // Our own tables only: a plain ANALYZE also tries the system catalogs, and warns for each it may not touch.
            let tables = try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                .all(decodingColumn: "tablename", as: String.self)
            try await sql.raw("ANALYZE \(SQLList(tables.map { SQLIdentifier($0) }))").run()
        }
    }

    /// Closes every connection. Safe to call once on any path, errors included.
    public func shutdown() async {
        await sessionsFile?.shutdown()
        switch backend {
        case .sqlite(let writer, let readers):
            for connection in await writer.drain() + readers.drain() {
                try? await connection.close()
            }
        case .postgres(_, let run):
            run.cancel()
            await run.value
        }
    }

    // MARK: SQLite

    private static let readerCount = 4

    private static func openSQLite(path: String, location: DatabaseLocation, logger: Logger) async throws(StoreError) -> Database {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .unavailable("cannot create the data folder \(folder): \(error.localizedDescription)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .unavailable("the data folder \(folder) is not writable")
        }
        // The file holds ID numbers and incomes: its owner's alone, also when an older version made it readable to all
        // (SQLite gives the -wal and -shm files the same mode).
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        var opened: [SQLiteConnection] = []
        do {
            for index in 0...readerCount {
                let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(connection)
                let sql = connection.sql(queryLogLevel: nil)
                // The first read of the schema is where a corrupt or foreign file shows itself.
                _ = try await sql.raw("SELECT count(*) FROM sqlite_master").all()
                if index == 0 {
                    _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
                    try await sql.raw("PRAGMA synchronous=NORMAL").run()
                } else {
                    try await sql.raw("PRAGMA query_only=ON").run()
                }
                try await sql.raw("PRAGMA foreign_keys=ON").run()
                try await sql.raw("PRAGMA busy_timeout=5000").run()
                // LIKE as PostgreSQL has it: case-sensitive, so a search finds the same rows on both engines.
                try await sql.raw("PRAGMA case_sensitive_like=ON").run()
            }
        } catch {
            for connection in opened { try? await connection.close() }
            throw .unavailable("cannot open SQLite file \(path): \(Self.reason(error))")
        }
        let backend = Backend.sqlite(
            writer: ConnectionLease([opened[0]]), readers: ConnectionLease(Array(opened.dropFirst())))
        guard !path.hasSuffix(sessionsSuffix) else { return Database(engine: .sqlite, location: location, backend: backend, logger: logger) }
        let sessionsPath = String(path.dropLast(URL(fileURLWithPath: path).pathExtension.isEmpty ? 0 : URL(fileURLWithPath: path).pathExtension.count + 1))
            + sessionsSuffix
        let sessions: Database
        do {
            sessions = try await openSQLite(path: sessionsPath, location: .sqlite(path: sessionsPath), logger: logger)
            try await sessions.plainTransaction { sql in
                for statement in sessionsSchema { try await sql.raw(statement).run() }
            }
        } catch {
            for connection in opened { try? await connection.close() }
            throw .unavailable("cannot open the sessions file \(sessionsPath): \(Self.reason(error))")
        }
        return Database(engine: .sqlite, location: location, backend: backend, logger: logger, lockedPath: path, sessionsFile: sessions)
    }

    private static let sessionsSuffix = "-sessions.sqlite"

    /// The sessions file's tables: as in the records' schema (M0002), without references to users, and with an
    /// `audit_log` whose entries `AuditLog.moveSignIns` carries over to the records' append-only log.
    private static let sessionsSchema: [SQLQueryString] = [
        """
        CREATE TABLE IF NOT EXISTS sessions (
            token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, csrf_token TEXT NOT NULL, created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL, address TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
        "CREATE TABLE IF NOT EXISTS sign_in_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT, updated_at TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id BIGINT, username TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,
            entity_key TEXT NOT NULL, division_code TEXT, before_json TEXT, after_json TEXT, address TEXT NOT NULL, request_id TEXT NOT NULL)
        """,
    ]

    // MARK: PostgreSQL

    private static func openPostgres(_ target: PostgresLocation, location: DatabaseLocation, logger: Logger) async throws(StoreError) -> Database {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch target.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try .init(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try .init(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .unavailable("cannot set up TLS: \(error)")
        }
        var probe = PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.username,
            password: target.password, database: target.database, tls: tls)
        probe.options.connectTimeout = .seconds(5)
        // One direct connection first: the pool retries quietly forever, a single connection
        // fails at once with the real cause (refused, wrong password, no such database).
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw .unavailable("cannot reach PostgreSQL at \(target): \(Self.reason(error))")
        }
        var configuration = PostgresClient.Configuration(
            host: target.host, port: target.port, username: target.username,
            password: target.password, database: target.database, tls: .disable)
        configuration.tls = switch target.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 20
        // The pool warns when a lease arrives before its run task has started, which is harmless;
        // connection failures were already reported by the probe above.
        var quiet = logger
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let run = Task { await client.run() }
        return Database(engine: .postgres, location: location, backend: .postgres(client: client, run: run), logger: logger)
    }

    /// A short cause for a driver error, without binds or stack.
    static func reason(_ error: any Error) -> String {
        if let store = error as? StoreError { return store.description }
        if let sqlite = error as? SQLiteError { return sqlite.message }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying {
                let text = String(describing: underlying)
                let known = ["Connection refused", "timed out", "timeout", "resolve", "No route to host"]
                return known.first { text.localizedCaseInsensitiveContains($0) }.map { "\($0.lowercased())" } ?? text
            }
            return "\(psql.code)"
        }
        return String(describing: error)
    }
}

/// A fixed set of connections handed out one task at a time; waiting tasks are served in order.
actor ConnectionLease<Connection: Sendable> {
    private var idle: [Connection]
    private var waiters: [CheckedContinuation<Connection, Never>] = []

    init(_ connections: [Connection]) {
        idle = connections
    }

    /// Runs `body` with a connection held for its whole duration.
    nonisolated func with<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        try await run(body, on: await acquire())
    }

    /// Runs `body` with a connection when one is idle now; nil without running it otherwise.
    nonisolated func withIdle<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T? {
        guard let connection = await acquireIdle() else { return nil }
        return try await run(body, on: connection)
    }

    /// Runs `body` on an acquired connection and gives it back, whatever happens.
    private nonisolated func run<T: Sendable>(_ body: (Connection) async throws -> T, on connection: Connection) async throws -> T {
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Removes and returns every idle connection, for shutdown.
    func drain() -> [Connection] {
        defer { idle = [] }
        return idle
    }

    private func acquireIdle() -> Connection? {
        idle.popLast()
    }

    private func acquire() async -> Connection {
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ connection: Connection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }
}
