import SQLKit
import ZhenxingDomain

/// An API token as listed (its secret is shown once, at creation, and stored only hashed).
public struct APIToken: Sendable, Hashable, Decodable {
    /// Its id.
    public let id: Int
    /// What it is for.
    public let name: String
    /// The user who created it and answers for it.
    public let username: String
    /// The role it acts with.
    public let role: String
    /// Where it acts; nil for everywhere.
    public let divisionCode: String?
    /// When it was made.
    public let createdAt: String
    /// When it was revoked, if it was.
    public let revokedAt: String?
    /// When it was last used.
    public let lastUsedAt: String?
}

/// Tokens for machine clients, scoped to a role and a division, revocable.
public struct APITokenRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    /// Stores a new token's hash for `owner`, acting as `role` in `division`; audited.
    public func create(
        name: String, tokenHash: String, owner: Identity, role: Role, division: DivisionCode?, by actor: AuditActor
    ) async throws -> Int {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...60).contains(trimmed.count) else {
            throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(
                zh: "名称不能为空，且不超过 60 个字", en: "The name must be 1 to 60 characters"))])
        }
        return try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO api_tokens (name, token_hash, user_id, role, division_code, created_at)
                VALUES (\(bind: trimmed), \(bind: tokenHash), \(bind: owner.userID), \(bind: role.rawValue),
                        \(bind: division?.rawValue), \(bind: Timestamp.now()))
                """).run()
            let id = try await sql.raw("SELECT id FROM api_tokens WHERE token_hash = \(bind: tokenHash)")
                .first(decodingColumn: "id", as: Int.self) ?? 0
            try await AuditLog.record(.token, entity: .apiToken, key: String(id), division: division,
                                      after: ["name": trimmed, "role": role.rawValue, "division": division?.rawValue ?? "*"],
                                      by: actor, in: sql)
            return id
        }
    }

    /// The identity a live token acts as; nil for unknown or revoked tokens or disabled owners.
    public func identity(tokenHash: String) async throws -> Identity? {
        struct Row: Decodable { let id: Int; let userId: Int; let role: String; let divisionCode: String?; let lastUsedAt: String? }
        let found: (Row, UserAccount)? = try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT id, user_id, role, division_code, last_used_at FROM api_tokens
                WHERE token_hash = \(bind: tokenHash) AND revoked_at IS NULL
                """).first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase),
                let owner = try await UserRepository.find(row.userId, in: sql) else { return nil }
            return (row, owner)
        }
        guard let (row, owner) = found, owner.active, let role = Role(rawValue: row.role) else { return nil }
        // Stamps are UTC, so the day compared is UTC's too (a local day would rewrite the stamp on every call for 8 hours).
        if row.lastUsedAt?.prefix(10) != Timestamp.now().prefix(10) {
            // A day's stamp that may wait: an import holding the writer must not turn every API read into a 503.
            _ = try await database.transactionIfIdle { sql in
                try await sql.raw("UPDATE api_tokens SET last_used_at = \(bind: Timestamp.now()) WHERE id = \(bind: row.id)").run()
            }
        }
        return Identity(
            userID: owner.id, username: owner.username, displayName: owner.displayName, role: role,
            division: try row.divisionCode.map { try DivisionCode(validating: $0) }, tokenID: row.id)
    }

    /// Tokens whose division lies in `division` (all when nil), newest first.
    public func list(in division: DivisionCode?) async throws -> [APIToken] {
        try await database.read { sql in
            let filter: SQLQueryString = division.map { "WHERE \($0.covers("t.division_code"))" } ?? ""
            return try await sql.raw("""
                SELECT t.id, t.name, u.username, t.role, t.division_code, t.created_at, t.revoked_at, t.last_used_at
                FROM api_tokens t JOIN users u ON u.id = t.user_id \(filter) ORDER BY t.id DESC
                """).all(decoding: APIToken.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// Revokes a token; audited. Throws `notFound` for an unknown id.
    public func revoke(_ id: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            let division = try await Self.division(of: id, in: sql)
            try await sql.raw("UPDATE api_tokens SET revoked_at = \(bind: Timestamp.now()) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
            try await AuditLog.record(.token, entity: .apiToken, key: String(id), division: division,
                                      after: ["revoked": "true"], by: actor, in: sql)
        }
    }

    /// The division a token acts in (nil: everywhere), to authorise its revocation; `notFound` when unknown.
    public func division(of id: Int) async throws -> DivisionCode? {
        try await database.read { sql in try await Self.division(of: id, in: sql) }
    }

    private static func division(of id: Int, in sql: any SQLDatabase) async throws -> DivisionCode? {
        struct Row: Decodable { let divisionCode: String? }
        guard let row = try await sql.raw("SELECT division_code FROM api_tokens WHERE id = \(bind: id)")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase) else {
            throw StoreError.notFound("api token \(id)")
        }
        return try row.divisionCode.map { try DivisionCode(validating: $0) }
    }
}
