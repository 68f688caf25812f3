/// What a user is in the product; each user has one role, bound to one division.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// 系统管理员: everything, everywhere below their division (usually the root of the tree).
    case administrator
    /// 县乡干部: reads everything below their county or township, approves status changes, manages users below.
    case officer
    /// 村书记 / 驻村工作队: reads and writes their village.
    case villageCadre = "village_cadre"
    /// 网格员: reads their village; writes only the households (members, visits, assessments) and issues of the grids
    /// whose leader account they are.
    case gridLeader = "grid_leader"
    /// 只读: reads, with identity numbers masked.
    case viewer

    /// The role's name in both languages.
    public var title: LocalizedText {
        switch self {
        case .administrator: LocalizedText(zh: "系统管理员", en: "Administrator")
        case .officer: LocalizedText(zh: "县乡干部", en: "County/township officer")
        case .villageCadre: LocalizedText(zh: "村干部 / 驻村工作队", en: "Village cadre / work team")
        case .gridLeader: LocalizedText(zh: "网格员", en: "Grid leader")
        case .viewer: LocalizedText(zh: "只读用户", en: "Viewer")
        }
    }
}

/// An action the policy grants or refuses.
public enum Permission: String, Sendable, CaseIterable {
    /// See records of a division.
    case readRecords
    /// Create and change records of households and their issues (a grid leader: only in the grids they lead).
    case writeRecords
    /// Create and change what belongs to a village as a whole: meetings, lists, grids, helpers, projects, activities,
    /// imports, the village profile.
    case writeVillage
    /// Approve status changes (exits, monitoring) decided below.
    case approveStatus
    /// See a full identity number (each view is audited).
    case viewFullIDs
    /// Create, change and disable users below.
    case manageUsers
    /// Create and revoke API tokens.
    case manageTokens
    /// Read the audit log.
    case viewAudit
    /// Change dated policy parameters (poverty line, thresholds).
    case editParameters
}

/// The one table of who may do what. Routes and API operations name a permission; nothing
/// else decides access.
public enum AccessPolicy {
    /// The permissions each role holds.
    public static let grants: [Role: Set<Permission>] = [
        .administrator: Set(Permission.allCases),
        .officer: [.readRecords, .approveStatus, .viewFullIDs, .manageUsers, .viewAudit],
        .villageCadre: [.readRecords, .writeRecords, .writeVillage, .viewFullIDs],
        .gridLeader: [.readRecords, .writeRecords],
        .viewer: [.readRecords],
    ]

    /// True when `role` holds `permission`.
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        grants[role]?.contains(permission) ?? false
    }

    /// The roles a user of `role` may give to others: never more than their own.
    public static func assignableRoles(by role: Role) -> [Role] {
        switch role {
        case .administrator: Role.allCases
        case .officer: [.officer, .villageCadre, .gridLeader, .viewer]
        case .villageCadre, .gridLeader, .viewer: []
        }
    }
}

/// Who is acting: a signed-in user or an API token, with the role and division it carries.
public struct Identity: Sendable, Hashable {
    /// The user's id (or the token's owner).
    public let userID: Int
    /// Sign-in name.
    public let username: String
    /// Name shown in the UI.
    public let displayName: String
    /// The role.
    public let role: Role
    /// Where the role applies: this division and everything below it; nil for the whole tree
    /// (administrators only).
    public let division: DivisionCode?
    /// The API token's id when the request came with a token.
    public let tokenID: Int?

    /// Creates an identity.
    public init(userID: Int, username: String, displayName: String, role: Role, division: DivisionCode?, tokenID: Int? = nil) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.division = division
        self.tokenID = tokenID
    }

    /// True when the role holds `permission` and `target` lies in this identity's division.
    public func can(_ permission: Permission, in target: DivisionCode) -> Bool {
        AccessPolicy.allows(role, permission) && covers(target)
    }

    /// True when `target` lies in this identity's division.
    public func covers(_ target: DivisionCode) -> Bool {
        division.map { $0.contains(target) } ?? true
    }

    /// True when the role holds `permission` somewhere (for menus).
    public func holds(_ permission: Permission) -> Bool {
        AccessPolicy.allows(role, permission)
    }
}

/// The rules a new password must meet.
public enum PasswordRules {
    /// The problems with `password` for `username`; empty when it is acceptable.
    public static func problems(_ password: String, username: String) -> [LocalizedText] {
        var problems: [LocalizedText] = []
        if password.count < 10 {
            problems.append(LocalizedText(zh: "密码至少 10 个字符", en: "The password needs at least 10 characters"))
        }
        // bcrypt reads only the first 72 bytes: a longer password would let its tail be anything.
        if password.utf8.count > maximumBytes {
            problems.append(LocalizedText(zh: "密码不超过 72 字节（英文字母和数字各占 1 字节，汉字占 3 字节）",
                                          en: "The password may have at most 72 bytes (a letter or digit is 1 byte, a Chinese character 3)"))
        }
        if !password.contains(where: \.isLetter) || !password.contains(where: \.isNumber) {
            problems.append(LocalizedText(zh: "密码须同时包含字母和数字", en: "The password needs both letters and digits"))
        }
        let lower = password.lowercased()
        if !username.isEmpty, lower.contains(username.lowercased()) {
            problems.append(LocalizedText(zh: "密码不能包含用户名", en: "The password may not contain the user name"))
        }
        if common.contains(where: { lower.hasPrefix($0) }) || Set(password).count < 4 {
            problems.append(LocalizedText(zh: "密码太常见，容易被猜中", en: "The password is too common"))
        }
        return problems
    }

    /// The longest password in UTF-8 bytes: all that bcrypt reads.
    public static let maximumBytes = 72

    private static let common = ["password", "12345678", "qwerty", "abc123", "admin123", "zhenxing", "11111111", "woaini", "iloveyou"]
}
