import Crypto
import Foundation
import Logging
import SQLiteNIO
import SQLKit

/// A consistent copy of the whole database in one file, taken while the server runs, and its restore into an empty
/// database of the same engine.
///
/// The file is a POSIX tar (readable with `tar tf`) of two members: `manifest.json` (format, engine, schema version, the
/// rows of every table, the data's SHA-256 and size) and the data — `data.sqlite`, SQLite's `VACUUM INTO`, or
/// `data.pgdump`, `pg_dump --format=custom` in the very snapshot the rows were counted in. A restore refuses a bad
/// checksum, a schema newer than this binary's, another engine's backup or a database that is not empty; it checks the
/// rows of every table against the manifest and then migrates the schema to this binary's.
public enum Backup {
    public struct Manifest: Codable, Sendable, Equatable {
        public var format: Int
        public var engine: String
        public var schemaVersion: Int
        public var createdAt: String
        /// Rows per table at the moment of the copy.
        public var tables: [String: Int]
        public var sha256: String
        public var bytes: Int
    }

    static let format = 1

    /// Copies `database` into the backup file `output` (written beside it first, then moved into place).
    @discardableResult
    public static func write(_ database: Database, to output: String) async throws -> Manifest {
        let work = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let schema = try await Migrator(database: database).currentVersion()
        let tables: [String: Int]
        let member: String
        switch database.location {
        case .sqlite:
            member = "data.sqlite"
            try await database.copySQLite(to: work + "/" + member)
            tables = try await sqliteCounts(work + "/" + member)
        case .postgres(let target):
            member = "data.pgdump"
            // The rows are counted and the dump taken in one snapshot: a REPEATABLE READ transaction exports it to pg_dump.
            tables = try await database.read { sql in
                try await sql.raw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").run()
                do {
                    let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS s").first(decodingColumn: "s", as: String.self) ?? ""
                    let counts = try await postgresCounts(sql)
                    try await run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--snapshot=\(snapshot)",
                                              "--file=\(work)/\(member)", "--dbname=\(target.database)"], target)
                    try await sql.raw("COMMIT").run()
                    return counts
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
        let (sha256, bytes) = try digest(work + "/" + member)
        let manifest = Manifest(format: format, engine: database.engine.rawValue, schemaVersion: schema, createdAt: Timestamp.now(),
                                tables: tables, sha256: sha256, bytes: bytes)
        // The archive is written a chunk at a time beside the output, then moved into place: memory stays flat at any size.
        let partial = output + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]),
              let out = FileHandle(forWritingAtPath: partial), let data = FileHandle(forReadingAtPath: work + "/" + member) else {
            throw StoreError.backup("cannot write \(output)")
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try out.write(contentsOf: Tar.member("manifest.json", try encoder.encode(manifest)))
            try out.write(contentsOf: Tar.header(member, size: bytes))
            while let chunk = try data.read(upToCount: chunkSize), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try out.write(contentsOf: Tar.padding(bytes) + Tar.end)
            try out.close()
            try data.close()
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        _ = try? FileManager.default.removeItem(atPath: output)
        try FileManager.default.moveItem(atPath: partial, toPath: output)
        return manifest
    }

    static let chunkSize = 1 << 20

    /// The manifest of a backup file, its data written to `destination` a chunk at a time and checked against the
    /// manifest's size and checksum; a damaged file leaves nothing at `destination`.
    static func extract(_ file: String, dataTo destination: String) throws -> Manifest {
        guard let archive = FileHandle(forReadingAtPath: file) else { throw StoreError.backup("cannot read \(file)") }
        defer { try? archive.close() }
        let notABackup = StoreError.backup("\(file) is not a Zhenxing backup (a tar of manifest.json and the data)")
        guard let (name, size) = try Tar.next(archive), name == "manifest.json", size < 1 << 24,
              let manifest = try? JSONDecoder().decode(Manifest.self, from: try archive.read(upToCount: size) ?? Data()) else { throw notABackup }
        _ = try archive.read(upToCount: Tar.padding(size).count)
        guard manifest.format == format else { throw StoreError.backup("backup format \(manifest.format) is not known to this zhenxing") }
        guard let (member, bytes) = try Tar.next(archive), member.hasPrefix("data.") else { throw notABackup }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
              let out = FileHandle(forWritingAtPath: destination) else { throw StoreError.backup("cannot write \(destination)") }
        var hash = SHA256()
        var left = bytes
        do {
            while left > 0, let chunk = try archive.read(upToCount: min(left, chunkSize)), !chunk.isEmpty {
                hash.update(data: chunk)
                try out.write(contentsOf: chunk)
                left -= chunk.count
            }
            try out.close()
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
        guard left == 0, bytes == manifest.bytes, hex(hash.finalize()) == manifest.sha256 else {
            try? FileManager.default.removeItem(atPath: destination)
            throw StoreError.backup("the data does not match the manifest's checksum: the file is damaged or was changed; nothing was restored")
        }
        return manifest
    }

    /// The SHA-256 (hex) and size of a file, read a chunk at a time.
    private static func digest(_ path: String) throws -> (String, Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.backup("cannot read \(path)") }
        defer { try? handle.close() }
        var hash = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            hash.update(data: chunk)
            bytes += chunk.count
        }
        return (hex(hash.finalize()), bytes)
    }

    /// Restores the backup `file` into the empty database at `location`, then migrates it to this binary's schema.
    @discardableResult
    public static func restore(_ file: String, into location: DatabaseLocation, logger: Logger) async throws -> Manifest {
        let work = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let manifest = try extract(file, dataTo: work + "/data")
        guard manifest.schemaVersion <= Migrator.latestVersion else {
            throw StoreError.backup("the backup is at schema version \(manifest.schemaVersion), newer than this zhenxing's \(Migrator.latestVersion); restore it with a newer zhenxing")
        }
        switch location {
        case .sqlite(let path):
            guard manifest.engine == Database.Engine.sqlite.rawValue else { throw engineMismatch(manifest) }
            if FileManager.default.fileExists(atPath: path), try await !sqliteCounts(path).isEmpty {
                throw StoreError.backup("\(path) already holds a database; restore into a new data folder")
            }
            try check(try await sqliteCounts(work + "/data"), against: manifest)
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for stale in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: stale) }
            try FileManager.default.moveItem(atPath: work + "/data", toPath: path)
        case .postgres(let target):
            guard manifest.engine == Database.Engine.postgres.rawValue else { throw engineMismatch(manifest) }
            let database = try await Database.open(location, logger: logger)
            do {
                guard try await database.read(postgresCounts).isEmpty else {
                    throw StoreError.backup("the database \(target.database) is not empty; restore into a new, empty database")
                }
                try await run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                             "--dbname=\(target.database)", work + "/data"], target)
                try check(try await database.read(postgresCounts), against: manifest)
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
        let database = try await Database.open(location, logger: logger)
        do {
            try await Migrator(database: database).migrate()
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
        return manifest
    }

    private static func engineMismatch(_ manifest: Manifest) -> StoreError {
        .backup("the backup was taken from \(manifest.engine); restore it into \(manifest.engine)")
    }

    private static func check(_ counts: [String: Int], against manifest: Manifest) throws {
        guard counts == manifest.tables else {
            let differing = Set(counts.keys).union(manifest.tables.keys).sorted().filter { counts[$0] != manifest.tables[$0] }
                .map { "\($0): \(manifest.tables[$0].map(String.init) ?? "none") in the manifest, \(counts[$0].map(String.init) ?? "none") restored" }
            throw StoreError.backup("the restored rows differ from the manifest (\(differing.joined(separator: "; "))); nothing was kept")
        }
    }

    /// The rows of every table of an SQLite file, read through a connection of its own.
    static func sqliteCounts(_ path: String) async throws -> [String: Int] {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "zhenxing-backup"))
        do {
            let sql = connection.sql(queryLogLevel: nil)
            let names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all(decodingColumn: "name", as: String.self)
            let counts = try await counts(of: names, in: sql)
            try await connection.close()
            return counts
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func postgresCounts(_ sql: any SQLDatabase) async throws -> [String: Int] {
        let names = try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            .all(decodingColumn: "tablename", as: String.self)
        return try await counts(of: names, in: sql)
    }

    private static func counts(of tables: [String], in sql: any SQLDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0
        }
        return counts
    }

    private static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zhenxing-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Runs a PostgreSQL client tool (found on PATH, else in /usr/lib/postgresql/*/bin) against `target`, its password
    /// passed in the environment, never on the command line; its error output becomes the error.
    private static func run(_ tool: String, _ arguments: [String], _ target: PostgresLocation) async throws {
        guard let executable = postgresTool(tool) else {
            throw StoreError.backup("\(tool) was not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL client (apt-get install postgresql-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = target.host
        environment["PGPORT"] = String(target.port)
        environment["PGUSER"] = target.username
        environment["PGPASSWORD"] = target.password
        environment["PGSSLMODE"] = target.tls == .disable ? "disable" : target.tls == .require ? "require" : "prefer"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in done.resume() }
            do { try process.run() } catch { done.resume(throwing: error) }
        }
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw StoreError.backup("\(tool) failed: \(text.split(separator: "\n").prefix(3).joined(separator: " "))")
        }
    }

    private static func postgresTool(_ tool: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(tool)" }
        let installed = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin/\(tool)" }
        return (path + installed).first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The little of POSIX tar (ustar) a backup needs: regular files, written and read a member at a time.
package enum Tar {
    /// The two empty blocks that end an archive.
    static let end = Data(count: 1024)

    static func header(_ name: String, size: Int) -> Data {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0, width: 100)
        put("0000600", at: 100, width: 8)
        put("0000000", at: 108, width: 8)
        put("0000000", at: 116, width: 8)
        put(String(size, radix: 8).leftPadded(to: 11), at: 124, width: 12)
        put(String(Int(Date().timeIntervalSince1970), radix: 8).leftPadded(to: 11), at: 136, width: 12)
        put("        ", at: 148, width: 8)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(checksum, radix: 8).leftPadded(to: 6) + "\0 ", at: 148, width: 8)
        return Data(header)
    }

    /// The zeros that fill a member of `size` bytes to a whole block.
    static func padding(_ size: Int) -> Data { Data(count: (512 - size % 512) % 512) }

    /// A whole member, for small contents.
    package static func member(_ name: String, _ contents: Data) -> Data { header(name, size: contents.count) + contents + padding(contents.count) }

    /// The name and size of the member whose header comes next; nil at the end of the archive or on a malformed header.
    static func next(_ archive: FileHandle) throws -> (name: String, size: Int)? {
        guard let block = try archive.read(upToCount: 512), block.count == 512, block.contains(where: { $0 != 0 }) else { return nil }
        func text(_ from: Int, _ width: Int) -> String {
            String(decoding: block.dropFirst(from).prefix(width).prefix { $0 != 0 }, as: UTF8.self)
        }
        guard let size = Int(text(124, 12).trimmingCharacters(in: .whitespaces), radix: 8), size >= 0 else { return nil }
        return (text(0, 100), size)
    }
}
