import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// 凉水泉村's community and economy in 2020, from which the article's figures come: 20 讲习所 sessions with their
/// sign-in lists (600+ person-times), free health checks counted at the door (200+), 5 farming-skills trainings,
/// 5 disputes mediated, a drowning-prevention drill and basketball classes; the four honours of 2020; the egg farm,
/// the mushroom project, the workshop with its two sales agreements, river regulation, wind power and the power
/// line, on 41 亩 of transferred land; 5 demonstration households of each kind and 2 cooperatives; 500,000 yuan of
/// collective income in 2020.
enum LiangshuiquanCommunity {
    static let topics: [(SpeakerType, String, String)] = [
        (.cadre, "脱贫攻坚政策解读", "第一书记 周立新"), (.expert, "蛋鸡科学养殖技术", "县畜牧局 技术员"), (.worthy, "孝老爱亲 好家风", "乡贤 李德胜"),
        (.exitedHousehold, "我的脱贫路", "脱贫户 王长山"), (.cadre, "产业奖补与小额信贷政策", "驻村工作队 刘志强"),
        (.expert, "双孢菇栽培管理", "县农科所 专家"), (.worthy, "邻里和睦 移风易俗", "乡贤 陈保国"), (.exitedHousehold, "靠双手过上好日子", "脱贫户 赵春生"),
        (.cadre, "医疗保障与慢病报销", "驻村工作队 王晓东"), (.expert, "果树修剪与病虫害防治", "县林业局 技术员"),
    ]

    /// A villager as the loader picks them.
    struct Villager: Decodable {
        let id: Int
        let labour: String
        let employment: String
        let monthsWorked: Int
        let householdId: Int
        let left: String?
        enum CodingKeys: String, CodingKey { case id, labour, employment; case monthsWorked = "months_worked", householdId = "household_id", left = "to_date" }
    }

    static func load(village: DivisionCode, database: Database) async throws {
        // Everyone registered by 2019, and those of them living here still.
        let registered = try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.labour, p.employment, p.months_worked, m.household_id, m.to_date FROM people p JOIN memberships m ON m.person_id = p.id
                JOIN households h ON h.id = m.household_id WHERE h.village_code = \(bind: village.rawValue) AND m.from_date <= '2019-01-01' ORDER BY p.id
                """).all(decoding: Villager.self)
        }
        let people = registered.filter { $0.left == nil }
        let adults = people.filter { $0.labour != "无劳动力" }.map(\.id)
        let households = Array(Set(people.map(\.householdId))).sorted()
        let poor2016 = try await RegistryRepository(database: database).households(
            in: village, filter: HouseholdFilter(status: .poor), asOf: "2016-12-31", after: nil, limit: 1_000).map(\.id)
        let community = CommunityRepository(database: database)
        func attendees(_ count: Int, from offset: Int) -> [Int] {
            (0..<count).map { adults[(offset + $0 * 7) % adults.count] }
        }
        try await database.transaction { sql in
            // 讲习所: 20 sessions in 2020, twice a month, 31 to 33 on each sign-in list.
            let classrooms = Classroom.allCases
            for index in 0..<20 {
                let (type, topic, speaker) = topics[index % topics.count]
                let date = String(format: "2020-%02d-%02d", 1 + index / 2, index % 2 == 0 ? 6 : 20)
                _ = try await CommunityRepository.addActivity(
                    ActivityDraft(kind: .lecture, title: "讲习所第 \(index + 1) 期：\(topic)", date: date, place: classrooms[index % 3] == .mobile ? "各村民组" : "村党群服务中心",
                                  organiser: "联合党总支", speaker: speaker, speakerType: type, classroom: classrooms[index % 3]),
                    attendees: attendees(31 + index % 3, from: index * 13), village: village, by: .system, in: sql)
            }
            // Free health checks, counted at the door (no list of names).
            for (date, partner, counted) in [("2020-04-18", "镇平新联会", 72), ("2020-06-20", "春雷雷锋营", 66), ("2020-10-17", "镇平新联会", 68)] {
                _ = try await CommunityRepository.addActivity(
                    ActivityDraft(kind: .healthCheck, title: "义诊体检进村", date: date, place: "村卫生室", organiser: "兜底保障党支部", partner: partner,
                                  counted: counted), attendees: [], village: village, by: .system, in: sql)
            }
            // Farming-skills trainings.
            for (index, subject) in ["蛋鸡养殖", "双孢菇种植", "果树管理", "家禽防疫", "电商销售"].enumerated() {
                _ = try await CommunityRepository.addActivity(
                    ActivityDraft(kind: .training, title: "种养殖专业技术培训：\(subject)", date: String(format: "2020-%02d-25", 3 + index * 2), place: "村党群服务中心",
                                  organiser: "种植养殖党支部", speaker: "县农业农村局 技术员"),
                    attendees: attendees(22, from: 500 + index * 29), village: village, by: .system, in: sql)
            }
            // Disputes mediated.
            for (index, (parties, outcome)) in [
                ("同心超市股东之间", "明确同心超市归属，签订协议，纠纷化解"), ("三组两户之间", "宅基地边界重新丈量，双方认可"),
                ("七组兄弟之间", "赡养老人费用分摊达成一致"), ("蛋鸡养殖场与邻户", "调整排污管线，给予补偿"), ("五组村民之间", "土地流转租金按合同足额支付"),
            ].enumerated() {
                _ = try await CommunityRepository.addActivity(
                    ActivityDraft(kind: .mediation, title: "矛盾纠纷调解", date: String(format: "2020-%02d-08", 2 + index * 2), place: "村调解室",
                                  organiser: "联合党总支", parties: parties, outcome: outcome),
                    attendees: [], village: village, by: .system, in: sql)
            }
            _ = try await CommunityRepository.addActivity(
                ActivityDraft(kind: .drill, title: "学校防溺水演练", date: "2020-06-05", place: "凉水泉小学", organiser: "联合党总支", partner: "春雷雷锋营", counted: 126),
                attendees: [], village: village, by: .system, in: sql)
            _ = try await CommunityRepository.addActivity(
                ActivityDraft(kind: .lesson, title: "小学生篮球课", date: "2020-10-16", place: "凉水泉小学", organiser: "联合党总支", partner: "春雷雷锋营", counted: 42),
                attendees: [], village: village, by: .system, in: sql)

            // Projects, their land, jobs, beneficiaries, returns and agreements.
            func project(_ draft: ProjectDraft, _ entries: [CommunityRepository.ProjectEntry]) async throws {
                let id = try await CommunityRepository.createProject(draft, village: village, by: .system, in: sql)
                for entry in entries { try await CommunityRepository.record(entry, project: id, by: .system, in: sql) }
            }
            // Work over time: the workshop's workers and the farms' hands farmed their own land until the projects hired
            // them (the first 40 of the workshop in October 2018, the others in March 2019), so 2016 is not 全就业; those
            // who died before the workshop opened only ever farmed.
            let workers = people.filter { $0.employment == "扶贫车间" }
            let farmers = people.filter { $0.employment == "县内务工" }
            var history: [(person: Int, work: WorkRecord)] = registered.filter { $0.left != nil && $0.employment == "扶贫车间" }.map {
                ($0.id, WorkRecord(since: "2014-01-01", labour: $0.labour, employment: "务农", monthsWorked: 0))
            }
            for (person, hired) in workers.enumerated().map({ ($1, $0 < 40 ? "2018-10-01" : "2019-03-01") })
                + farmers.prefix(12).map({ ($0, "2018-03-15") }) + farmers.dropFirst(12).prefix(15).map({ ($0, "2018-04-01") }) {
                history.append((person.id, WorkRecord(since: "2014-01-01", labour: person.labour, employment: "务农", monthsWorked: 0)))
                history.append((person.id, WorkRecord(since: hired, labour: person.labour, employment: person.employment, monthsWorked: person.monthsWorked)))
            }
            try await WorkRecords.record(history, in: sql)
            try await project(ProjectDraft(name: "10 万只蛋鸡养殖场", kind: .industry, partner: "南阳中联水泥", status: .running, started: "2017-05-01",
                                           description: "流转荒山建设标准化蛋鸡养殖场，贫困户入股分红"), [
                .investment(source: "财政专项扶贫资金", amountFen: 300_000_000), .investment(source: "企业投资", amountFen: 500_000_000),
                .land(LandContractDraft(lessor: "凉水泉村集体（荒山）", areaMuHundredths: 1_800, start: "2017-04-01", end: "2037-03-31", rentFenPerYear: 900_000)),
                .land(LandContractDraft(lessor: "七组农户", householdID: households[40], areaMuHundredths: 700, start: "2017-04-01", end: "2037-03-31", rentFenPerYear: 420_000)),
                .beneficiaries(poor2016), .milestone(date: "2017-05-01", text: "开工建设"), .milestone(date: "2018-03-15", text: "首批 5 万只蛋鸡入栏"),
                .milestone(date: "2019-06-30", text: "存栏达到 10 万只"),
                .returns(year: 2019, incomeFen: 120_000_000, dividendsFen: 3_800_000), .returns(year: 2020, incomeFen: 150_000_000, dividendsFen: 3_800_000),
            ] + farmers.prefix(12).map { .job(person: $0.id, position: "饲养员", from: "2018-03-15") })
            try await project(ProjectDraft(name: "双孢菇种植项目", kind: .industry, partner: "双孢菇种植专业合作社", status: .running, started: "2018-03-01",
                                           description: "建设双孢菇大棚，合作社统一收购"), [
                .investment(source: "财政专项扶贫资金", amountFen: 120_000_000),
                .land(LandContractDraft(lessor: "三组农户", householdID: households[12], areaMuHundredths: 900, start: "2018-02-01", end: "2033-01-31", rentFenPerYear: 540_000)),
                .land(LandContractDraft(lessor: "凉水泉村集体", areaMuHundredths: 700, start: "2018-02-01", end: "2033-01-31", rentFenPerYear: 350_000)),
                .returns(year: 2020, incomeFen: 60_000_000, dividendsFen: 0),
            ] + farmers.dropFirst(12).prefix(15).map { .job(person: $0.id, position: "种植工", from: "2018-04-01") })
            try await project(ProjectDraft(name: "假发加工扶贫车间", kind: .workshop, partner: "镇平县假发加工企业", status: .running, started: "2018-09-01",
                                           description: "村内扶贫车间，加工假发和清洁用具，群众就近就业"), [
                .investment(source: "河南省市场监督管理局帮扶资金", amountFen: 80_000_000),
                .sale(SalesAgreementDraft(buyer: "南阳市教委", product: "清洁用具", amountFen: 36_000_000, start: "2020-03-01", end: "2021-02-28")),
                .sale(SalesAgreementDraft(buyer: "牧原集团", product: "清洁用具", amountFen: 52_000_000, start: "2020-05-01", end: "2021-04-30")),
            ] + workers.prefix(40).map { .job(person: $0.id, position: "车间工人", from: "2018-10-01") })
            try await project(ProjectDraft(name: "河道治理工程", kind: .infrastructure, status: .finished, started: "2019-03-01", description: "村内河道清淤、护岸"),
                              [.investment(source: "水利专项资金", amountFen: 260_000_000), .milestone(date: "2019-11-30", text: "竣工验收")])
            try await project(ProjectDraft(name: "华能风电项目", kind: .energy, partner: "华能集团", status: .running, started: "2019-06-01",
                                           description: "风电场占地补偿和村集体收益"), [.returns(year: 2020, incomeFen: 10_000_000, dividendsFen: 0)])
            try await project(ProjectDraft(name: "高压线路改造", kind: .infrastructure, partner: "国网镇平县供电公司", status: .finished, started: "2018-05-01",
                                           description: "全村高压线路和台区改造"), [.investment(source: "电网改造资金", amountFen: 90_000_000)])
            // Cooperatives and demonstration households.
            for (index, name) in ["双孢菇种植专业合作社", "凉水泉蛋鸡养殖专业合作社"].enumerated() {
                _ = try await BulkInsert.row(into: "enterprises", columns: ["village_code", "kind", "name", "household_id", "since", "note"],
                                             values: [village.rawValue, EnterpriseKind.cooperative.rawValue, name, nil as Int?, index == 0 ? "2018-02-01" : "2018-06-01",
                                                      "高标准合作社"], in: sql)
            }
            for (offset, kind) in [EnterpriseKind.farmStay, .homestay, .produceSales].enumerated() {
                for index in 0..<5 {
                    let household = households[(offset * 5 + index) * 17 % households.count]
                    _ = try await BulkInsert.row(into: "enterprises", columns: ["village_code", "kind", "name", "household_id", "since", "note"],
                                                 values: [village.rawValue, kind.rawValue, "\(kind.title.zh)（第 \(index + 1) 户）", household, "2020-04-01", ""], in: sql)
                }
            }
            // Collective income: 500,000 yuan in 2020.
            for (date, source, yuan) in [
                ("2019-12-20", "蛋鸡养殖场分红", 150_000), ("2019-12-28", "荒山流转租金", 9_000),
                ("2020-06-30", "蛋鸡养殖场分红", 200_000), ("2020-07-15", "扶贫车间厂房租金", 80_000), ("2020-09-30", "双孢菇大棚租赁收入", 60_000),
                ("2020-12-20", "华能风电项目收益", 100_000), ("2020-12-28", "荒山流转租金", 60_000),
            ] {
                _ = try await BulkInsert.row(into: "collective_income", columns: ["village_code", "year", "received_on", "source", "amount_fen", "note", "recorded_by"],
                                             values: [village.rawValue, Int(date.prefix(4))!, date, source, yuan * 100, "", "system"], in: sql)
            }
        }
        // The four honours of 2020: three nominations each, votes, winners announced. 好儿媳 among the wives, 好公婆 and
        // 新乡贤 among the older heads of household, 最美脱贫户 among the households poor in 2016.
        let candidates = { (condition: SQLQueryString) in
            try await database.read { sql in
                try await sql.raw("""
                    SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL JOIN households h ON h.id = m.household_id
                    WHERE h.village_code = \(bind: village.rawValue) AND \(condition) ORDER BY p.id
                    """).all(decodingColumn: "id", as: Int.self)
            }
        }
        let wives = try await candidates("m.relation = 'spouse' AND p.sex = 'female'")
        let elders = try await candidates("m.relation = 'head' AND p.birth_date < '1962-01-01'")
        for type in try await community.honourTypes() {
            let pool: [Int]
            switch type.name {
            case "最美脱贫户": pool = poor2016
            case "好儿媳": pool = wives
            case "好公婆": pool = elders
            case "新乡贤": pool = Array(elders.reversed())
            default: continue
            }
            var nominated: [Int] = []
            for index in 0..<3 {
                let pick = pool[(index * 11 + type.id) % pool.count]
                nominated.append(try await community.nominate(
                    village: village, type: type.id, year: 2020, person: type.subject == "person" ? pick : nil, household: type.subject == "household" ? pick : nil,
                    nominatedBy: index == 0 ? "三组村民" : "联合党总支", reason: "群众推荐，事迹突出", by: .system))
                try await community.vote(nominated.last!, votes: 120 - index * 25 - type.id, by: .system)
            }
            try await community.announce(village: village, type: type.id, year: 2020, winners: [nominated[0]], on: "2020-12-10", by: .system)
        }
    }
}
