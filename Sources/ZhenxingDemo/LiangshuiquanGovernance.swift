import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// 凉水泉村's governance records, from which the article's ledger figures come: a party-building
/// push meeting that proposes 6 development ideas; 12 issues raised by poor households at a
/// regular meeting, 9 solved on the spot and 3 referred to a second meeting that decides and
/// closes them; the quarterly joint meetings of the partner branches; one grid with its party
/// group per village group; the 2018 target and four lists.
enum LiangshuiquanGovernance {
    static let chair = "周立新（第一书记）"
    static let partners = ["南阳中联水泥", "镇平新联会", "春雷雷锋营", "河南省市场监督管理局驻村工作队", "南阳市人民政府办公室驻村工作队"]

    static let ideas = [
        "党建引领产业：建设 10 万只蛋鸡养殖场，发展双孢菇种植",
        "流转荒山 40 余亩，发展特色种养",
        "建设扶贫车间（假发加工、清洁用具），带动群众就近就业",
        "成立高标准专业合作社，带动农户抱团增收",
        "发展乡村旅游：农家乐、精品民宿、农产品销售示范户",
        "建立“一会四题”议事机制，问题清单化、台账化，一次性销号",
    ]

    /// (category, title, answer or result) of the 12 issues; the last three need a second meeting.
    static let issues: [(category: String, title: String, result: String)] = [
        ("饮水", "自来水水压不足", "当场联系水管员调整阀门，水压恢复"),
        ("医疗", "慢性病卡未办理", "当场收集材料，由村卫生室代办，一周内送达"),
        ("教育", "孩子上学“雨露计划”补助未到账", "当场查询，补助已拨付至一卡通，告知查询方式"),
        ("就业", "想到扶贫车间务工", "当场登记，安排到假发加工车间上岗"),
        ("住房", "屋顶漏雨", "当场安排工作队员与村干部次日上门修缮"),
        ("医疗", "家庭医生签约后未上门", "当场联系乡村医生，约定每月随访"),
        ("产业", "想养鸡缺鸡苗", "当场对接蛋鸡养殖场，赊销鸡苗 200 只"),
        ("社保", "养老保险缴费档次咨询", "当场解释缴费档次与补贴政策"),
        ("用电", "院内照明线路老化", "当场联系电工更换线路"),
        ("道路", "组内生产路泥泞，雨天难走", "经第二次会议研究，列入村内道路硬化项目，已硬化 300 米"),
        ("水利", "田间灌溉渠堵塞", "经第二次会议研究，组织党员志愿队清淤 800 米，已恢复灌溉"),
        ("产业", "双孢菇大棚用工与收购价格不清", "经第二次会议研究，与合作社签订收购协议，公示用工标准"),
    ]

    /// Loads the records after the registry, replacing an earlier load (cleared before the registry).
    static func load(village: DivisionCode, database: Database) async throws {
        let governance = GovernanceRepository(database: database)
        let registry = RegistryRepository(database: database)
        // The village branch's 27 party members: heads of every eleventh household, so every group has some.
        let households = try await registry.households(in: village, filter: HouseholdFilter(), asOf: "2017-01-01", after: nil, limit: 10_000)
        let members = households.enumerated().filter { $0.offset % 11 == 0 }.prefix(27).map(\.element.id)
        try await database.transaction { sql in
            try await sql.raw("""
                UPDATE people SET party_member = \(bind: true) WHERE id IN (
                    SELECT person_id FROM memberships WHERE relation = 'head' AND to_date IS NULL AND household_id IN (\(binds: members)))
                """).run()
        }
        try await loadParty(village: village, database: database)
        // Grids: one per village group, its party group the group's party members.
        let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        for (index, numeral) in numerals.enumerated() {
            let inGroup = households.filter { $0.groupNumber == index + 1 }
            guard let head = inGroup.first?.headName else { continue }
            // The first grid is led by the demo's grid leader, 王秀兰 (lsq.grid); the others by their first head of household.
            let leader = index == 0 ? "王秀兰" : head
            let grid = try await governance.createGrid(village: village, name: "第\(numeral)网格", leader: leader, partyGroup: "第\(numeral)党小组", by: .system)
            try await governance.assign(households: inGroup.map(\.id), to: grid, by: .system)
            if index == 0 {
                // The demo grid leader's account leads the first grid: the households it may change.
                try await governance.setLeaderAccount(grid: grid, username: "lsq.grid", by: .system)
            }
            let partyMembers = try await database.read { sql in
                try await sql.raw("""
                    SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                    WHERE p.party_member = \(bind: true) AND m.household_id IN (\(binds: inGroup.map(\.id))) ORDER BY p.id
                    """).all(decodingColumn: "id", as: Int.self)
            }
            for (position, person) in partyMembers.enumerated() {
                try await governance.addPartyMember(grid: grid, person: person, role: position == 0 ? "党小组长" : "党员", by: .system)
            }
        }

        // Plans and visits: every household poor in 2016 visited twice a year until 2021, each promise followed up.
        let poor2016 = try await registry.households(in: village, filter: HouseholdFilter(status: .poor), asOf: "2016-12-31", after: nil, limit: 1_000)
        let visitors = ["驻村工作队 刘志强", "第一书记 周立新", "村委委员 李建国", "驻村工作队 王晓东"]
        let sights = ["两不愁三保障情况良好，家中有存粮", "看望患病老人，了解用药和报销情况", "查看危房改造后的住房，无安全隐患",
                      "了解子女上学和资助落实情况", "了解务工收入和家庭开支", "查看饮水和用电，运转正常"]
        let promises = ["协助办理慢性病卡", "联系扶贫车间就业岗位", "申请小额信贷用于养殖", "对接合作社收购农产品", "落实雨露计划补助", ""]
        var rows: [[any Encodable & Sendable]] = []
        let now = Timestamp.now()
        for (index, household) in poor2016.enumerated() {
            for year in 2016...2021 {
                for (half, month) in [3, 9].enumerated() {
                    let date = String(format: "%d-%02d-%02d", year, month, 5 + index % 20)
                    let promise = promises[(index + year + half) % promises.count]
                    let followUp = promise.isEmpty ? nil : String(format: "%d-%02d-%02d", year, month + 1, 5 + index % 20)
                    rows.append([household.id, date, visitors[(index + half) % visitors.count], sights[(index + year) % sights.count], promise,
                                 followUp, followUp, "system", now])
                }
            }
        }
        // A 2016 plan for every household poor that year: a production measure and one fitting its main cause.
        let causes = try await database.read { sql in
            struct Row: Decodable { let id: Int; let mainCause: String?; enum CodingKeys: String, CodingKey { case id; case mainCause = "main_cause" } }
            return try await sql.raw("SELECT id, main_cause FROM households WHERE id IN (\(binds: poor2016.map(\.id))) ORDER BY id").all(decoding: Row.self)
                .map { (id: $0.id, mainCause: $0.mainCause) }
        }
        let fitting: [PovertyCause: MeasureDraft] = [
            .illness: MeasureDraft(category: .health, content: "家庭医生签约，大病救助和慢性病报销", amountFen: 300_000, funding: "医疗救助资金",
                                   start: "2016-04-01", end: "2016-12-31", status: .done, result: "报销比例达 90%"),
            .disability: MeasureDraft(category: .socialSecurity, content: "纳入低保，发放残疾人两项补贴", amountFen: 360_000, funding: "民政资金",
                                      start: "2016-04-01", end: "2016-12-31", status: .done, result: "按月足额发放"),
            .education: MeasureDraft(category: .education, content: "雨露计划和教育资助", amountFen: 300_000, funding: "教育资助资金",
                                     start: "2016-09-01", end: "2016-12-31", status: .done, result: "资助到位，无辍学"),
            .lackOfSkills: MeasureDraft(category: .employment, content: "技能培训后到扶贫车间就业", amountFen: 0, funding: "社会帮扶",
                                        start: "2016-05-01", end: "2016-12-31", status: .done, result: "月收入 2000 元"),
            .lackOfFunds: MeasureDraft(category: .microcredit, content: "扶贫小额信贷 5 万元发展养殖", amountFen: 5_000_000, funding: "扶贫小额信贷",
                                       start: "2016-05-01", end: "2016-12-31", status: .done, result: "按期还款，养殖增收"),
        ]
        try await database.transaction { sql in
            for household in causes {
                var measures = [MeasureDraft(category: .production, content: "入股蛋鸡养殖场，享受分红", amountFen: 500_000, funding: "财政专项扶贫资金",
                                             start: "2016-03-01", end: "2016-12-31", status: .done, result: "年分红 500 元")]
                if let cause = household.mainCause.flatMap(PovertyCause.init), let measure = fitting[cause] {
                    measures.append(measure)
                } else {
                    measures.append(MeasureDraft(category: .employment, content: "推荐到假发加工车间就业", amountFen: 0, funding: "社会帮扶",
                                                 start: "2016-05-01", end: "2016-12-31", status: .done, result: "稳定就业"))
                }
                try await PlanRepository.save(household: household.id, year: 2016, measures: measures, by: .system, in: sql)
            }
        }
        // Helpers from the two stationed teams and the village; every 2016 poor household has a paired helper and a team member.
        try await database.transaction { sql in
            let team: [HelperDraft] = [
                HelperDraft(name: "周立新", unit: "河南省市场监督管理局", role: .firstSecretary, phone: "13903770001", from: "2015-08-01", username: "lsq.secretary"),
                HelperDraft(name: "刘志强", unit: "河南省市场监督管理局", role: .teamMember, phone: "13903770002", from: "2015-08-01"),
                HelperDraft(name: "王晓东", unit: "南阳市人民政府办公室", role: .teamMember, phone: "13903770003", from: "2016-01-10"),
                HelperDraft(name: "李建国", unit: "凉水泉村村委", role: .villageCadre, phone: "13903770004", from: "2014-01-01"),
            ]
            let paired: [HelperDraft] = [("张卫东", "河南省市场监督管理局"), ("赵红梅", "河南省市场监督管理局"), ("孙建华", "南阳市人民政府办公室"),
                                          ("陈丽", "南阳市人民政府办公室"), ("黄志明", "镇平县市场监督管理局"), ("吴秀兰", "老庄镇人民政府")].map {
                HelperDraft(name: $0.0, unit: $0.1, role: .pairedHelper, from: "2016-03-01")
            }
            var teamIDs: [Int] = [], pairedIDs: [Int] = []
            for draft in team { teamIDs.append(try await HelperRepository.create(draft, village: village, by: .system, in: sql)) }
            for draft in paired { pairedIDs.append(try await HelperRepository.create(draft, village: village, by: .system, in: sql)) }
            for (index, household) in poor2016.enumerated() {
                try await HelperRepository.assign(helper: pairedIDs[index % pairedIDs.count], household: household.id, from: "2016-03-01", by: .system, in: sql)
                try await HelperRepository.assign(helper: teamIDs[index % 3], household: household.id, from: "2016-03-01", by: .system, in: sql)
            }
        }
        try await database.transaction { sql in
            try await BulkInsert.rows(rows, into: "visits", columns: [
                "household_id", "visited_on", "visitor", "seen", "promised", "follow_up_on", "followed_up_on", "recorded_by", "recorded_at",
            ], in: sql)
        }

        // The push meeting and its six ideas.
        let push = try await governance.createMeeting(
            MeetingDraft(kind: .push, title: "全域党建推进会", date: "2017-03-20", place: "村党群服务中心", chair: chair,
                         study: "学习习近平总书记关于扶贫工作的重要论述", theme: "以全域党建引领脱贫攻坚",
                         topic: "征集村“两委”、驻村工作队、党员和群众代表对发展思路的意见", cases: "",
                         organisations: partners),
            village: village, attendees: [], outcomes: ideas.map { (MeetingOutcomeKind.idea, $0, nil, nil) }, by: .system)

        // The regular meeting where poor households raised 12 issues, and the second meeting.
        let poor = try await registry.households(in: village, filter: HouseholdFilter(status: .poor), asOf: "2017-04-01", after: nil, limit: 12)
        let heads = try await database.read { sql in
            try await sql.raw("""
                SELECT m.person_id FROM memberships m WHERE m.relation = 'head' AND m.to_date IS NULL AND m.household_id IN (\(binds: poor.map(\.id)))
                """).all(decodingColumn: "person_id", as: Int.self)
        }
        let first = try await governance.createMeeting(
            MeetingDraft(kind: .regular, title: "“一会四题”例会（2017年4月）", date: "2017-04-12", place: "村党群服务中心", chair: chair,
                         study: "学习《中国共产党农村基层组织工作条例》", theme: "贫困户“两不愁三保障”逐户核查",
                         topic: "听取贫困户对帮扶措施的意见", cases: "贫困户当面反映的 12 件问题，逐件答复"),
            village: village, attendees: heads, by: .system)
        let second = try await governance.createMeeting(
            MeetingDraft(kind: .regular, title: "“一会四题”例会（2017年5月）", date: "2017-05-10", place: "村党群服务中心", chair: chair,
                         study: "学习脱贫攻坚政策解读", theme: "基础设施补短板", topic: "研究上次会议提交的 3 件问题",
                         cases: "道路、灌溉、双孢菇收购 3 件问题定责任、定时限、定措施"),
            village: village, attendees: heads, outcomes: [(.decision, "组内生产路列入村内道路硬化项目", "村委会主任", "2017-05-31")], by: .system)
        for (index, item) in issues.enumerated() where index < poor.count {
            let household = poor[index]
            let id = try await governance.createIssue(
                IssueDraft(title: item.title, description: "\(household.headName ?? "")户在例会上反映：\(item.title)。", source: .meeting,
                           raisedBy: household.headName ?? "", householdID: household.id, meetingID: first, category: item.category, raisedOn: "2017-04-12"),
                village: village, today: Timestamp.today(), by: .system)
            if index < 9 {
                try await governance.transition(id, IssueTransition(to: .solved, date: "2017-04-12", response: "当场答复：\(item.result)", result: item.result,
                                                                    meetingID: first), version: nil, today: Timestamp.today(), by: .system)
                continue
            }
            try await governance.transition(id, IssueTransition(to: .referred, date: "2017-04-12", response: "需协调资金和人员，提交下次例会研究",
                                                                meetingID: first), version: nil, today: Timestamp.today(), by: .system)
            try await governance.transition(id, IssueTransition(to: .assigned, date: "2017-05-10", response: "会议研究确定责任人和完成时限",
                                                                owner: "驻村工作队 刘志强", deadline: "2017-06-10", meetingID: second), version: nil, today: Timestamp.today(), by: .system)
            try await governance.transition(id, IssueTransition(to: .closed, date: "2017-06-05", response: "已办结并上门告知", result: item.result,
                                                                evidence: "现场照片、验收单", meetingID: second), version: nil, today: Timestamp.today(), by: .system)
        }

        // The quarterly joint meetings of the partner branches.
        let themes = ["主题组织生活会", "主题党日", "党课"]
        for year in 2017...2021 {
            for quarter in 1...4 {
                let month = quarter * 3
                _ = try await governance.createMeeting(
                    MeetingDraft(kind: .joint, title: "联合党总支联席会议（\(year)年第\(quarter)季度）", date: String(format: "%d-%02d-25", year, month),
                                 place: "村党群服务中心", chair: chair, study: "学习党的创新理论", theme: themes[(year + quarter) % 3],
                                 topic: "各帮扶党支部汇报本季度帮扶进展", cases: "协调解决帮扶中的具体困难", organisations: partners),
                    village: village, attendees: [], by: .system)
            }
        }

        // 2018: the target and the four lists.
        try await governance.setTarget(village: village, year: 2018, target: "贫困村出列，贫困发生率降至 2% 以下；贫困户稳定增收", by: .system)
        let referred = try await governance.issues(in: village, filter: IssueFilter(state: .closed))
        for issue in referred {
            _ = try await governance.addListItem(village: village, year: 2018, list: .problems, title: issue.title, owner: "驻村工作队 刘志强",
                                                 status: .done, issue: issue.id, meeting: second, by: .system)
        }
        for (list, title, owner, status) in [
            (ListKind.resources, "可流转荒山 40 余亩", "村委会", ListItemStatus.done),
            (.resources, "河南省市场监督管理局帮扶资金", "驻村工作队", .done),
            (.resources, "南阳中联水泥结对帮扶", "联合党总支", .inProgress),
            (.needs, "贫困户就近就业岗位", "村委会", .done),
            (.needs, "蛋鸡养殖场建设用地", "村委会", .done),
            (.needs, "组内生产路硬化", "村委会主任", .done),
            (.projects, "10 万只蛋鸡养殖场", "第一书记", .done),
            (.projects, "双孢菇种植项目", "种植养殖党支部", .done),
            (.projects, "假发加工扶贫车间", "域内就业党支部", .inProgress),
        ] {
            _ = try await governance.addListItem(village: village, year: 2018, list: list, title: title, owner: owner, status: status,
                                                 meeting: list == .projects ? push : nil, by: .system)
        }
    }

    /// The joint party committee (联合党总支), formed when the push meeting launched 全域党建: before it the village
    /// branch's 27 members; with it the members of the two stationed teams and the partner organisations, 93 in all,
    /// in the four specialised branches, each looking after the households whose needs fit it.
    static let jointCommitteeFormed = "2017-03-01"

    static func loadParty(village: DivisionCode, database: Database) async throws {
        let villagers = try await database.read { sql in
            try await sql.raw("""
                SELECT DISTINCT p.id FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL
                JOIN households h ON h.id = m.household_id WHERE p.party_member = \(bind: true) AND h.village_code = \(bind: village.rawValue) ORDER BY p.id
                """).all(decodingColumn: "id", as: Int.self)
        }
        // Members from outside the village: (organisation, how many); 27 + 66 = 93.
        let outside: [(String, Int)] = [("河南省市场监督管理局驻村工作队党支部", 6), ("南阳市人民政府办公室驻村工作队党支部", 5),
                                          ("南阳中联水泥党支部", 21), ("镇平新联会党支部", 18), ("春雷雷锋营党支部", 16)]
        var random = LiangshuiquanRegistry.Generator(seed: 27_093)
        try await database.transaction { sql in
            var members: [Int] = []
            for (index, person) in villagers.enumerated() {
                let joined = String(format: "%d-07-01", 1978 + index)
                members.append(try await PartyRepository.addMember(PartyMemberDraft(personID: person, organisation: "凉水泉村党支部", joined: joined),
                                                                   village: village, by: .system, in: sql))
            }
            var outsiders: [Int] = []
            for (organisation, count) in outside {
                for _ in 0..<count {
                    let male = random.int(0...2) > 0
                    let name = random.pick(LiangshuiquanRegistry.surnames) + random.pick(male ? LiangshuiquanRegistry.maleNames : LiangshuiquanRegistry.femaleNames)
                    outsiders.append(try await PartyRepository.addMember(PartyMemberDraft(name: name, organisation: organisation, joined: jointCommitteeFormed),
                                                                         village: village, by: .system, in: sql))
                }
            }
            let branches: [(BranchKind, String)] = [(.farming, "种植养殖党支部"), (.migrantWork, "外出务工党支部"),
                                                     (.localJobs, "域内就业党支部"), (.socialSecurity, "兜底保障党支部")]
            var ids: [BranchKind: Int] = [:]
            for (kind, name) in branches {
                ids[kind] = try await PartyRepository.createBranch(BranchDraft(name: name, kind: kind, formed: jointCommitteeFormed, secretary: ""),
                                                                  village: village, by: .system, in: sql)
            }
            // Every member joins one branch, in turn.
            for (index, member) in (members + outsiders).enumerated() {
                try await PartyRepository.addMember(member, toBranch: ids[branches[index % branches.count].0]!, by: .system, in: sql)
            }
            // Households by what they need: social security for illness, disability and the 五保/低保 households; farming
            // for those short of funds, land or water; work outside for those short of skills or labour; the rest jobs nearby.
            struct Row: Decodable { let id: Int; let attribute: String; let mainCause: String?
                enum CodingKeys: String, CodingKey { case id, attribute; case mainCause = "main_cause" } }
            let rows = try await sql.raw("""
                SELECT id, attribute, main_cause FROM households WHERE village_code = \(bind: village.rawValue) ORDER BY id
                """).all(decoding: Row.self)
            var cared: [BranchKind: [Int]] = [:]
            for (index, row) in rows.enumerated() {
                let cause = row.mainCause.flatMap(PovertyCause.init)
                let kind: BranchKind
                switch cause {
                case .illness?, .disability?: kind = .socialSecurity
                case .lackOfFunds?, .lackOfLand?, .lackOfWater?: kind = .farming
                case .lackOfSkills?, .lackOfLabour?: kind = .migrantWork
                case nil where row.attribute != HouseholdAttribute.ordinary.rawValue: kind = .socialSecurity
                default: kind = [.farming, .localJobs, .migrantWork][index % 3]
                }
                cared[kind, default: []].append(row.id)
            }
            for (kind, households) in cared {
                try await PartyRepository.assign(households: households, to: ids[kind]!, since: jointCommitteeFormed, by: .system, in: sql)
            }
            // Each branch's secretary is its first member.
            for id in ids.values {
                let first = try await sql.raw("""
                    SELECT m.name FROM party_members m JOIN party_branch_members b ON b.member_id = m.id WHERE b.branch_id = \(bind: id) ORDER BY m.id LIMIT 1
                    """).first(decodingColumn: "name", as: String.self) ?? ""
                try await sql.raw("UPDATE party_branches SET secretary = \(bind: first) WHERE id = \(bind: id)").run()
            }
        }
    }
}
