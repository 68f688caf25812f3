import Foundation
import SQLKit
import Testing
@testable import ZhenxingStore
import ZhenxingTestSupport

/// A migration that has landed is never edited (a database migrated before the edit would keep the old schema): its
/// statements, as both engines would run them, must keep the checksum recorded here when it landed. A new migration
/// adds its line; the failure message gives it.
@Suite struct MigrationChecksumTests {
    /// FNV-1a (64 bits) of each migration's statements for SQLite and PostgreSQL, by version. M13 is recorded as it is
    /// now: it was edited after it landed (it drops M12's index), and M15 brings the databases migrated before into line.
    static let landed: [Int: String] = [
        1: "cfe9f96c6a54dff9", 2: "a4d82ac75a48e148", 3: "35a67d2d9f5e3216", 4: "3f5f3dbcf61ac97a",
        5: "f008dd0fdf35e467", 6: "92e59be7378e2635", 7: "4134658808f70af8", 8: "66cde7a23e117b62",
        9: "2fec9ca1d08c71b3", 10: "9a6e55f3734f9542", 11: "ea8e26c60cafef05", 12: "86fbe93e683366a6",
        13: "c053af1e36fde9c0", 14: "b62566eee9a6b2ee", 15: "b8f1d0cc784752ef", 16: "534dea2f68d7a60a",
        17: "242076f43c4ce232", 18: "605c254643fee5ca", 19: "cd82a58082b8fee5", 20: "5803b146ada1e1be", 21: "db4b8c4dbee4f922",
        22: "389f5d5024ae2690", 23: "eba8612e6779aab2", 24: "ae9ee21bb970d4e4",
    ]

    @Test func noLandedMigrationChanges() async throws {
        try await TestDatabases.with(.sqlite, migrate: false) { database in
            try await database.read { sql in
                for migration in Migrator.all {
                    var text = ""
                    for engine in [Database.Engine.sqlite, .postgres] {
                        for statement in migration.statements(SchemaDialect(engine: engine)) {
                            text += "\(engine):" + sql.serialize(statement).sql + ";\n"
                        }
                    }
                    let checksum = String(Self.fnv1a(Array(text.utf8)), radix: 16)
                    #expect(Self.landed[migration.version] == checksum,
                            "M\(migration.version) \(migration.name): checksum \(checksum). A landed migration is never edited: add a new one (a new migration records this checksum here).")
                }
            }
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
