import SQLKit
import ZhenxingDomain

/// A village profile as stored, with the version an edit must name.
public struct StoredVillageProfile: Sendable, Hashable {
    /// The village.
    public let village: Division
    /// Its profile.
    public let profile: VillageProfile
    /// Bumped by every change; an edit based on an older one is refused.
    public let version: Int
}

/// Reads and writes village profiles with their designations, honours, groups and natural villages.
public struct VillageProfileRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    private struct ProfileRow: Decodable {
        let areaSquareMetres: Int
        let farmlandMuHundredths: Int
        let mountainLandMuHundredths: Int
        let version: Int
    }

    private struct TitleRow: Decodable { let title: String }
    private struct HonourRow: Decodable { let year: Int; let title: String }
    private struct GroupRow: Decodable { let number: Int; let name: String }
    private struct NameRow: Decodable { let name: String }

    /// The profile of a village. A village without a stored profile gets an empty one at version 0.
    /// Throws `notFound` when the code is not a known village.
    public func get(_ code: DivisionCode) async throws -> StoredVillageProfile {
        try await database.read { sql in try await Self.load(code, in: sql) }
    }

    /// Replaces a village's profile when `expectedVersion` is still current; returns the new state.
    /// Throws the validation failure, `notFound`, or `staleVersion`; nothing is written then.
    public func update(
        _ code: DivisionCode, to profile: VillageProfile, expectedVersion: Int, by actor: AuditActor
    ) async throws -> StoredVillageProfile {
        let clean = try profile.validated()
        return try await database.transaction { sql in
            let current = try await Self.load(code, in: sql)
            guard current.version == expectedVersion else {
                throw StoreError.staleVersion(expected: expectedVersion, current: current.version)
            }
            try await Self.write(code, clean, version: current.version + 1, in: sql)
            let saved = try await Self.load(code, in: sql)
            try await AuditLog.record(.update, entity: .villageProfile, key: code.rawValue, division: code,
                                      before: current.profile, after: saved.profile, by: actor, in: sql)
            return saved
        }
    }

    /// Writes a profile unconditionally (demo and imports), inside the caller's transaction.
    public static func replace(_ code: DivisionCode, with profile: VillageProfile, by actor: AuditActor, in sql: any SQLDatabase) async throws {
        let clean = try profile.validated()
        let current = try await load(code, in: sql)
        guard current.profile != clean || current.version == 0 else { return }
        try await write(code, clean, version: current.version + 1, in: sql)
        try await AuditLog.record(current.version == 0 ? .create : .update, entity: .villageProfile, key: code.rawValue,
                                  division: code, before: current.version == 0 ? nil : current.profile, after: clean,
                                  by: actor, in: sql)
    }

    private static func write(_ code: DivisionCode, _ profile: VillageProfile, version: Int, in sql: any SQLDatabase) async throws {
        let village = code.rawValue
        try await sql.raw("""
            INSERT INTO village_profiles (village_code, area_square_metres, farmland_mu_hundredths,
                                          mountain_land_mu_hundredths, version, updated_at)
            VALUES (\(bind: village), \(bind: profile.areaSquareMetres), \(bind: profile.farmlandMuHundredths),
                    \(bind: profile.mountainLandMuHundredths), \(bind: version), \(bind: Timestamp.now()))
            ON CONFLICT (village_code) DO UPDATE SET
                area_square_metres = excluded.area_square_metres,
                farmland_mu_hundredths = excluded.farmland_mu_hundredths,
                mountain_land_mu_hundredths = excluded.mountain_land_mu_hundredths,
                version = excluded.version, updated_at = excluded.updated_at
            """).run()
        for table in ["village_designations", "village_honours", "village_groups", "natural_villages"] {
            try await sql.raw("DELETE FROM \(ident: table) WHERE village_code = \(bind: village)").run()
        }
        for (position, title) in profile.designations.enumerated() {
            try await sql.raw("""
                INSERT INTO village_designations (village_code, position, title)
                VALUES (\(bind: village), \(bind: position), \(bind: title))
                """).run()
        }
        for honour in profile.honours {
            try await sql.raw("""
                INSERT INTO village_honours (village_code, year, title)
                VALUES (\(bind: village), \(bind: honour.year), \(bind: honour.title))
                """).run()
        }
        for group in profile.groups {
            try await sql.raw("""
                INSERT INTO village_groups (village_code, number, name)
                VALUES (\(bind: village), \(bind: group.number), \(bind: group.name))
                """).run()
        }
        for name in profile.naturalVillages {
            try await sql.raw("""
                INSERT INTO natural_villages (village_code, name) VALUES (\(bind: village), \(bind: name))
                """).run()
        }
    }

    private static func load(_ code: DivisionCode, in sql: any SQLDatabase) async throws -> StoredVillageProfile {
        guard code.level == .village, let village = try await DivisionRepository.find(code, in: sql) else {
            throw StoreError.notFound("village \(code)")
        }
        let key = code.rawValue
        let snake = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)
        guard let row = try await sql.raw("""
            SELECT area_square_metres, farmland_mu_hundredths, mountain_land_mu_hundredths, version
            FROM village_profiles WHERE village_code = \(bind: key)
            """).first(decoding: ProfileRow.self, with: snake) else {
            return StoredVillageProfile(village: village, profile: VillageProfile(), version: 0)
        }
        let designations = try await sql.raw(
            "SELECT title FROM village_designations WHERE village_code = \(bind: key) ORDER BY position"
        ).all(decoding: TitleRow.self).map(\.title)
        let honours = try await sql.raw(
            "SELECT year, title FROM village_honours WHERE village_code = \(bind: key) ORDER BY year, title"
        ).all(decoding: HonourRow.self).map { VillageHonour(year: $0.year, title: $0.title) }
        let groups = try await sql.raw(
            "SELECT number, name FROM village_groups WHERE village_code = \(bind: key) ORDER BY number"
        ).all(decoding: GroupRow.self).map { VillageGroup(number: $0.number, name: $0.name) }
        let naturalVillages = try await sql.raw(
            "SELECT name FROM natural_villages WHERE village_code = \(bind: key) ORDER BY id"
        ).all(decoding: NameRow.self).map(\.name)
        let profile = VillageProfile(
            areaSquareMetres: row.areaSquareMetres, farmlandMuHundredths: row.farmlandMuHundredths,
            mountainLandMuHundredths: row.mountainLandMuHundredths, designations: designations,
            honours: honours, groups: groups, naturalVillages: naturalVillages)
        return StoredVillageProfile(village: village, profile: profile, version: row.version)
    }
}
