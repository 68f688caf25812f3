import ArgumentParser
import Foundation
import ZhenxingStore

/// Writes a consistent backup of the database while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up the whole database into one file, while the server runs (备份).")

    @OptionGroup var data: DataOptions

    @Option(name: .customLong("output"), help: "The backup file to write (备份文件).")
    var output: String

    func run() async throws {
        try await data.withDatabase { database, _ in
            let manifest = try await Backup.write(database, to: output)
            print("\(output): \(manifest.engine) at schema \(manifest.schemaVersion), \(manifest.tables.values.reduce(0, +)) rows in "
                  + "\(manifest.tables.count) tables, \(manifest.bytes) bytes, sha256 \(manifest.sha256)")
        }
    }
}

/// Restores a backup into an empty database.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup into an empty database, then bring its schema up to date (恢复).")

    @OptionGroup var data: DataOptions

    @Argument(help: "The backup file (备份文件).")
    var file: String

    func run() async throws {
        do {
            let location = try data.location()
            let manifest = try await Backup.restore(file, into: location, logger: CommandLogging.logger())
            print("\(location): restored \(manifest.tables.values.reduce(0, +)) rows in \(manifest.tables.count) tables from schema "
                  + "\(manifest.schemaVersion), now at \(Migrator.latestVersion)")
        } catch {
            throw CommandFailure(error)
        }
    }
}
