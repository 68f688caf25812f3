import Foundation
import SQLKit
import ZhenxingDomain

/// Who did something, from where, in which request — stamped on every audit entry.
public struct AuditActor: Sendable, Hashable {
    /// The user's id; nil for the system itself (CLI, demo loader).
    public let userID: Int?
    /// The user's name, or `system`.
    public let username: String
    /// The client's address, or `cli`.
    public let address: String
    /// The request id, or `cli`.
    public let requestID: String

    /// Creates an actor.
    public init(userID: Int?, username: String, address: String, requestID: String) {
        self.userID = userID
        self.username = username
        self.address = address
        self.requestID = requestID
    }

    /// The command line acting on its own.
    public static let system = AuditActor(userID: nil, username: "system", address: "cli", requestID: "cli")
}

/// What kinds of event the audit log keeps.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    /// A record was created.
    case create
    /// A record was changed.
    case update
    /// A record was removed.
    case delete
    /// A status changed.
    case statusChange = "status_change"
    /// A file was exported.
    case export
    /// A file was imported.
    case importFile = "import"
    /// A full identity number was shown.
    case viewFullID = "view_full_id"
    /// A user signed in.
    case signIn = "sign_in"
    /// A sign-in failed.
    case signInFailure = "sign_in_failure"
    /// A user signed out.
    case signOut = "sign_out"
    /// All of a user's sessions were ended.
    case signOutEverywhere = "sign_out_everywhere"
    /// An API token was created or revoked.
    case token

    /// The action's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .create: LocalizedText(zh: "新增", en: "Create")
        case .update: LocalizedText(zh: "修改", en: "Update")
        case .delete: LocalizedText(zh: "删除", en: "Delete")
        case .statusChange: LocalizedText(zh: "状态变更", en: "Status change")
        case .export: LocalizedText(zh: "导出", en: "Export")
        case .importFile: LocalizedText(zh: "导入", en: "Import")
        case .viewFullID: LocalizedText(zh: "查看完整证件号", en: "Full ID viewed")
        case .signIn: LocalizedText(zh: "登录", en: "Sign-in")
        case .signInFailure: LocalizedText(zh: "登录失败", en: "Failed sign-in")
        case .signOut: LocalizedText(zh: "退出", en: "Sign-out")
        case .signOutEverywhere: LocalizedText(zh: "全部设备退出", en: "Signed out everywhere")
        case .token: LocalizedText(zh: "接口令牌", en: "API token")
        }
    }
}

/// One audit entry as read back.
public struct AuditEntry: Sendable, Hashable, Decodable {
    /// Its id, increasing with time.
    public let id: Int
    /// When, ISO-8601 UTC.
    public let at: String
    /// Who, by name.
    public let username: String
    /// What kind of event.
    public let action: String
    /// The kind of record (`village_profile`, `user`, `session` …).
    public let entity: String
    /// Which record.
    public let entityKey: String
    /// The division the record belongs to, when it has one.
    public let divisionCode: String?
    /// The record before, as JSON.
    public let beforeJson: String?
    /// The record after, as JSON.
    public let afterJson: String?
    /// From where.
    public let address: String
    /// In which request.
    public let requestId: String
}

/// Filters for reading the audit log.
public struct AuditFilter: Sendable, Hashable {
    /// Only this user's entries.
    public var username: String?
    /// Only this action.
    public var action: AuditAction?
    /// Only entries at or after this day (YYYY-MM-DD, UTC).
    public var fromDay: String?
    /// Only entries on or before this day.
    public var toDay: String?
    /// Only entries of records in this division or below (nil: all).
    public var division: DivisionCode?

    /// Creates a filter.
    public init(username: String? = nil, action: AuditAction? = nil, fromDay: String? = nil, toDay: String? = nil, division: DivisionCode? = nil) {
        self.username = username
        self.action = action
        self.fromDay = fromDay
        self.toDay = toDay
        self.division = division
    }
}

/// The append-only audit log. Entries are written in the same transaction as the change they record.
public struct AuditLog: Sendable {
    private let database: Database

    /// Creates a reader over a database.
    public init(database: Database) {
        self.database = database
    }

    /// Writes one entry inside the caller's transaction. `before` and `after` are encoded as JSON.
    public static func record(
        _ action: AuditAction, entity: AuditEntity, key: String, division: DivisionCode? = nil,
        before: (any Encodable & Sendable)? = nil, after: (any Encodable & Sendable)? = nil,
        by actor: AuditActor, in sql: any SQLDatabase
    ) async throws {
        try await sql.raw("""
            INSERT INTO audit_log (at, user_id, username, action, entity, entity_key, division_code,
                                   before_json, after_json, address, request_id)
            VALUES (\(bind: Timestamp.now()), \(bind: actor.userID), \(bind: actor.username), \(bind: action.rawValue),
                    \(bind: entity.rawValue), \(bind: key), \(bind: division?.rawValue), \(bind: try json(before)),
                    \(bind: try json(after)), \(bind: actor.address), \(bind: actor.requestID))
            """).run()
    }

    /// Writes one entry in a transaction of its own (sign-ins, exports, views).
    public func record(
        _ action: AuditAction, entity: AuditEntity, key: String, division: DivisionCode? = nil, by actor: AuditActor
    ) async throws {
        try await database.transaction { sql in
            try await Self.record(action, entity: entity, key: key, division: division, by: actor, in: sql)
        }
    }

    /// Moves sign-in entries written to the sessions file (SQLite: `Database.sessions`) into the append-only log, when
    /// the records' writer is free; while an import holds it they wait, and the next sign-in or `serve`'s minute
    /// moves them. An entry already in the log (a move cut short after its commit) is not written twice.
    public static func moveSignIns(in database: Database) async throws {
        guard database.sessions !== database else { return }
        let waiting = try await database.sessions.read { sql in
            try await sql.raw("""
                SELECT id, at, user_id, username, action, entity, entity_key, division_code, before_json, after_json, address, request_id
                FROM audit_log ORDER BY id LIMIT 500
                """).all(decoding: Waiting.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
        guard let last = waiting.last?.id else { return }
        let moved: Void? = try await database.transactionIfIdle { sql in
            for entry in waiting {
                try await sql.raw("""
                    INSERT INTO audit_log (at, user_id, username, action, entity, entity_key, division_code, before_json, after_json, address, request_id)
                    SELECT \(bind: entry.at), \(bind: entry.userId), \(bind: entry.username), \(bind: entry.action), \(bind: entry.entity),
                           \(bind: entry.entityKey), \(bind: entry.divisionCode), \(bind: entry.beforeJson), \(bind: entry.afterJson),
                           \(bind: entry.address), \(bind: entry.requestId)
                    WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE request_id = \(bind: entry.requestId) AND action = \(bind: entry.action)
                                      AND at = \(bind: entry.at))
                    """).run()
            }
        }
        guard moved != nil else { return }
        try await database.sessions.transaction { sql in try await sql.raw("DELETE FROM audit_log WHERE id <= \(bind: last)").run() }
    }

    private struct Waiting: Decodable {
        let id: Int, at: String, userId: Int?, username: String, action: String, entity: String, entityKey: String
        let divisionCode: String?, beforeJson: String?, afterJson: String?, address: String, requestId: String
    }

    /// Up to `limit` entries matching `filter`, newest first, older than entry `before` when given.
    public func entries(_ filter: AuditFilter, before: Int? = nil, limit: Int = 50) async throws -> [AuditEntry] {
        var conditions: [SQLQueryString] = []
        if let username = filter.username { conditions.append("username = \(bind: username)") }
        if let action = filter.action { conditions.append("action = \(bind: action.rawValue)") }
        if let from = filter.fromDay { conditions.append("at >= \(bind: from)") }
        if let to = filter.toDay { conditions.append("at < \(bind: to + "T99")") }
        if let division = filter.division { conditions.append("\(division.covers("division_code"))") }
        if let before { conditions.append("id < \(bind: before)") }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : "WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))"
        return try await database.read { sql in
            try await sql.raw("""
                SELECT id, at, username, action, entity, entity_key, division_code, before_json, after_json, address, request_id
                FROM audit_log \(whereClause) ORDER BY id DESC LIMIT \(literal: limit)
                """).all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    private static func json(_ value: (any Encodable & Sendable)?) throws -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// What an audit entry is about, as `audit_log.entity` stores it (entries are read back as text: older ones may name
/// kinds this code no longer writes).
public enum AuditEntity: String, Sendable, CaseIterable {
    case activities
    case activity
    case apiToken = "api_token"
    case assessment
    case assessments
    case collectiveIncome = "collective_income"
    case enterprise
    case grid
    case gridHousehold = "grid_household"
    case helper
    case helperAssignment = "helper_assignment"
    case honourRound = "honour_round"
    case honourType = "honour_type"
    case honours
    case household
    case households
    case issue
    case ledger
    case listItem = "list_item"
    case listTarget = "list_target"
    case measures
    case meeting
    case meetingOutcome = "meeting_outcome"
    case meetings
    case membership
    case monitoring
    case monitoringDepartmentImport = "monitoring_department_import"
    case monitoringReport = "monitoring_report"
    case monitoringRuleParameters = "monitoring_rule_parameters"
    case monitoringScan = "monitoring_scan"
    case monitoringStep = "monitoring_step"
    case nomination
    case partyBranch = "party_branch"
    case partyMember = "party_member"
    case people
    case peopleFullIds = "people_full_ids"
    case person
    case plan
    case policyParameters = "policy_parameters"
    case populationCount = "population_count"
    case project
    case projects
    case roster
    case rosterFullIds = "roster_full_ids"
    case session
    case syntheticCounty = "synthetic_county"
    case user
    case userPassword = "user_password"
    case villageExit = "village_exit"
    case villageProfile = "village_profile"
    case visit
    case visitPhoto = "visit_photo"
    case visits
}
