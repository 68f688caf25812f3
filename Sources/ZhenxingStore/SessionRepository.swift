import Foundation
import SQLKit
import ZhenxingDomain

/// A live session: who it belongs to and the CSRF token its forms must carry.
public struct SessionRecord: Sendable, Hashable {
    /// The user, as the session acts.
    public let account: UserAccount
    /// The token every state-changing request of this session must echo.
    public let csrfToken: String
    /// When the session ends unless used again.
    public let expiresAt: Date
}

/// Server-side sessions, stored by the hash of their cookie token so a database leak signs no one in.
public struct SessionRepository: Sendable {
    private let database: Database
    /// How long an unused session lives.
    public let idleLifetime: TimeInterval
    /// How long any session lives at most.
    public let absoluteLifetime: TimeInterval

    /// Creates a repository; sessions end after `idleLifetime` unused, or `absoluteLifetime` in all.
    public init(database: Database, idleLifetime: TimeInterval = 8 * 3600, absoluteLifetime: TimeInterval = 7 * 24 * 3600) {
        self.database = database
        self.idleLifetime = idleLifetime
        self.absoluteLifetime = absoluteLifetime
    }

    private struct Row: Decodable {
        let userId: Int
        let csrfToken: String
        let createdAt: String
        let lastSeenAt: String
        let expiresAt: String
    }

    /// Starts a session and audits the sign-in, in one transaction.
    public func start(userID: Int, tokenHash: String, csrfToken: String, now: Date, by actor: AuditActor) async throws {
        try await database.sessions.transaction { sql in
            try await sql.raw("""
                INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, address)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: csrfToken), \(bind: Timestamp.string(now)),
                        \(bind: Timestamp.string(now)), \(bind: Timestamp.string(now + idleLifetime)), \(bind: actor.address))
                """).run()
            try await AuditLog.record(.signIn, entity: .session, key: String(userID), by: actor, in: sql)
        }
        try await AuditLog.moveSignIns(in: database)
    }

    /// The live session with this token hash, extending its idle expiry (at most once a minute,
    /// to keep writes off the hot path); nil when unknown, expired, or its user is disabled.
    public func resume(tokenHash: String, now: Date) async throws -> SessionRecord? {
        let found = try await database.sessions.read { sql in
            try await sql.raw("""
                SELECT user_id AS "userId", csrf_token AS "csrfToken", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
                       expires_at AS "expiresAt"
                FROM sessions WHERE token_hash = \(bind: tokenHash)
                """).first(decoding: Row.self)
        }
        guard let row = found, let account = try await database.read({ try await UserRepository.find(row.userId, in: $0) }), account.active,
              let expires = Timestamp.date(row.expiresAt), let created = Timestamp.date(row.createdAt),
              now < expires, now < created + absoluteLifetime else { return nil }
        var expiresAt = expires
        if let lastSeen = Timestamp.date(row.lastSeenAt), now.timeIntervalSince(lastSeen) > 60 {
            expiresAt = min(now + idleLifetime, created + absoluteLifetime)
            try await database.sessions.transaction { sql in
                try await sql.raw("""
                    UPDATE sessions SET last_seen_at = \(bind: Timestamp.string(now)), expires_at = \(bind: Timestamp.string(expiresAt))
                    WHERE token_hash = \(bind: tokenHash)
                    """).run()
            }
        }
        return SessionRecord(account: account, csrfToken: row.csrfToken, expiresAt: expiresAt)
    }

    /// Ends one session.
    public func end(tokenHash: String, userID: Int, by actor: AuditActor) async throws {
        try await database.sessions.transaction { sql in
            try await sql.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run()
            try await AuditLog.record(.signOut, entity: .session, key: String(userID), by: actor, in: sql)
        }
        try await AuditLog.moveSignIns(in: database)
    }

    /// Ends every session of a user.
    public func endAll(userID: Int, by actor: AuditActor) async throws {
        try await database.sessions.transaction { sql in
            try await sql.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await AuditLog.record(.signOutEverywhere, entity: .session, key: String(userID), by: actor, in: sql)
        }
        try await AuditLog.moveSignIns(in: database)
    }

    /// Ends every session of `users` without an audit entry of its own (the change that calls for it has one): a new
    /// password or a disabled account. Sessions live in `Database.sessions`, apart from the users' records, so this runs
    /// once that change has committed.
    public static func forget(users: [Int], in database: Database) async throws {
        guard !users.isEmpty else { return }
        try await database.sessions.transaction { sql in
            try await sql.raw("DELETE FROM sessions WHERE user_id IN (\(binds: users))").run()
        }
    }

    /// Removes sessions that have expired; returns how many.
    @discardableResult
    public func purge(now: Date) async throws -> Int {
        try await database.sessions.transaction { sql in
            let count = try await sql.raw("SELECT count(*) AS n FROM sessions WHERE expires_at < \(bind: Timestamp.string(now))")
                .first(decodingColumn: "n", as: Int.self) ?? 0
            try await sql.raw("DELETE FROM sessions WHERE expires_at < \(bind: Timestamp.string(now))").run()
            return count
        }
    }
}

/// Back-off after failed sign-ins, per account name and per client address.
public struct SignInThrottle: Sendable {
    private let database: Database

    /// Creates a throttle. A key whose failures reach its allowance is locked for 1 minute,
    /// doubling with each further failure up to an hour; failures are counted afresh once a key has had none for
    /// `forgetAfter` (an office's shared address is not locked for good by typos spread over days).
    public init(database: Database) {
        self.database = database
    }

    private struct Row: Decodable { let failures: Int; let lockedUntil: String?; let updatedAt: String? }
    private static let throttleColumns: SQLQueryString = #"failures, locked_until AS "lockedUntil", updated_at AS "updatedAt""#

    /// How long a key must go without failures before its count starts again from zero.
    public static let forgetAfter: TimeInterval = 15 * 60

    /// The latest time any of `keys` stays locked, if one is locked now.
    public func lockedUntil(_ keys: [String], now: Date) async throws -> Date? {
        try await database.sessions.read { sql in
            try await sql.raw("SELECT \(Self.throttleColumns) FROM sign_in_throttle WHERE key IN (\(binds: keys))").all(decoding: Row.self)
        }.compactMap { $0.lockedUntil.flatMap(Timestamp.date) }.filter { $0 > now }.max()
    }

    /// Counts a failure against each key (with its own allowance) and audits it, in one transaction.
    public func recordFailure(_ keys: [(key: String, allowance: Int)], username: String, now: Date, by actor: AuditActor) async throws {
        try await database.sessions.transaction { sql in
            for (key, allowance) in keys {
                let row = try await sql.raw("SELECT \(Self.throttleColumns) FROM sign_in_throttle WHERE key = \(bind: key)").first(decoding: Row.self)
                let recent = row?.updatedAt.flatMap(Timestamp.date).map { now.timeIntervalSince($0) < Self.forgetAfter } ?? false
                let failures = (recent ? row?.failures ?? 0 : 0) + 1
                let over = failures - allowance
                let locked: String? = over >= 0 ? Timestamp.string(now + min(3600, 60 * pow(2, Double(over)))) : nil
                try await sql.raw("""
                    INSERT INTO sign_in_throttle (key, failures, locked_until, updated_at)
                    VALUES (\(bind: key), \(bind: failures), \(bind: locked), \(bind: Timestamp.string(now)))
                    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                        updated_at = excluded.updated_at
                    """).run()
            }
            try await AuditLog.record(.signInFailure, entity: .session, key: username, by: actor, in: sql)
        }
        try await AuditLog.moveSignIns(in: database)
    }

    /// Clears the count of a key after a successful sign-in.
    public func reset(_ key: String) async throws {
        try await database.sessions.transaction { sql in
            try await sql.raw("DELETE FROM sign_in_throttle WHERE key = \(bind: key)").run()
        }
    }
}
