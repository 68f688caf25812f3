import Foundation
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct GovernanceTests {
    @Test(arguments: TestDatabases.engines)
    func theArticlesLedgerComesOutOfTheRecords(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let governance = GovernanceRepository(database: database)
            // when
            let y2017 = try await FiguresQuery(database: database).document(LiangshuiquanDemo.villageCode, year: 2017).ledger
            let county = try await FiguresQuery(database: database).document(DivisionCode(validating: "411324000000"), year: 2017).ledger
            // then: FACTS.md — 6 ideas, 12 issues, 9 solved on the spot, 3 referred to a second meeting
            #expect(y2017.ideas == 6)
            #expect(y2017.collected == 12 && y2017.solvedOnTheSpot == 9 && y2017.referredToMeeting == 3 && y2017.closed == 3)
            #expect(y2017.open == 0 && y2017.overdue == 0)
            #expect(y2017.medianDaysToClose == 0)
            #expect(y2017.meetings == ["push": 1, "regular": 2, "joint": 4])
            #expect(y2017.grids == 10 && y2017.householdsInGrids == 289)
            #expect(county == y2017)
            let joint = try await (2017...2021).asyncMap { try await FiguresQuery(database: database).document(LiangshuiquanDemo.villageCode, year: $0).ledger.meetings["joint"] ?? 0 }
            #expect(joint == [4, 4, 4, 4, 4])
            // the second meeting shows what it received from the first and what it decided and closed
            let meetings = try await governance.meetings(in: LiangshuiquanDemo.villageCode)
            let second = try #require(meetings.first { $0.title.contains("2017年5月") })
            let file = try await governance.meeting(second.id)
            #expect(file.handled.count == 6 && file.handled.allSatisfy { $0.issue.state == .closed })
            #expect(file.outcomes.map(\.kind) == ["decision"])
            let lists = try await governance.lists(village: LiangshuiquanDemo.villageCode, year: 2018)
            #expect(lists.target != nil && Set(lists.items.map(\.list)) == Set(ListKind.allCases.map(\.rawValue)))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aRunningYearIsCountedAsOfTodayAndAReferredIssueIsNeverSolvedOnTheSpot(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: in 2024 an issue assigned with a deadline of 30 June, and one referred to a meeting and solved there
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let governance = GovernanceRepository(database: database)
            let village = LiangshuiquanDemo.villageCode
            let assigned = try await governance.createIssue(
                IssueDraft(title: "路灯不亮", description: "", source: .grid, raisedBy: "网格员", category: "用电", raisedOn: "2024-03-01"),
                village: village, today: "2024-12-31", by: .system)
            try await governance.transition(assigned, IssueTransition(to: .assigned, date: "2024-03-02", response: "交电工办理", owner: "电工",
                                                                      deadline: "2024-06-30"), version: nil, today: "2024-12-31", by: .system)
            let referred = try await governance.createIssue(
                IssueDraft(title: "修桥", description: "", source: .household, raisedBy: "村民", category: "基础设施", raisedOn: "2024-03-01"),
                village: village, today: "2024-12-31", by: .system)
            try await governance.transition(referred, IssueTransition(to: .referred, date: "2024-03-02", response: "提交村民代表会议"),
                                            version: nil, today: "2024-12-31", by: .system)
            try await governance.transition(referred, IssueTransition(to: .solved, date: "2024-03-10", response: "会上议定", result: "已修好"),
                                            version: nil, today: "2024-12-31", by: .system)
            // when: the year is counted on 15 March, on 10 July, and once it has ended
            let ledger = { (today: String) in
                try await FiguresQuery(database: database, today: { today }).document(village, year: 2024).ledger
            }
            let march = try await ledger("2024-03-15"), july = try await ledger("2024-07-10"), after = try await ledger("2025-02-01")
            // then: not overdue before its deadline, overdue after it; the referred issue is finished, not solved on the spot
            #expect(march.overdue == 0 && july.overdue == 1 && after.overdue == 1)
            #expect(march.collected == 2 && march.solvedOnTheSpot == 0 && march.referredToMeeting == 1 && march.closed == 1 && march.open == 1)
            #expect(try await FiguresQuery(database: database, today: { "2024-03-15" }).document(village, year: 2024).asOf == "2024-03-15")
        }
    }

    @Test(arguments: TestDatabases.engines)
    func nonsenseIsRefusedAndNothingIsStored(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let governance = GovernanceRepository(database: database)
            let village = LiangshuiquanDemo.villageCode
            let id = try await governance.createIssue(
                IssueDraft(title: "路灯不亮", description: "", source: .grid, raisedBy: "网格员", category: "用电", raisedOn: "2024-03-01"),
                village: village, today: "2024-12-31", by: .system)
            // closing without passing through assignment, and without a result
            let refusal1 = await #expect(throws: ValidationFailure.self) { try await governance.transition(id, IssueTransition(to: .closed, date: "2024-03-02", response: "好"), version: nil, today: "2024-12-31", by: .system) }
            #expect(refusal1?.issues.first?.field == "to")
            try await governance.transition(id, IssueTransition(to: .assigned, date: "2024-03-02", response: "交电工办理", owner: "电工", deadline: "2024-03-09"),
                                            version: nil, today: "2024-12-31", by: .system)
            let refusal2 = await #expect(throws: ValidationFailure.self) { try await governance.transition(id, IssueTransition(to: .closed, date: "2024-03-05", response: "已修好"), version: nil, today: "2024-12-31", by: .system) }
            #expect(refusal2?.issues.map(\.field) == ["result"])
            // a deadline before the issue was raised
            let other = try await governance.createIssue(
                IssueDraft(title: "排水沟堵塞", description: "", source: .visit, raisedBy: "李某", category: "水利", raisedOn: "2024-03-01"),
                village: village, today: "2024-12-31", by: .system)
            let refusal3 = await #expect(throws: ValidationFailure.self) { try await governance.transition(other, IssueTransition(to: .assigned, date: "2024-02-01", response: "交办", owner: "村委",
                                                                                    deadline: "2024-02-10"), version: nil, today: "2024-12-31", by: .system) }
            #expect(refusal3?.issues.first?.field == "date")
            // an attendee who does not exist
            let refusal4 = await #expect(throws: ValidationFailure.self) { try await governance.createMeeting(MeetingDraft(kind: .regular, title: "例会", date: "2024-03-01", place: "村部", chair: "周"),
                                                              village: village, attendees: [9_999_999], by: .system) }
            #expect(refusal4?.issues.first?.field == "attendees")
            // a household in two grids
            let grids = try await governance.grids(in: village)
            let inFirst = try await governance.grid(grids[0].id, today: "2024-03-01").households[0].id
            let refusal5 = await #expect(throws: ValidationFailure.self) { try await governance.assign(households: [inFirst], to: grids[1].id, by: .system) }
            #expect(refusal5?.issues.first?.message.zh.contains("一户只能属于一个网格") == true)
            // nothing of the refused changes is stored
            let file = try await governance.issue(id)
            #expect(file.row.state == .assigned && file.events.map(\.toState) == [.collected, .assigned])
            #expect(try await governance.issue(other).row.state == .collected)
            #expect(try await governance.meetings(in: village).count == 23)
            #expect(try await governance.grids(in: village).map(\.households) == grids.map(\.households))
            // overdue on the day after the deadline, not before
            #expect(try await governance.issues(in: village, filter: IssueFilter(overdueOn: "2024-03-09")).isEmpty)
            #expect(try await governance.issues(in: village, filter: IssueFilter(overdueOn: "2024-03-10")).map(\.id) == [id])
        }
    }
}


@Suite struct PlanTests {
    @Test(arguments: TestDatabases.engines)
    func plansAreVersionedAndTheirFiguresComeFromTheMeasures(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the demo's 2016 plans
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let plans = PlanRepository(database: database)
            let demo = try await FiguresQuery(database: database).document(LiangshuiquanDemo.villageCode, year: 2016).assistance
            #expect(demo.householdsWithPlan == 76 && demo.measures["production"]?.count == 76)
            #expect(demo.measures.values.reduce(0) { $0 + $1.count } == 152 && demo.visits == 152 && demo.overdueFollowUps == 0)
            // when: a household's 2024 plan is saved, then changed
            let household = try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2024-01-01", after: nil, limit: 1)[0].id
            let figures = FiguresQuery(database: database)
            let before = try await figures.document(LiangshuiquanDemo.villageCode, year: 2024).assistance.measures["employment"]
            #expect(try await plans.plans(ofHousehold: household).filter { $0.year == 2024 }.isEmpty)
            let first = MeasureDraft(category: .employment, content: "公益岗位", amountFen: 60_000, funding: "财政", start: "2024-01-01", end: "2024-12-31")
            try await plans.save(household: household, year: 2024, measures: [first], by: .system)
            var done = first
            done.status = .done
            done.result = "全年在岗"
            try await plans.save(household: household, year: 2024, measures: [done, first], by: .system)
            // then: both versions are kept, the figures count the current one
            let versions = try await plans.plans(ofHousehold: household).filter { $0.year == 2024 }
            #expect(versions.map(\.version) == [2, 1] && versions.map(\.measures.count) == [2, 1] && versions[1].measures[0].status == "planned")
            // (the demo's monitored households have 2024 employment measures of their own)
            let employment = try await figures.document(LiangshuiquanDemo.villageCode, year: 2024).assistance.measures["employment"]
            #expect(employment?.count == (before?.count ?? 0) + 2 && employment?.amountFen == (before?.amountFen ?? 0) + 120_000)
            // bad input: a negative amount, an end before the start, a finished measure without a result; nothing stored
            var bad = first
            bad.amountFen = -1
            bad.end = "2023-01-01"
            bad.status = .done
            let refusal6 = await #expect(throws: ValidationFailure.self) { try await plans.save(household: household, year: 2024, measures: [bad], by: .system) }
            #expect(refusal6?.issues.map(\.field) == ["amount", "end", "result"])
            #expect(try await plans.plans(ofHousehold: household).filter { $0.year == 2024 }.count == 2)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

@Suite struct PartyTests {
    @Test(arguments: TestDatabases.engines)
    func partyMembersAreCountedAtAnyDateAndBranchesLookAfterTheirVillagesHouseholds(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the demo: 27 members before the joint committee, 93 with it, four branches looking after every household
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let village = LiangshuiquanDemo.villageCode
            let party = PartyRepository(database: database)
            #expect(try await party.count(in: village, on: "2016-12-31") == 27)
            #expect(try await party.count(in: village, on: "2017-12-31") == 93)
            let figures2018 = try await party.figures(village, year: 2018)
            #expect(figures2018.members == 93 && figures2018.branches == 4 && figures2018.householdsWithBranch == 289)
            #expect(try await party.figures(DivisionCode(validating: "411324000000"), year: 2016).members == 27)
            let branches = try await party.branches(in: village, on: "2018-12-31")
            #expect(try await party.branches(in: village, on: "2016-12-31").isEmpty)  // formed with the joint committee in 2017
            #expect(Set(branches.map(\.kind)) == ["farming", "migrant_work", "local_jobs", "social_security"])
            #expect(branches.map(\.members).reduce(0, +) == 93 && branches.map(\.households).reduce(0, +) == 289)

            // when: a member transfers out, a new one joins, a household moves to another branch
            let someone = try await party.members(in: village, on: "2020-01-01").first { $0.personId == nil }!
            try await party.endMember(someone.id, village: village, on: "2020-06-30", by: .system)
            _ = try await party.addMember(PartyMemberDraft(name: "新党员", organisation: "南阳中联水泥党支部", joined: "2021-07-01"), village: village, by: .system)
            let farming = branches.first { $0.kind == "farming" }!, security = branches.first { $0.kind == "social_security" }!
            let household = try await party.households(ofBranch: farming.id)[0].householdId
            try await party.assign(households: [household], to: security.id, since: "2022-01-01", by: .system)
            // then: the counts follow the dates, and a household has one branch
            #expect(try await party.count(in: village, on: "2020-06-29") == 93)
            #expect(try await party.count(in: village, on: "2020-12-31") == 92)
            #expect(try await party.count(in: village, on: "2021-12-31") == 93)
            #expect(try await party.households(household: household).map(\.branchId) == [security.id])
            #expect(try await party.branch(farming.id).households == farming.households - 1)

            // bad input: a household or member of another village, a villager not marked a party member, a leaving date
            // before joining, a branch without a name: a clear error, nothing stored
            let other = try DivisionCode(validating: "411324104202")
            let outsider = try await database.transaction { sql in
                try await DivisionRepository.save(Division(code: other, name: "另一村"), in: sql)
                return try await RegistryRepository.insertHousehold(
                    HouseholdDraft(number: "0001", village: other, groupNumber: nil, naturalVillage: nil, address: "", attribute: .ordinary), by: .system, in: sql)
            }
            let refusal7 = await #expect(throws: ValidationFailure.self) { try await party.assign(households: [household, outsider], to: farming.id, since: "2022-02-01", by: .system) }
            #expect(refusal7?.issues.map(\.field) == ["household"])
            #expect(try await party.households(household: household).map(\.branchId) == [security.id])
            let foreign = try await party.addMember(PartyMemberDraft(name: "外村党员", organisation: "另一村党支部", joined: "2020-01-01"), village: other, by: .system)
            let refusal8 = await #expect(throws: ValidationFailure.self) { try await party.addMember(foreign, toBranch: farming.id, by: .system) }
            #expect(refusal8?.issues.map(\.field) == ["member"])
            let notMember = try await database.read { sql in
                try await sql.raw("""
                    SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
                    WHERE p.party_member = \(bind: false) AND h.village_code = \(bind: village.rawValue) ORDER BY p.id LIMIT 1
                    """).first(decodingColumn: "id", as: Int.self)!
            }
            let refusal9 = await #expect(throws: ValidationFailure.self) { try await party.addMember(PartyMemberDraft(personID: notMember, organisation: "凉水泉村党支部", joined: "2020-01-01"), village: village, by: .system) }
            #expect(refusal9?.issues.map(\.field) == ["person"])
            let refusal10 = await #expect(throws: ValidationFailure.self) { try await party.addMember(PartyMemberDraft(name: "甲", organisation: "乙", joined: "2020-01-01", left: "2019-01-01"), village: village, by: .system) }
            #expect(refusal10?.issues.map(\.field) == ["left"])
            let refusal11 = await #expect(throws: ValidationFailure.self) { try await party.createBranch(BranchDraft(name: " ", kind: .other, formed: "2020-13-01", secretary: ""), village: village, by: .system) }
            #expect(refusal11?.issues.map(\.field) == ["name", "formed"])
            #expect(try await party.count(in: village, on: "2021-12-31") == 93)
        }
    }
}

@Suite struct CommunityTests {
    @Test(arguments: TestDatabases.engines)
    func theDemosCommunityFiguresComeFromItsRecordsAndBadInputStoresNothing(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the demo's 2020
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let village = LiangshuiquanDemo.villageCode
            let community = CommunityRepository(database: database)
            let figures = try await FiguresQuery(database: database).document(village, year: 2020).community
            // then: FACTS.md's figures
            #expect(figures.activities["lecture"]?.sessions == 20 && figures.activities["lecture"]?.personTimes == 639)
            #expect(figures.activities["health_check"]?.personTimes == 206 && figures.activities["training"]?.sessions == 5)
            #expect(figures.activities["mediation"]?.sessions == 5 && figures.countedPersonTimes == 206 + 126 + 42)
            #expect(Set(figures.honours.keys) == ["最美脱贫户", "好公婆", "好儿媳", "新乡贤"] && figures.honours.values.allSatisfy { $0 == 1 })
            #expect(figures.projects == 6 && figures.landMuHundredths == 4_100 && figures.collectiveIncomeFen == 50_000_000)
            #expect(figures.employmentRate == 1 && figures.ableToWork == 732)
            #expect(figures.enterprises == ["cooperative": 2, "farm_stay": 5, "homestay": 5, "produce_sales": 5])
            #expect(try await FiguresQuery(database: database).document(DivisionCode(validating: "411324000000"), year: 2020).community.collectiveIncomeFen == 50_000_000)

            // bad input: a villager of another village on the list, a land contract with a negative area or ending before it
            // starts, a vote after the winners were announced: a clear error, nothing stored
            let other = try DivisionCode(validating: "411324104202")
            let stranger = try await database.transaction { sql in
                try await DivisionRepository.save(Division(code: other, name: "另一村"), in: sql)
                let household = try await RegistryRepository.insertHousehold(
                    HouseholdDraft(number: "0001", village: other, groupNumber: nil, naturalVillage: nil, address: "", attribute: .ordinary), by: .system, in: sql)
                let person = try await RegistryRepository.insertPerson(
                    PersonDraft(name: "外村人", residentID: ResidentID(validating: "11010519491231002X")), since: "2014-01-01", division: other, by: .system, in: sql)
                try await RegistryRepository.addMember(person: person, household: household, relation: .head, from: "2014-01-01", reason: "登记", in: sql)
                return person
            }
            let villager = try await community.attendees(of: community.activities(in: village, year: 2020, kind: .lecture)[0].id)[0].id
            let before = try await community.activities(in: village, year: 2024).count
            let refusal12 = await #expect(throws: ValidationFailure.self) { try await community.addActivity(ActivityDraft(kind: .lecture, title: "讲习", date: "2024-05-01"), attendees: [villager, stranger],
                                                            village: village, today: "2024-06-01", by: .system) }
            #expect(refusal12?.issues.map(\.field) == ["attendees"])
            #expect(try await community.activities(in: village, year: 2024).count == before)
            let refusal13 = await #expect(throws: ValidationFailure.self) { try await community.addActivity(ActivityDraft(kind: .mediation, title: "调解", date: "2025-01-01"), attendees: [],
                                                            village: village, today: "2024-06-01", by: .system) }
            #expect(refusal13?.issues.map(\.field) == ["date", "outcome"])
            let project = try await community.projects(in: village)[0]
            let refusal14 = await #expect(throws: ValidationFailure.self) { try await community.record(.land(LandContractDraft(lessor: "某户", areaMuHundredths: -100, start: "2024-01-01", end: "2023-01-01",
                                                                               rentFenPerYear: 0)), project: project.id, by: .system) }
            #expect(refusal14?.issues.map(\.field) == ["area", "end"])
            #expect(try await community.project(project.id).land.count == 2)
            let winner = try await community.nominations(in: village, year: 2020).first { $0.winner }!
            let refusal15 = await #expect(throws: ValidationFailure.self) { try await community.vote(winner.id, votes: 5, by: .system) }
            #expect(refusal15?.issues.first?.message.zh.contains("已于 2020-12-10 公布结果") == true)
            #expect(try await community.nominations(in: village, year: 2020).first { $0.id == winner.id }?.votes == winner.votes)
            // a recorded activity with its list counts at once
            _ = try await community.addActivity(ActivityDraft(kind: .training, title: "电商培训", date: "2024-05-01"), attendees: [villager], village: village,
                                                today: "2024-06-01", by: .system)
            #expect(try await FiguresQuery(database: database).document(village, year: 2024).community.activities["training"]?.personTimes == 1)
        }
    }
}
