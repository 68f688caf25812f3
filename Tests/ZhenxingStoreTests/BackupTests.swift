import Foundation
import Logging
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct BackupTests {
    struct AuditRow: Decodable, Equatable {
        let id: Int
        let at: String
        let username: String?
        let action: String
        let entity: String
        let entityKey: String?
        let divisionCode: String?
        let beforeJson: String?
        let afterJson: String?
        let address: String?
    }

    static func auditLog(_ database: Database) async throws -> [AuditRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT id, at, username, action, entity, entity_key AS "entityKey", division_code AS "divisionCode",
                       before_json AS "beforeJson", after_json AS "afterJson", address FROM audit_log ORDER BY id
                """).all(decoding: AuditRow.self)
        }
    }

    static let syntheticCounty = try! DivisionCode(validating: "411325000000")

    static func figures(_ database: Database) async throws -> [FiguresDocument] {
        let query = FiguresQuery(database: database)
        var documents: [FiguresDocument] = []
        for code in [LiangshuiquanDemo.villageCode, try DivisionCode(validating: "411324000000"), syntheticCounty] {
            for year in 2014...2026 { documents.append(try await query.document(code, year: year)) }
        }
        return documents
    }

    @Test(arguments: TestDatabases.engines)
    func theDemoAndAGeneratedCountyComeBackFromTheirBackupWithEveryFigureAndTheAuditLogAsTheyWere(engine: Database.Engine) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/demo.zxbackup"
        try await TestDatabases.with(engine) { database in
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            _ = try await SyntheticCounty.generate(county: Self.syntheticCounty, people: 5_000, seed: 3, into: database)
            // when: the demo and the county are backed up (the server could be running) and restored into a new, empty database
            let manifest = try await Backup.write(database, to: file)
            let households = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM households").first(decodingColumn: "n", as: Int.self)
            }
            #expect(manifest.engine == engine.rawValue && manifest.schemaVersion == Migrator.latestVersion && manifest.tables["households"] == households)
            let (target, cleanup) = try await TestDatabases.create(engine)
            do {
                let restored = try await Backup.restore(file, into: target, logger: Logger(label: "test"))
                #expect(restored == manifest)
                let copy = try await Database.open(target, logger: Logger(label: "test"))
                // the copy's figures are counted again from its records, not read from the cache it was restored with
                try await copy.transaction { sql in try await sql.raw("DELETE FROM figures_cache").run() }
                // then: every figure of the village and the county, every year, and the audit log are as they were
                let (figures, audit) = (try await Self.figures(copy), try await Self.auditLog(copy))
                await copy.shutdown()
                #expect(figures == (try await Self.figures(database)))
                #expect(audit == (try await Self.auditLog(database)) && audit.count > 1000)
                // a database that holds records is never restored over
                let overRecords = await #expect(throws: StoreError.self) { try await Backup.restore(file, into: target, logger: Logger(label: "test")) }
                #expect(overRecords?.description.contains("restore into a new") == true)
            } catch {
                try await cleanup()
                throw error
            }
            try await cleanup()
        }
    }

    @Test func aDamagedBackupOrOneFromANewerSchemaIsRefusedAndNothingIsRestored() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/one.zxbackup"
        // a migrated database: its schema_migrations rows are what the manifest counts
        try await TestDatabases.with(.sqlite) { database in try await Backup.write(database, to: file) }
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        let target = folder + "/restored/zhenxing.sqlite"
        // one byte of the data changed: the checksum no longer matches
        var damaged = original
        damaged[damaged.count - 2048] ^= 0xFF
        let damagedFile = folder + "/damaged.zxbackup"
        try damaged.write(to: URL(fileURLWithPath: damagedFile))
        let damagedRefusal = await #expect(throws: StoreError.self) { try await Backup.restore(damagedFile, into: .sqlite(path: target), logger: Logger(label: "test")) }
        #expect(damagedRefusal?.description.contains("checksum") == true)
        // a manifest from a newer zhenxing before the same data
        let (manifest, rest) = try Self.split(original)
        var newer = manifest
        newer.schemaVersion = Migrator.latestVersion + 1
        let newerFile = folder + "/newer.zxbackup"
        try (Tar.member("manifest.json", try JSONEncoder().encode(newer)) + rest).write(to: URL(fileURLWithPath: newerFile))
        let newerRefusal = await #expect(throws: StoreError.self) { try await Backup.restore(newerFile, into: .sqlite(path: target), logger: Logger(label: "test")) }
        #expect(newerRefusal?.description.contains("newer than this zhenxing") == true)
        #expect(!FileManager.default.fileExists(atPath: target))
        // the untouched file restores
        try await Backup.restore(file, into: .sqlite(path: target), logger: Logger(label: "test"))
        #expect(FileManager.default.fileExists(atPath: target))
    }

    /// A backup's manifest and the bytes after its member: the data member and the archive's end.
    static func split(_ archive: Data) throws -> (Backup.Manifest, Data) {
        let size = try #require(Int(String(decoding: archive[124..<135], as: UTF8.self), radix: 8))
        let manifest = try JSONDecoder().decode(Backup.Manifest.self, from: archive[512..<512 + size])
        return (manifest, archive[(512 + (size + 511) / 512 * 512)...])
    }
}
