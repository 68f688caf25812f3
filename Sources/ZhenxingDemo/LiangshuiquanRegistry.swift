import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// The households and people of 凉水泉村, made so that the article's figures come out of the
/// records: 2016: 76 poor households of 238 people in a population of 930 (25.59 %); 2018:
/// 3 households of 8 people still poor in 941 (0.85 %), the village exits; the last 3 households,
/// 10 people by then, exit at the end of 2021. Names are invented; ID numbers are valid but made up.
enum LiangshuiquanRegistry {
    /// Deterministic pseudo-random numbers, so every load makes the same village.
    struct Generator {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    }

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗").map(String.init)
    static let maleNames = ["建国", "国强", "志刚", "永生", "德胜", "长山", "保国", "春生", "振华", "明亮", "宏伟", "新民",
                            "海涛", "晓东", "家豪", "子轩", "浩然", "宇航", "俊杰", "天佑", "文博", "金锁", "铁柱", "有福"]
    static let femaleNames = ["秀兰", "桂英", "玉珍", "凤霞", "春梅", "淑华", "秀英", "丽娟", "红霞", "金凤", "翠花", "桂芝",
                              "雅琪", "欣怡", "梓涵", "诗雨", "佳怡", "雨萱", "晓燕", "慧敏", "巧云", "玉兰", "小芳", "静怡"]

    /// One person to register.
    struct Member {
        let draft: PersonDraft
        let relation: Relation
        let from: String
        let reason: String
    }

    /// Loads the registry of the village inside the caller's transaction, replacing an earlier load.
    /// A year's assessment of `members` people netting `perCapitaYuan` a head: 60 % wages, 30 % farming, the rest
    /// transfers, with production costs of 5 %.
    static func assessment(year: Int, members: Int, perCapitaYuan: Int, housing: Bool = true, note: String? = nil) -> Assessment {
        let net = perCapitaYuan * 100 * members
        let wages = net * 6 / 10, production = net * 3 / 10
        let costs = net / 20
        let transfers = net - wages - production + costs
        return Assessment(
            year: year, members: members,
            income: IncomeSheet(wages: wages, production: production, property: 0, transfers: transfers, productionCosts: costs),
            guarantees: Guarantees(foodAndClothing: true, education: true, medical: true, housing: housing, water: true),
            note: note ?? (housing ? "" : "住房为C级危房，已列入危房改造"))
    }

    static func load(village: DivisionCode, groups: [VillageGroup], naturalVillages: [String], in sql: any SQLDatabase) async throws {
        try await RegistryRepository.clearVillage(village, in: sql)
        var random = Generator(seed: 20_160_101)
        var usedIDs = Set<String>()
        var number = 0

        func person(_ name: String? = nil, male: Bool, born year: Int, labour: String = "普通劳动力", employment: String = "") throws -> PersonDraft {
            let month = random.int(1...12), day = random.int(1...28)
            var sequence = random.int(0...499) * 2 + (male ? 1 : 0)
            var id = ""
            repeat {
                let head = "411324" + String(format: "%04d%02d%02d%03d", year, month, day, sequence % 1000)
                id = head + String(ResidentID.checkCharacter(for: head))
                sequence += 2
            } while usedIDs.contains(id)
            usedIDs.insert(id)
            let given = male ? random.pick(maleNames) : random.pick(femaleNames)
            let age = 2016 - year
            return PersonDraft(
                name: name ?? random.pick(surnames) + given, residentID: try ResidentID(validating: id),
                education: age < 7 ? "学龄前" : age < 16 ? "小学" : random.pick(["小学", "初中", "初中", "高中"]),
                inSchool: (7...12).contains(age) ? "小学在读" : (13...15).contains(age) ? "初中在读" : "",
                health: age > 65 && random.int(0...3) == 0 ? "长期慢性病" : "健康",
                labour: age < 16 ? "无劳动力" : age > 60 ? "弱劳动力或半劳动力" : labour,
                employment: (16...60).contains(age) ? (employment.isEmpty ? random.pick(["外出务工", "县内务工", "扶贫车间", "自主经营"]) : employment) : "",
                monthsWorked: (16...60).contains(age) ? random.int(6...12) : 0, pensionInsurance: age >= 16)
        }

        /// A family of `size`: head, spouse, then children or a parent; everyone born before 2016.
        func family(size: Int) throws -> [Member] {
            let surname = random.pick(surnames)
            let headYear = random.int(1950...1985)
            var members = [Member(draft: try person(surname + random.pick(maleNames), male: true, born: headYear), relation: .head, from: "2014-01-01", reason: "登记")]
            if size >= 2 {
                members.append(Member(draft: try person(male: false, born: headYear + random.int(-2...3)), relation: .spouse, from: "2014-01-01", reason: "登记"))
            }
            for index in 2..<max(2, size) {
                if index == 4 && headYear > 1970 {
                    members.append(Member(draft: try person(surname + random.pick(maleNames), male: true, born: headYear - 26), relation: .parent, from: "2014-01-01", reason: "登记"))
                    continue
                }
                let male = random.int(0...1) == 0
                let year = min(2015, headYear + random.int(22...30))
                let child = try person(surname + (male ? random.pick(maleNames) : random.pick(femaleNames)), male: male, born: year)
                let from = year >= 2014 ? child.birthDate : "2014-01-01"
                members.append(Member(draft: child, relation: male ? .son : .daughter, from: from, reason: year >= 2014 ? "出生" : "登记"))
            }
            return members
        }

        func insert(_ members: [Member], attribute: HouseholdAttribute, cause: PovertyCause?, others: [PovertyCause]) async throws -> (id: Int, people: [Int]) {
            number += 1
            let group = groups[(number - 1) % groups.count]
            let household = HouseholdDraft(
                number: String(format: "%04d", number), village: village, groupNumber: group.number,
                naturalVillage: naturalVillages[(number - 1) % naturalVillages.count],
                address: "凉水泉村\(group.name)\(random.int(1...60))号", attribute: attribute, mainCause: cause, otherCauses: others)
            let id = try await RegistryRepository.insertHousehold(household, by: .system, in: sql)
            var people: [Int] = []
            for member in members {
                let personID = try await RegistryRepository.insertPerson(member.draft, since: member.from, division: village, by: .system, in: sql)
                try await RegistryRepository.addMember(person: personID, household: id, relation: member.relation, from: member.from, reason: member.reason, in: sql)
                people.append(personID)
            }
            return (id, people)
        }

        let identified = StatusChange(date: "2014-10-20", status: .poor, reason: "建档立卡精准识别", decidedBy: "镇平县扶贫开发领导小组")
        func exit(_ date: String) -> StatusChange {
            StatusChange(date: date, status: .exited, reason: "人均纯收入超过贫困线，两不愁三保障达标；经民主评议、公示无异议、乡镇审核、县级审定", decidedBy: "镇平县人民政府")
        }

        // 76 poor households, 238 people: 22 of 2, 30 of 3, 16 of 4, 8 of 5.
        let poorSizes = Array(repeating: 2, count: 22) + Array(repeating: 3, count: 30) + Array(repeating: 4, count: 16) + Array(repeating: 5, count: 8)
        // The last three to exit (2021): two families of 3 and one of 2 — 8 people in 2016 and 2018.
        let lastThree: Set<Int> = [0, 22, 23]
        let causes: [PovertyCause] = [.illness, .illness, .disability, .education, .lackOfSkills, .lackOfLabour, .lackOfFunds, .lackOfMotivation]
        var exitOrder = 0
        // Non-poor households, 692 people: 40 of 2, 100 of 3, 53 of 4, 20 of 5; interleaved with the poor ones.
        var ordinarySizes = Array(repeating: 2, count: 40) + Array(repeating: 3, count: 100) + Array(repeating: 4, count: 53) + Array(repeating: 5, count: 20)
        var ordinaryHouseholds: [(id: Int, people: [Int], surname: String)] = []
        for (index, size) in poorSizes.enumerated() {
            for _ in 0..<3 where !ordinarySizes.isEmpty {
                let ordinarySize = ordinarySizes.removeFirst()
                let members = try family(size: ordinarySize)
                let inserted = try await insert(members, attribute: .ordinary, cause: nil, others: [])
                ordinaryHouseholds.append((inserted.id, inserted.people, String(members[0].draft.name.prefix(1))))
            }
            let cause = random.pick(causes)
            let attribute: HouseholdAttribute = cause == .disability || cause == .lackOfLabour ? .subsistence : (index % 19 == 0 ? .destitute : .ordinary)
            let familyMembers = try family(size: size)
            let surname = String(familyMembers[0].draft.name.prefix(1))
            let household = try await insert(familyMembers, attribute: attribute, cause: cause, others: cause == .illness ? [.lackOfFunds] : [])
            try await RegistryRepository.recordStatus(identified, household: household.id, division: village, by: .system, in: sql)
            try await RegistryRepository.saveAssessment(
                assessment(year: 2016, members: size, perCapitaYuan: random.int(1_800...2_600), housing: index % 4 != 0), household: household.id, in: sql)
            if lastThree.contains(index) {
                for year in 2017...2020 {
                    try await RegistryRepository.saveAssessment(
                        assessment(year: year, members: size, perCapitaYuan: random.int(2_000...2_700), housing: year >= 2019), household: household.id, in: sql)
                }
                // 2019–2021: a birth in one family and a marriage into another bring the three to 10 people.
                var final = size
                if index == 22 {
                    let baby = try person(surname + random.pick(maleNames), male: true, born: 2020)
                    let id = try await RegistryRepository.insertPerson(baby, since: baby.birthDate, division: village, by: .system, in: sql)
                    try await RegistryRepository.addMember(person: id, household: household.id, relation: .grandchild, from: baby.birthDate, reason: "出生", in: sql)
                    final += 1
                } else if index == 23 {
                    let bride = try person(male: false, born: 1996)
                    let id = try await RegistryRepository.insertPerson(bride, since: "2021-05-01", division: village, by: .system, in: sql)
                    try await RegistryRepository.addMember(person: id, household: household.id, relation: .daughterInLaw, from: "2021-05-01", reason: "婚入", in: sql)
                    final += 1
                }
                try await RegistryRepository.saveAssessment(
                    assessment(year: 2021, members: final, perCapitaYuan: random.int(5_000...6_500), housing: true), household: household.id, in: sql)
                try await RegistryRepository.recordStatus(exit("2021-12-20"), household: household.id, division: village, by: .system, in: sql)
            } else {
                // 40 exit in 2017, the other 33 in 2018, when the village leaves the poor-village list.
                let year = exitOrder < 40 ? 2017 : 2018
                exitOrder += 1
                try await RegistryRepository.saveAssessment(
                    assessment(year: year, members: size, perCapitaYuan: random.int(3_200...6_000), housing: true), household: household.id, in: sql)
                try await RegistryRepository.recordStatus(exit(year == 2017 ? "2017-12-15" : "2018-11-30"), household: household.id, division: village, by: .system, in: sql)
            }
        }
        // 2017–2018 in ordinary households: 14 births and 3 deaths bring 930 to 941.
        for (index, household) in ordinaryHouseholds.prefix(14).enumerated() {
            let year = index < 7 ? 2017 : 2018
            let male = index % 2 == 0
            let baby = try person(household.surname + (male ? random.pick(maleNames) : random.pick(femaleNames)), male: male, born: year)
            let id = try await RegistryRepository.insertPerson(baby, since: baby.birthDate, division: village, by: .system, in: sql)
            try await RegistryRepository.addMember(person: id, household: household.id, relation: .grandchild, from: baby.birthDate, reason: "出生", in: sql)
        }
        for (index, household) in ordinaryHouseholds.suffix(3).enumerated() {
            try await RegistryRepository.endMembership(person: household.people[household.people.count > 1 ? 1 : 0], on: "201\(7 + index % 2)-0\(3 + index)-10", reason: "死亡", in: sql)
        }
    }
}
