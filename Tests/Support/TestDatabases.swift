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
        do {
            let (location, cleanup) = try await create(engine)
            let database = try await Database.open(location, logger: logger)
            do {
                if migrate { try await Migrator(database: database).migrate() }
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
