import Foundation
import SQLKit
import ZhenxingDomain

/// A visit as stored.
public struct Visit: Sendable, Hashable, Decodable {
    public let id: Int
    public let householdId: Int
    public let householdNumber: String
    public let visitedOn: String
    public let visitor: String
    /// The registered helper who visited, when it was one.
    public let helperId: Int?
    public let seen: String
    public let promised: String
    public let followUpOn: String?
    public let followedUpOn: String?

    enum CodingKeys: String, CodingKey {
        case id, visitor, seen, promised
        case householdId = "household_id", householdNumber = "household_number", visitedOn = "visited_on", followUpOn = "follow_up_on", helperId = "helper_id"
        case followedUpOn = "followed_up_on"
    }

    /// Where its promise stands on `today`.
    public func followUp(on today: String) -> FollowUpState? {
        FollowUpState(due: followUpOn, done: followedUpOn, today: today)
    }
}

/// Visits to households and their follow-ups.
public struct VisitRepository: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records a visit; a date in the future or a follow-up before the visit is refused.
    public func add(_ draft: VisitDraft, household: Int, today: String, by actor: AuditActor) async throws -> Int {
        let problems = draft.problems(today: today)
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in try await Self.add(draft, household: household, by: actor, in: sql) }
    }

    /// Records a visit inside the caller's transaction (checked by the caller); a helper of another village is refused.
    public static func add(_ draft: VisitDraft, household: Int, by actor: AuditActor, in sql: any SQLDatabase) async throws -> Int {
        guard let village = try await sql.raw("SELECT village_code FROM households WHERE id = \(bind: household)")
            .first(decodingColumn: "village_code", as: String.self) else { throw StoreError.notFound("household \(household)") }
        var visitor = draft.visitor.trimmingCharacters(in: .whitespaces)
        if let helper = draft.helperID {
            struct Row: Decodable { let name: String; let unit: String; let villageCode: String
                enum CodingKeys: String, CodingKey { case name, unit; case villageCode = "village_code" } }
            guard let row = try await sql.raw("SELECT name, unit, village_code FROM helpers WHERE id = \(bind: helper)").first(decoding: Row.self),
                  row.villageCode == village else {
                throw ValidationFailure([FieldIssue(field: "helper", message: LocalizedText(
                    zh: "这位帮扶责任人不在本户所在的村", en: "The helper works for another village"))])
            }
            if visitor.isEmpty { visitor = "\(row.unit) \(row.name)" }
        }
        let id = try await BulkInsert.row(
            into: "visits", columns: ["household_id", "visited_on", "visitor", "helper_id", "seen", "promised", "follow_up_on", "recorded_by", "recorded_at"],
            values: [household, draft.date, visitor, draft.helperID, draft.seen, draft.promised, draft.followUp, actor.username, Timestamp.now()], in: sql)
        try await AuditLog.record(.create, entity: .visit, key: String(id), division: try? DivisionCode(validating: village), after: draft, by: actor, in: sql)
        return id
    }

    /// Marks a visit's promise as followed up on `date`.
    public func followedUp(_ visit: Int, household: Int, on date: String, by actor: AuditActor) async throws {
        guard Day.isValid(date) else {
            throw ValidationFailure([FieldIssue.notADay("date")])
        }
        try await database.transaction { sql in
            guard try await sql.raw("SELECT id FROM visits WHERE id = \(bind: visit) AND household_id = \(bind: household)")
                .first(decodingColumn: "id", as: Int.self) != nil else { throw StoreError.notFound("visit \(visit)") }
            try await sql.raw("UPDATE visits SET followed_up_on = \(bind: date) WHERE id = \(bind: visit)").run()
            try await AuditLog.record(.update, entity: .visit, key: String(visit), after: ["followed_up_on": date], by: actor, in: sql)
        }
    }

    /// A household's visits, newest first.
    public func visits(ofHousehold household: Int) async throws -> [Visit] {
        try await select("v.household_id = \(bind: household)", limit: 1_000)
    }

    /// The promises overdue on `today` at the households of `scope`, the longest overdue first.
    public func overdue(in scope: WorkScope, today: String) async throws -> [Visit] {
        try await select("""
            v.household_id IN (\(scope.households)) AND v.follow_up_on < \(bind: today) AND v.followed_up_on IS NULL
            """, order: "v.follow_up_on, v.id", limit: 500)
    }

    /// The visits of a year in a division, oldest first; `after` (a visit id) and `limit` page through them.
    public func visits(in division: DivisionCode, year: Int, after: Int? = nil, limit: Int) async throws -> [Visit] {
        var condition: SQLQueryString = """
            \(division.covers("h.village_code")) AND v.visited_on BETWEEN \(bind: "\(year)-01-01") AND \(bind: "\(year)-12-31")
            """
        if let after { condition += " AND v.id > \(bind: after)" }
        return try await select(condition, order: "v.id", limit: limit)
    }

    /// The latest visits to the households of a grid.
    public func recent(inGrid grid: Int, limit: Int = 20) async throws -> [Visit] {
        try await select("v.household_id IN (SELECT household_id FROM grid_households WHERE grid_id = \(bind: grid))", limit: limit)
    }

    /// Visits in a division (any level) in a year, and the promises not followed up past their date on `asOf` (the
    /// year's end, or today while the year runs: a promise due next month is not overdue yet).
    public func figures(_ division: DivisionCode, year: Int, asOf: String) async throws -> (visits: Int, overdueFollowUps: Int) {
        let last = "\(year)-12-31"
        return try await database.read { sql in
            let visits = try await sql.raw("""
                SELECT count(*) AS n FROM visits v JOIN households h ON h.id = v.household_id
                WHERE \(division.covers("h.village_code")) AND v.visited_on BETWEEN \(bind: "\(year)-01-01") AND \(bind: last)
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            let overdue = try await sql.raw("""
                SELECT count(*) AS n FROM visits v JOIN households h ON h.id = v.household_id
                WHERE \(division.covers("h.village_code")) AND v.follow_up_on < \(bind: asOf) AND v.visited_on <= \(bind: asOf)
                  AND (v.followed_up_on IS NULL OR v.followed_up_on > \(bind: asOf))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return (visits, overdue)
        }
    }

    private func select(_ condition: SQLQueryString, order: String = "v.visited_on DESC, v.id DESC", limit: Int) async throws -> [Visit] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT v.id, v.household_id, h.number AS household_number, v.visited_on, v.visitor, v.helper_id, v.seen, v.promised, v.follow_up_on, v.followed_up_on
                FROM visits v JOIN households h ON h.id = v.household_id WHERE \(condition)
                ORDER BY \(unsafeRaw: order) LIMIT \(literal: limit)
                """).all(decoding: Visit.self)
        }
    }

    /// The household of a visit, nil when there is none.
    public func household(ofVisit id: Int) async throws -> Int? {
        try await database.read { sql in
            try await sql.raw("SELECT household_id FROM visits WHERE id = \(bind: id)").first(decodingColumn: "household_id", as: Int.self)
        }
    }

    /// The village of a visit, nil when there is none.
    public func village(ofVisit id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT h.village_code FROM visits v JOIN households h ON h.id = v.household_id WHERE v.id = \(bind: id)")
    }

    /// The village of a visit's photo, nil when there is none.
    public func village(ofPhoto id: Int) async throws -> DivisionCode? {
        try await database.villageCode("""
            SELECT h.village_code FROM visit_photos f JOIN visits v ON v.id = f.visit_id JOIN households h ON h.id = v.household_id WHERE f.id = \(bind: id)
            """)
    }

    // MARK: Photos

    /// At most this many photos per visit.
    public static let photosPerVisit = 9

    /// Stores a checked photo (and its thumbnail) as evidence of a visit; returns its id.
    public func addPhoto(_ photo: VisitPhotoUpload, visit: Int, by actor: AuditActor) async throws -> Int {
        try await database.transaction { sql in
            guard let household = try await sql.raw("SELECT household_id FROM visits WHERE id = \(bind: visit)")
                .first(decodingColumn: "household_id", as: Int.self) else { throw StoreError.notFound("visit \(visit)") }
            let count = try await sql.raw("SELECT count(*) AS n FROM visit_photos WHERE visit_id = \(bind: visit)").first(decodingColumn: "n", as: Int.self) ?? 0
            guard count < Self.photosPerVisit else {
                throw ValidationFailure([FieldIssue(field: "photo", message: LocalizedText(
                    zh: "每次走访最多 \(Self.photosPerVisit) 张照片", en: "At most \(Self.photosPerVisit) photos per visit"))])
            }
            let id = try await BulkInsert.row(
                into: "visit_photos", columns: ["visit_id", "file_name", "content_type", "byte_size", "width", "height", "uploaded_by", "uploaded_at", "thumbnail", "content"],
                values: [visit, photo.fileName, photo.contentType, photo.content.count, photo.width, photo.height, actor.username, Timestamp.now(),
                         photo.thumbnail, photo.content], in: sql)
            try await AuditLog.record(.create, entity: .visitPhoto, key: String(id),
                                      after: ["visit": visit, "household": household, "bytes": photo.content.count], by: actor, in: sql)
            return id
        }
    }

    /// Removes a photo of a visit (one put on the wrong visit).
    public func removePhoto(_ id: Int, visit: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard try await sql.raw("SELECT id FROM visit_photos WHERE id = \(bind: id) AND visit_id = \(bind: visit)")
                .first(decodingColumn: "id", as: Int.self) != nil else { throw StoreError.notFound("photo \(id)") }
            try await sql.raw("DELETE FROM visit_photos WHERE id = \(bind: id)").run()
            try await AuditLog.record(.delete, entity: .visitPhoto, key: String(id), after: ["visit": visit], by: actor, in: sql)
        }
    }

    /// The photos of visits, without their bytes, by visit.
    public func photos(ofVisits visits: [Int]) async throws -> [Int: [VisitPhoto]] {
        guard !visits.isEmpty else { return [:] }
        let rows = try await database.read { sql in
            try await sql.raw("""
                SELECT id, visit_id, file_name, content_type, byte_size, width, height, uploaded_by, uploaded_at
                FROM visit_photos WHERE visit_id IN (\(binds: visits)) ORDER BY id
                """).all(decoding: VisitPhoto.self)
        }
        return Dictionary(grouping: rows, by: \.visitId)
    }

    /// A photo's bytes (or its thumbnail's, a JPEG) and type.
    public func photoContent(_ id: Int, thumbnail: Bool) async throws -> (contentType: String, bytes: Data) {
        struct Row: Decodable { let contentType: String; let bytes: Data; enum CodingKeys: String, CodingKey { case bytes; case contentType = "content_type" } }
        let row = try await database.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: thumbnail ? "'image/jpeg'" : "content_type") AS content_type, \(unsafeRaw: thumbnail ? "thumbnail" : "content") AS bytes
                FROM visit_photos WHERE id = \(bind: id)
                """).first(decoding: Row.self)
        }
        guard let row else { throw StoreError.notFound("photo \(id)") }
        return (row.contentType, row.bytes)
    }
}

/// A checked photo to store: the original bytes, its type and size, and a JPEG thumbnail.
public struct VisitPhotoUpload: Sendable {
    public let fileName: String
    public let contentType: String
    public let width: Int
    public let height: Int
    public let content: Data
    public let thumbnail: Data

    public init(fileName: String, contentType: String, width: Int, height: Int, content: Data, thumbnail: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.width = width
        self.height = height
        self.content = content
        self.thumbnail = thumbnail
    }
}

/// A stored photo of a visit, without its bytes.
public struct VisitPhoto: Sendable, Hashable, Decodable {
    public let id: Int
    public let visitId: Int
    public let fileName: String
    public let contentType: String
    public let byteSize: Int
    public let width: Int
    public let height: Int
    public let uploadedBy: String
    public let uploadedAt: String

    enum CodingKeys: String, CodingKey {
        case id, width, height
        case visitId = "visit_id", fileName = "file_name", contentType = "content_type", byteSize = "byte_size"
        case uploadedBy = "uploaded_by", uploadedAt = "uploaded_at"
    }
}
