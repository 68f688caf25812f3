import SQLKit
import ZhenxingDomain

/// A user account as shown and edited (never with its password hash).
public struct UserAccount: Sendable, Hashable, Codable {
    /// Its id.
    public let id: Int
    /// Sign-in name, unique.
    public var username: String
    /// Name shown in the UI.
    public var displayName: String
    /// Phone number (sensitive: shown only to user managers).
    public var phone: String
    /// The unit the user works for (河南省市场监督管理局).
    public var unit: String
    /// The role.
    public var role: Role
    /// Where the role applies; nil for a nationwide administrator.
    public var division: DivisionCode?
    /// Disabled users cannot sign in.
    public var active: Bool
    /// Bumped by every change.
    public let version: Int

    /// The identity this account acts as.
    public var identity: Identity {
        Identity(userID: id, username: username, displayName: displayName, role: role, division: division)
    }
}

/// What is needed to create or change a user.
public struct UserDraft: Sendable, Hashable {
    /// Sign-in name: 3–32 letters, digits, `.`, `_` or `-`.
    public var username: String
    /// Name shown in the UI.
    public var displayName: String
    /// Phone number.
    public var phone: String
    /// Unit.
    public var unit: String
    /// Role.
    public var role: Role
    /// Division; nil only for an administrator.
    public var division: DivisionCode?
    /// Whether the account may sign in.
    public var active: Bool

    /// Creates a draft.
    public init(username: String, displayName: String, phone: String = "", unit: String = "", role: Role, division: DivisionCode?, active: Bool = true) {
        self.username = username
        self.displayName = displayName
        self.phone = phone
        self.unit = unit
        self.role = role
        self.division = division
        self.active = active
    }

    /// Every problem with the draft's fields.
    public func problems() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if !(3...32).contains(username.count) || !username.allSatisfy(allowed.contains) {
            issues.append(FieldIssue(field: "username", message: LocalizedText(
                zh: "用户名为 3–32 个字母、数字或 . _ -", en: "The user name is 3–32 letters, digits, '.', '_' or '-'")))
        }
        if displayName.trimmingCharacters(in: .whitespaces).isEmpty || displayName.count > 40 {
            issues.append(FieldIssue(field: "displayName", message: LocalizedText(
                zh: "姓名不能为空，且不超过 40 个字", en: "The name must be 1 to 40 characters")))
        }
        if !phone.isEmpty && (phone.count > 20 || !phone.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == " " })) {
            issues.append(FieldIssue(field: "phone", message: LocalizedText(zh: "电话号码格式不对", en: "The phone number is not valid")))
        }
        if unit.count > 60 {
            issues.append(FieldIssue(field: "unit", message: LocalizedText(zh: "单位名称不超过 60 个字", en: "The unit may have at most 60 characters")))
        }
        if division == nil && role != .administrator {
            issues.append(FieldIssue(field: "division", message: LocalizedText(
                zh: "除系统管理员外，用户必须属于一个区划", en: "Every user but an administrator belongs to a division")))
        }
        return issues
    }
}

/// Reads and writes users; every change is audited in its transaction.
public struct UserRepository: Sendable {
    private let database: Database

    /// Creates a repository over a database.
    public init(database: Database) {
        self.database = database
    }

    private struct Row: Decodable {
        let id: Int
        let username: String
        let displayName: String
        let phone: String
        let unit: String
        let role: String
        let divisionCode: String?
        let active: Bool
        let version: Int
        let passwordHash: String

        func account() throws -> UserAccount {
            UserAccount(
                id: id, username: username, displayName: displayName, phone: phone, unit: unit,
                role: Role(rawValue: role) ?? .viewer, division: try divisionCode.map { try DivisionCode(validating: $0) },
                active: active, version: version)
        }
    }

    private static let columns: SQLQueryString =
        #"id, username, display_name AS "displayName", phone, unit, role, division_code AS "divisionCode", active, version, password_hash AS "passwordHash""#

    /// How many users exist.
    public func count() async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT count(*) AS n FROM users").first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }

    /// The account and its password hash, for signing in.
    public func credentials(username: String) async throws -> (UserAccount, String)? {
        try await database.read { sql in
            guard let row = try await sql.raw("SELECT \(Self.columns) FROM users WHERE username = \(bind: username)")
                .first(decoding: Row.self) else { return nil }
            return (try row.account(), row.passwordHash)
        }
    }

    /// One user by id.
    public func find(_ id: Int) async throws -> UserAccount? {
        try await database.read { sql in try await Self.find(id, in: sql) }
    }

    /// The users in `division` and below (all users when nil), by user name.
    public func list(in division: DivisionCode?) async throws -> [UserAccount] {
        try await database.read { sql in
            let filter: SQLQueryString = division.map { "WHERE \($0.covers("division_code"))" } ?? ""
            return try await sql.raw("SELECT \(Self.columns) FROM users \(filter) ORDER BY username")
                .all(decoding: Row.self).map { try $0.account() }
        }
    }

    /// Creates a user with a password hash already computed; returns the new account.
    public func create(_ draft: UserDraft, passwordHash: String, by actor: AuditActor) async throws -> UserAccount {
        try await database.transaction { sql in try await Self.create(draft, passwordHash: passwordHash, by: actor, in: sql) }
    }

    /// Creates a user inside the caller's transaction.
    public static func create(_ draft: UserDraft, passwordHash: String, by actor: AuditActor, in sql: any SQLDatabase) async throws -> UserAccount {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await checkUnique(draft.username, except: nil, in: sql)
        try await checkDivision(draft.division, in: sql)
        let now = Timestamp.now()
        try await sql.raw("""
            INSERT INTO users (username, display_name, phone, unit, role, division_code, password_hash, active, version, created_at, updated_at)
            VALUES (\(bind: draft.username), \(bind: draft.displayName.trimmingCharacters(in: .whitespaces)), \(bind: draft.phone),
                    \(bind: draft.unit), \(bind: draft.role.rawValue), \(bind: draft.division?.rawValue), \(bind: passwordHash),
                    \(bind: draft.active), 1, \(bind: now), \(bind: now))
            """).run()
        guard let row = try await sql.raw("SELECT \(columns) FROM users WHERE username = \(bind: draft.username)")
            .first(decoding: Row.self) else {
            throw StoreError.notFound("user \(draft.username)")
        }
        let account = try row.account()
        try await AuditLog.record(.create, entity: .user, key: String(account.id), division: account.division,
                                  after: account, by: actor, in: sql)
        return account
    }

    /// Creates a demo user, or resets an existing one to the draft with a new password hash.
    public static func saveDemo(_ draft: UserDraft, passwordHash: String, in sql: any SQLDatabase) async throws {
        guard let id = try await sql.raw("SELECT id FROM users WHERE username = \(bind: draft.username)")
            .first(decodingColumn: "id", as: Int.self) else {
            _ = try await create(draft, passwordHash: passwordHash, by: .system, in: sql)
            return
        }
        try await sql.raw("""
            UPDATE users SET display_name = \(bind: draft.displayName), phone = \(bind: draft.phone), unit = \(bind: draft.unit),
                role = \(bind: draft.role.rawValue), division_code = \(bind: draft.division?.rawValue), active = \(bind: true),
                password_hash = \(bind: passwordHash), version = version + 1, updated_at = \(bind: Timestamp.now())
            WHERE id = \(bind: id)
            """).run()
        try await AuditLog.record(.update, entity: .userPassword, key: String(id), division: draft.division, by: .system, in: sql)
    }

    /// Changes a user when `expectedVersion` is current; ends their sessions when disabled.
    public func update(_ id: Int, to draft: UserDraft, expectedVersion: Int, by actor: AuditActor) async throws -> UserAccount {
        let problems = draft.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let account = try await database.transaction { sql in
            guard let before = try await Self.find(id, in: sql) else { throw StoreError.notFound("user \(id)") }
            guard before.version == expectedVersion else {
                throw StoreError.staleVersion(expected: expectedVersion, current: before.version)
            }
            try await Self.checkUnique(draft.username, except: id, in: sql)
            try await Self.checkDivision(draft.division, in: sql)
            try await sql.raw("""
                UPDATE users SET username = \(bind: draft.username), display_name = \(bind: draft.displayName),
                    phone = \(bind: draft.phone), unit = \(bind: draft.unit), role = \(bind: draft.role.rawValue),
                    division_code = \(bind: draft.division?.rawValue), active = \(bind: draft.active),
                    version = version + 1, updated_at = \(bind: Timestamp.now())
                WHERE id = \(bind: id)
                """).run()
            let after = try await Self.find(id, in: sql)!
            try await AuditLog.record(.update, entity: .user, key: String(id), division: after.division,
                                      before: before, after: after, by: actor, in: sql)
            return after
        }
        if !account.active { try await SessionRepository.forget(users: [id], in: database) }
        return account
    }

    /// Sets a new password hash and ends every session of the user.
    public func setPassword(_ id: Int, hash: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let account = try await Self.find(id, in: sql) else { throw StoreError.notFound("user \(id)") }
            try await sql.raw("""
                UPDATE users SET password_hash = \(bind: hash), version = version + 1, updated_at = \(bind: Timestamp.now())
                WHERE id = \(bind: id)
                """).run()
            try await AuditLog.record(.update, entity: .userPassword, key: String(id), division: account.division,
                                      by: actor, in: sql)
        }
        try await SessionRepository.forget(users: [id], in: database)
    }

    static func find(_ id: Int, in sql: any SQLDatabase) async throws -> UserAccount? {
        try await sql.raw("SELECT \(columns) FROM users WHERE id = \(bind: id)")
            .first(decoding: Row.self)?.account()
    }

    private static func checkUnique(_ username: String, except id: Int?, in sql: any SQLDatabase) async throws {
        let other = try await sql.raw("SELECT id FROM users WHERE username = \(bind: username)")
            .first(decodingColumn: "id", as: Int.self)
        if let other, other != id {
            throw ValidationFailure([FieldIssue(field: "username", message: LocalizedText(
                zh: "用户名 \(username) 已被使用", en: "The user name \(username) is taken"))])
        }
    }

    private static func checkDivision(_ division: DivisionCode?, in sql: any SQLDatabase) async throws {
        if let division, try await DivisionRepository.find(division, in: sql) == nil {
            throw ValidationFailure([FieldIssue(field: "division", message: LocalizedText(
                zh: "区划 \(division) 不存在", en: "Division \(division) does not exist"))])
        }
    }
}
