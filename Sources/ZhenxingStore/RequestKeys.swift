import Foundation
import SQLKit
import Synchronization

/// An API write's `Idempotency-Key`, claimed by the first transaction the request commits: the key is stored in that
/// same transaction, so either the write and its key land together or neither does. A retry of the same key then
/// finds it and gets the first answer back (`RequestKeyRepository`), never a second record.
public final class RequestKeyClaim: Sendable {
    /// The claim of the request being served, set by the server around an API write that carries a key.
    @TaskLocal public static var current: RequestKeyClaim?

    /// The caller, whose keys are their own.
    public let userID: Int
    /// The key the client sent.
    public let key: String
    /// The method, path and body digest the key was first used with.
    public let fingerprint: String
    private let stored = Mutex(false)

    /// Creates a claim.
    public init(userID: Int, key: String, fingerprint: String) {
        self.userID = userID
        self.key = key
        self.fingerprint = fingerprint
    }

    /// True once a committed transaction holds the key.
    public var isStored: Bool { stored.withLock { $0 } }

    /// Stores the key in the caller's transaction unless an earlier transaction of this request did; a key some
    /// other request stored first is `StoreError.repeatedRequest`, and the transaction rolls back.
    func store(in sql: any SQLDatabase) async throws {
        guard !isStored else { return }
        let inserted = try await sql.raw("""
            INSERT INTO request_keys (user_id, request_key, fingerprint, created_at)
            VALUES (\(bind: userID), \(bind: key), \(bind: fingerprint), \(bind: Timestamp.now()))
            ON CONFLICT (user_id, request_key) DO NOTHING RETURNING user_id
            """).first(decodingColumn: "user_id", as: Int.self)
        guard inserted != nil else { throw StoreError.repeatedRequest }
    }

    func committed() { stored.withLock { $0 = true } }
}

/// The answer kept for a request key.
public struct KeptAnswer: Sendable {
    /// The method, path and body digest of the first request.
    public let fingerprint: String
    /// Its status, nil when the write landed but its answer was not kept (the server stopped in between).
    public let status: Int?
    /// Its content type.
    public let contentType: String?
    /// Its body.
    public let body: Data?
    /// Where it redirected to, when it did.
    public let location: String?
}

/// Request keys and the answers kept for them.
public struct RequestKeyRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    private struct Row: Decodable {
        let fingerprint: String
        let status: Int?
        let contentType: String?
        let body: Data?
        let location: String?
    }

    /// What was kept for `key` of `userID`, nil when the key is new.
    public func find(userID: Int, key: String) async throws -> KeptAnswer? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT fingerprint, status, content_type AS "contentType", body, location FROM request_keys
                WHERE user_id = \(bind: userID) AND request_key = \(bind: key)
                """).first(decoding: Row.self)
        }.map { KeptAnswer(fingerprint: $0.fingerprint, status: $0.status, contentType: $0.contentType, body: $0.body, location: $0.location) }
    }

    /// Keeps the answer of a request whose key a write stored.
    public func keep(_ claim: RequestKeyClaim, status: Int, contentType: String?, body: Data, location: String?) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                UPDATE request_keys SET status = \(bind: status), content_type = \(bind: contentType), body = \(bind: body),
                       location = \(bind: location.map { String($0.prefix(2_000)) })
                WHERE user_id = \(bind: claim.userID) AND request_key = \(bind: claim.key)
                """).run()
        }
    }
}
