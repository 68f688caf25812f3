import ArgumentParser
import ZhenxingStore

/// Brings the database schema up to date.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema (创建或升级数据库结构).")

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await data.withDatabase { database, _ in
            let applied = try await Migrator(database: database).migrate()
            if applied.isEmpty {
                print("\(database.location): up to date at schema \(Migrator.latestVersion)")
            }
            for migration in applied {
                print("\(database.location): applied \(migration.version) \(migration.name)")
            }
        }
    }
}
