import Foundation
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingStore
import ZhenxingTestSupport

@Suite struct MigratorTests {
    @Test(arguments: TestDatabases.engines)
    func migratesAnEmptyDatabaseOnceAndRecordsIt(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine, migrate: false) { database in
            // given
            let migrator = Migrator(database: database)
            #expect(try await migrator.currentVersion() == 0)
            await #expect(throws: StoreError.schemaTooOld(database: 0, code: Migrator.latestVersion)) {
                try await migrator.checkCompatible()
            }
            // when
            let first = try await migrator.migrate()
            let second = try await migrator.migrate()
            // then
            #expect(first.map(\.version) == Migrator.all.map(\.version))
            #expect(second.isEmpty)
            #expect(try await migrator.currentVersion() == Migrator.latestVersion)
            try await migrator.checkCompatible()
        }
    }

    @Test(arguments: TestDatabases.engines)
    func refusesADatabaseNewerThanTheCode(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            let future = Migrator.latestVersion + 1
            try await database.transaction { sql in
                try await sql.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: future), 'Future', '2030-01-01')
                    """).run()
            }
            // then
            await #expect(throws: StoreError.schemaTooNew(database: future, code: Migrator.latestVersion)) {
                try await Migrator(database: database).checkCompatible()
            }
            await #expect(throws: StoreError.schemaTooNew(database: future, code: Migrator.latestVersion)) {
                try await Migrator(database: database).migrate()
            }
        }
    }
}

private struct Boom: Error {}

/// The demo with stand-in password hashes: the store never checks them.
private func loadDemo(_ database: Database) async throws {
    try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
}

@Suite struct DatabaseTests {
    @Test(arguments: TestDatabases.engines)
    func aUniqueKeyTakenMeanwhileIsADuplicateNotADriverError(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // when: a write reaches a unique key another write took (as two requests racing past a check would)
            let refusal = await #expect(throws: StoreError.self) {
                try await database.transaction { sql in
                    try await sql.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'again', 'now')").run()
                }
            }
            // then: the store says so in its own words, and nothing was written
            #expect(refusal == .duplicate)
            let again = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM schema_migrations WHERE name = 'again'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(again == 0)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aFailedTransactionLeavesNothingBehind(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // when
            await #expect(throws: Boom.self) {
                try await database.transaction { sql in
                    try await DivisionRepository.save(Division(code: DivisionCode(validating: "410000000000"), name: "河南省"), in: sql)
                    throw Boom()
                }
            }
            // then
            let provinces = try await DivisionRepository(database: database).children(of: nil)
            #expect(provinces.isEmpty)
        }
    }

    @Test func aCorruptSQLiteFileIsRefusedWithTheReason() async throws {
        // given
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zx-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("zhenxing.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: file)
        // when
        let error = await #expect(throws: StoreError.self) {
            _ = try await Database.open(.sqlite(path: file.path), logger: .init(label: "test"))
        }
        // then
        #expect(error?.description.contains("not a database") == true)
    }

    @Test func anUnreachablePostgresIsReportedQuickly() async throws {
        // given: a loopback port nothing listens on
        let location = try DatabaseLocation.resolve(url: "postgres://u:p@127.0.0.1:1/db", dataDirectory: "unused")
        // when
        let error = await #expect(throws: StoreError.self) {
            _ = try await Database.open(location, logger: .init(label: "test"))
        }
        // then
        #expect(error?.description.contains("cannot reach PostgreSQL at postgres://u@127.0.0.1:1/db") == true)
        #expect(error?.description.contains(":p@") == false)
    }

    @Test(arguments: [
        ("mysql://u@h/db", "unknown scheme"), ("postgres://h/db", "user name"), ("postgres://u@/db", "host"),
        ("postgres://u@h", "database name"), ("postgres://u@h/db?sslmode=maybe", "sslmode"), ("sqlite:", "file path"),
        ("not a url", "not a URL"),
    ])
    func badDatabaseURLsNameTheWrongPart(url: String, reason: String) {
        let error = #expect(throws: StoreError.self) { try DatabaseLocation.resolve(url: url, dataDirectory: "data") }
        #expect(error?.description.contains(reason) == true)
    }

    @Test func locationsResolveFromURLOrDataFolder() throws {
        #expect(try DatabaseLocation.resolve(url: nil, dataDirectory: "/srv/zx") == .sqlite(path: "/srv/zx/zhenxing.sqlite"))
        guard case .postgres(let pg) = try DatabaseLocation.resolve(url: "postgresql://a:b%40c@db.example:6543/zx", dataDirectory: "") else {
            Issue.record("expected postgres")
            return
        }
        #expect(pg.host == "db.example" && pg.port == 6543 && pg.username == "a" && pg.password == "b@c" && pg.database == "zx")
        #expect(pg.tls == .prefer)
        #expect(pg.description == "postgres://a@db.example:6543/zx")
    }
}

@Suite struct DivisionAndProfileTests {
    @Test(arguments: TestDatabases.engines)
    func theDemoVillageHasItsChainAndProfile(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            try await loadDemo(database)
            try await loadDemo(database)  // refreshing changes nothing
            let divisions = DivisionRepository(database: database)
            // when
            let chain = try await divisions.chain(LiangshuiquanDemo.villageCode)
            let provinces = try await divisions.children(of: nil)
            let stored = try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode)
            // then
            #expect(chain.map(\.name) == ["河南省", "南阳市", "镇平县", "老庄镇", "凉水泉村"])
            #expect(provinces.map(\.division.name) == ["河南省"])
            #expect(provinces.first?.childCount == 1)
            #expect(stored.profile.groups.count == 10)
            #expect(stored.profile.naturalVillages.count == 14)
            #expect(stored.profile.areaSquareMetres == 4_870_000)
            #expect(stored.profile.farmlandMuHundredths == 79_500)
            #expect(stored.profile.mountainLandMuHundredths == 650_000)
            #expect(stored.profile.designations == ["河南省定深度贫困村"])
            #expect(stored.profile.honours.filter { $0.year == 2019 }.count == 3)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aStaleEditIsRefusedAndChangesNothing(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            try await loadDemo(database)
            let profiles = VillageProfileRepository(database: database)
            let code = LiangshuiquanDemo.villageCode
            let read = try await profiles.get(code)
            var mine = read.profile
            mine.farmlandMuHundredths = 80_000
            var theirs = read.profile
            theirs.naturalVillages.append("新村")
            // when
            let saved = try await profiles.update(code, to: theirs, expectedVersion: read.version, by: .system)
            // then
            await #expect(throws: StoreError.staleVersion(expected: read.version, current: read.version + 1)) {
                _ = try await profiles.update(code, to: mine, expectedVersion: read.version, by: .system)
            }
            let now = try await profiles.get(code)
            #expect(now == saved)
            #expect(now.profile.farmlandMuHundredths == 79_500)
            #expect(now.profile.naturalVillages.last == "新村")
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anInvalidProfileIsRefusedWithoutWriting(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            try await loadDemo(database)
            let profiles = VillageProfileRepository(database: database)
            let before = try await profiles.get(LiangshuiquanDemo.villageCode)
            var bad = before.profile
            bad.groups.append(VillageGroup(number: 1, name: "重复"))
            // when
            await #expect(throws: ValidationFailure.self) {
                _ = try await profiles.update(LiangshuiquanDemo.villageCode, to: bad, expectedVersion: before.version, by: .system)
            }
            // then
            #expect(try await profiles.get(LiangshuiquanDemo.villageCode) == before)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func amountsStoredBeforeTheirRangeAreBroughtIntoItSoSumsCannotOverflow(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: a database holding the largest 64-bit amount, as one could before every field had its range
            try await loadDemo(database)
            try await database.transaction { sql in
                try await sql.raw("""
                    INSERT INTO collective_income (village_code, year, received_on, source, amount_fen, note, recorded_by)
                    VALUES (\(bind: LiangshuiquanDemo.villageCode.rawValue), 2020, '2020-06-01', '旧数据', \(bind: Int.max), '', 'test')
                    """).run()
            }
            // when: M0015 runs over it
            try await database.transaction { sql in
                for statement in M0015_BoundStoredValues.migration.statements(SchemaDialect(engine: engine)) { try await sql.raw(statement).run() }
            }
            // then: the amount is the largest a field accepts, and the village's and county's figures count it
            let most = try await database.read { sql in
                try await sql.raw("SELECT max(amount_fen) AS n FROM collective_income").first(decodingColumn: "n", as: Int.self)
            }
            #expect(most == FieldIssue.money.upperBound)
            let figures = FiguresQuery(database: database)
            let village = try await figures.document(LiangshuiquanDemo.villageCode, year: 2020)
            let county = try await figures.document(DivisionCode(validating: "411324000000"), year: 2020)
            #expect(village.community.collectiveIncomeFen == FieldIssue.money.upperBound + 50_000_000)
            #expect(county.community.collectiveIncomeFen == village.community.collectiveIncomeFen)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aDivisionNeedsItsParentAndOnlyVillagesHaveProfiles(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // when
            let failure = await #expect(throws: ValidationFailure.self) {
                try await database.transaction { sql in
                    try await DivisionRepository.save(Division(code: DivisionCode(validating: "411324104201"), name: "孤村"), in: sql)
                }
            }
            // then
            #expect(failure?.issues.first?.message.zh.contains("上级区划 411324104000 不存在") == true)
            try await loadDemo(database)
            await #expect(throws: StoreError.notFound("village 411324104000")) {
                _ = try await VillageProfileRepository(database: database).get(DivisionCode(validating: "411324104000"))
            }
        }
    }
}

@Suite struct TimestampTests {
    @Test func onlyRealCalendarDaysAreDays() {
        for day in ["2016-02-29", "2000-02-29", "2024-12-31", "2018-04-30"] { #expect(Day.isValid(day), "\(day)") }
        for day in ["2018-02-30", "2017-02-29", "1900-02-29", "2024-13-01", "2024-04-31", "2024-00-10", "2024-1-01", "2024-01-01T00:00", ""] {
            #expect(!Day.isValid(day), "\(day)")
        }
    }
}

@Suite struct ChinaDayTests {
    /// At 23:30 UTC it is already 07:30 the next morning in Beijing: "today" is that next day.
    @Test func todayIsTheCalendarDayInChina() throws {
        let lateUTC = try #require(ISO8601DateFormatter().date(from: "2026-12-01T23:30:00Z"))
        #expect(Timestamp.today(lateUTC) == "2026-12-02")
        #expect(Timestamp.today(lateUTC.addingTimeInterval(-8 * 3600)) == "2026-12-01")
    }
}
