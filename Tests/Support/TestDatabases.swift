import Foundation
import Logging
import PostgresNIO
import SQLKit
import ZhenxingStore

/// Fresh databases for tests: SQLite always, PostgreSQL too when `ZHENXING_TEST_POSTGRES_URL` is set.
public enum TestDatabases {
    /// The engines this run tests on.
    public static let engines: [Database.Engine] =
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// The PostgreSQL server to create test databases on, if any.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ZHENXING_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static let logger = Logger(label: "zhenxing-test")

    /// Runs `body` on a new, empty database of `engine` (migrated unless `migrate` is false),
    /// then removes it.
    public static func with(
        _ engine: Database.Engine, migrate: Bool = true, _ body: (Database) async throws -> Void
    ) async throws {
        try await using({ try await create(engine) }) { database in
            if migrate { try await Migrator(database: database).migrate() }
            try await body(database)
        }
    }

    /// Runs `body` on a copy of a database that `prepare` filled once for `key` and `engine` in this test run (migrated,
    /// then the demo loaded, say), then removes the copy. Copying a file (SQLite) or `CREATE DATABASE … TEMPLATE`
    /// (PostgreSQL) costs a fraction of filling it again, as SwiftPackageIndex-Server restores a snapshot. `prepare`
    /// returns what the tests need to know of the data (the demo's passwords); it must be the same for a key.
    public static func withCopy<Facts: Sendable>(
        of key: String, _ engine: Database.Engine, prepare: @escaping @Sendable (Database) async throws -> Facts,
        _ body: (Database, Facts) async throws -> Void
    ) async throws {
        let (template, facts) = try await Templates.shared.template("\(key)-\(engine)", engine) { database in try await prepare(database) as any Sendable }
        try await using({ try await copy(template, engine) }) { database in try await body(database, facts as! Facts) }
    }

    /// Opens the database `make` creates, runs `body` on it, then closes and removes it, whatever happened.
    private static func using(
        _ make: () async throws -> (DatabaseLocation, @Sendable () async throws -> Void), _ body: (Database) async throws -> Void
    ) async throws {
        do {
            let (location, cleanup) = try await make()
            let database = try await Database.open(location, logger: logger)
            do {
                try await body(database)
            } catch {
                await database.shutdown()
                try await cleanup()
                throw error
            }
            await database.shutdown()
            try await cleanup()
        } catch let error as PSQLError {
            // PostgresNIO prints a placeholder for its errors; a failing test should say what the server said.
            throw ServerError(description: String(reflecting: error))
        }
    }

    /// The filled databases of this run, one per key and engine, made once.
    private actor Templates {
        static let shared = Templates()
        private var made: [String: Task<(DatabaseLocation, any Sendable), any Error>] = [:]

        func template(
            _ key: String, _ engine: Database.Engine, prepare: @escaping @Sendable (Database) async throws -> any Sendable
        ) async throws -> (DatabaseLocation, any Sendable) {
            if let task = made[key] { return try await task.value }
            let task = Task {
                let (location, _) = try await TestDatabases.create(engine)
                let database = try await Database.open(location, logger: TestDatabases.logger)
                do {
                    try await Migrator(database: database).migrate()
                    let facts = try await prepare(database)
                    await database.shutdown()
                    return (location, facts)
                } catch {
                    await database.shutdown()
                    throw error
                }
            }
            made[key] = task
            return try await task.value
        }
    }

    /// A new database holding what `template` holds, and the way to remove it.
    private static func copy(_ template: DatabaseLocation, _ engine: Database.Engine) async throws -> (DatabaseLocation, @Sendable () async throws -> Void) {
        let (location, cleanup) = try await create(engine)
        switch (template, location) {
        case (.sqlite(let from), .sqlite(let to)):
            // The records' file and the sessions file beside it (closed, so nothing waits in a -wal file).
            let source = URL(fileURLWithPath: from).deletingLastPathComponent(), target = URL(fileURLWithPath: to).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: target.appendingPathComponent(file))
            }
        case (.postgres(let from), .postgres(let to)):
            // `create` made an empty database; a copy of the template takes its place (asked on the server's own
            // database: a session on the template would stop the copy).
            guard let url = postgresURL else { throw StoreError.unavailable("ZHENXING_TEST_POSTGRES_URL is not set") }
            try await onServer(try PostgresLocation(url: url)) { sql in
                try await sql.raw("DROP DATABASE \(ident: to.database)").run()
                try await sql.raw("CREATE DATABASE \(ident: to.database) TEMPLATE \(ident: from.database)").run()
            }
        default:
            throw StoreError.unavailable("a template of another engine")
        }
        return (location, cleanup)
    }

    /// A PostgreSQL error with the server's message, as a failing test reports it.
    public struct ServerError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A new empty database's location and the way to remove it.
    public static func create(_ engine: Database.Engine) async throws -> (DatabaseLocation, @Sendable () async throws -> Void) {
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-test-\(UUID().uuidString)")
            return (.inDataDirectory(folder.path), { try? FileManager.default.removeItem(at: folder) })
        case .postgres:
            guard let url = postgresURL else { throw StoreError.unavailable("ZHENXING_TEST_POSTGRES_URL is not set") }
            let admin = try PostgresLocation(url: url)
            let name = "zx_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
            try await onServer(admin) { try await $0.raw("CREATE DATABASE \(ident: name)").run() }
            var location = admin
            location.database = name
            return (.postgres(location), {
                try await onServer(admin) { try await $0.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
            })
        }
    }

    private static func onServer(_ admin: PostgresLocation, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let database = try await Database.open(.postgres(admin), logger: logger)
        do {
            try await database.read { try await body($0) }
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
