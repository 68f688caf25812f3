import Foundation
import ZhenxingDomain
import ZhenxingStore

/// The demo village, 凉水泉村 of 老庄镇, 镇平县, 南阳市, 河南省, as the 2022 report on its work team
/// describes it (../shared/seed). The codes are illustrative, not the official ones.
public enum LiangshuiquanDemo {
    /// The village's code.
    public static let villageCode = try! DivisionCode(validating: "411324104201")

    /// The chain from the province down to the village.
    public static let divisions: [(code: String, name: String)] = [
        ("410000000000", "河南省"),
        ("411300000000", "南阳市"),
        ("411324000000", "镇平县"),
        ("411324104000", "老庄镇"),
        ("411324104201", "凉水泉村"),
    ]

    /// The village profile: 4.87 km², 795 mu farmland, 6,500 mu mountain land, 10 groups, 14 natural villages.
    public static let profile = VillageProfile(
        areaSquareMetres: 4_870_000,
        farmlandMuHundredths: 79_500,
        mountainLandMuHundredths: 650_000,
        designations: ["河南省定深度贫困村"],
        honours: [
            VillageHonour(year: 2019, title: "第二批“国家森林乡村”"),
            VillageHonour(year: 2019, title: "河南省传统村落"),
            VillageHonour(year: 2019, title: "南阳市十大美丽乡村"),
            VillageHonour(year: 2022, title: "省市级文明村"),
        ],
        groups: ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].enumerated().map {
            VillageGroup(number: $0.offset + 1, name: "第\($0.element)村民小组")
        },
        naturalVillages: [
            "凉水泉", "上庄", "下庄", "王家沟", "李家洼", "石门", "后坪",
            "柿树湾", "松树岭", "东岗", "西岗", "大石头", "南沟", "杨树庄",
        ])

    /// One demo user per role: user name, name, unit, role, division.
    public static let users: [UserDraft] = [
        UserDraft(username: "admin", displayName: "系统管理员", unit: "镇平县乡村振兴局", role: .administrator, division: nil),
        UserDraft(username: "zhenping.officer", displayName: "赵建国", phone: "0377-65000000", unit: "镇平县乡村振兴局",
                  role: .officer, division: try! DivisionCode(validating: "411324000000")),
        UserDraft(username: "lsq.secretary", displayName: "周立新", phone: "13800000001", unit: "河南省市场监督管理局",
                  role: .villageCadre, division: villageCode),
        UserDraft(username: "lsq.grid", displayName: "王秀兰", phone: "13800000002", unit: "凉水泉村村委",
                  role: .gridLeader, division: villageCode),
        UserDraft(username: "lsq.viewer", displayName: "李明", unit: "老庄镇人民政府", role: .viewer, division: villageCode),
    ]

    /// A demo user and the password it was given.
    public struct Credential: Sendable {
        /// The account.
        public let user: UserDraft
        /// Its password, new at every load.
        public let password: String
    }

    /// Creates or refreshes the demo records in one transaction. Demo users get new passwords,
    /// made by `password` and hashed by `hash`; they are returned so the caller can print them.
    @discardableResult
    public static func load(
        into database: Database, password: @Sendable () -> String,
        hash: @escaping @Sendable (String) async throws -> String
    ) async throws -> [Credential] {
        var credentials: [Credential] = []
        var hashes: [String] = []
        for user in users {
            let secret = password()
            credentials.append(Credential(user: user, password: secret))
            hashes.append(try await hash(secret))
        }
        let finalHashes = hashes
        try await database.transaction { sql in
            for (code, name) in divisions {
                try await DivisionRepository.save(Division(code: DivisionCode(validating: code), name: name), in: sql)
            }
            try await VillageProfileRepository.replace(villageCode, with: profile, by: .system, in: sql)
            try await GovernanceRepository.clearVillage(villageCode, in: sql)  // it refers to households
            try await HelperRepository.clearVillage(villageCode, in: sql)
            try await PartyRepository.clearVillage(villageCode, in: sql)
            try await CommunityRepository.clearVillage(villageCode, in: sql)
            try await VillageExitRepository.clearVillage(villageCode, in: sql)
            try await MonitoringRepository.clearVillage(villageCode, in: sql)  // it refers to households
            try await LiangshuiquanRegistry.load(village: villageCode, groups: profile.groups, naturalVillages: profile.naturalVillages, in: sql)
            for (user, hash) in zip(users, finalHashes) {
                try await UserRepository.saveDemo(user, passwordHash: hash, in: sql)
            }
        }
        // Demo users get new passwords: their old sessions end.
        let ids = try await database.read { sql in
            try await sql.raw("SELECT id FROM users WHERE username IN (\(binds: users.map(\.username)))").all(decodingColumn: "id", as: Int.self)
        }
        try await SessionRepository.forget(users: ids, in: database)
        try await LiangshuiquanGovernance.load(village: villageCode, database: database)
        try await LiangshuiquanCommunity.load(village: villageCode, database: database)
        // 2018: with 8 of 941 people still poor (0.85 %, under 2 %), the county decides the village leaves the list.
        try await VillageExitRepository(database: database, figures: FiguresQuery(database: database)).record(
            VillageExitDecision(decidedOn: "2018-12-28", decidedBy: "镇平县人民政府"), village: villageCode, today: Timestamp.today(), by: .system)
        // January 2022: the monitoring rules run over the 2021 assessments and raise what they find.
        _ = try await MonitoringRepository(database: database).scan(villageCode, year: 2021, today: "2022-01-10", dryRun: false, by: .system)
        // 2022–2026: five households found, carried through the procedure, helped and most of them cleared.
        try await LiangshuiquanMonitoring.load(village: villageCode, database: database, today: Timestamp.today())
        return credentials
    }
}
