import Foundation
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

/// The demo village's figures, computed from its records, are the article's (../shared/seed/FACTS.md).
@Suite struct LiangshuiquanFiguresTests {
    @Test(arguments: TestDatabases.engines)
    func theArticlesFiguresComeOutOfTheRecords(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let registry = RegistryRepository(database: database)
            let village = LiangshuiquanDemo.villageCode
            // when
            let y2016 = try await registry.figures(village, asOf: "2016-12-31")
            let y2018 = try await registry.figures(village, asOf: "2018-12-31")
            let y2020 = try await registry.figures(village, asOf: "2020-12-31")
            let y2021 = try await registry.figures(village, asOf: "2021-12-31")
            let county = try await registry.figures(DivisionCode(validating: "411324000000"), asOf: "2016-12-31")
            // then
            #expect(y2016.poorHouseholds == 76 && y2016.poorPeople == 238 && y2016.population == 930)
            #expect(String(format: "%.2f", y2016.povertyIncidence! * 100) == "25.59")
            #expect(y2018.poorHouseholds == 3 && y2018.poorPeople == 8 && y2018.population == 941)
            #expect(String(format: "%.2f", y2018.povertyIncidence! * 100) == "0.85")
            #expect(y2018.exitedHouseholds == 73)
            #expect(y2020.poorHouseholds == 3 && y2020.poorPeople == 9)
            #expect(y2021.poorHouseholds == 0 && y2021.poorPeople == 0 && y2021.povertyIncidence == 0 && y2021.exitedHouseholds == 76)
            #expect(county == y2016)  // the county rolls up its only village
            let parameters2018 = try await registry.parameters(for: village, year: 2018)
            #expect(parameters2018.villageExitLimit == 0.02 && parameters2018.povertyLineFen == 280_000)
            #expect(ExitRules.villageMayExit(poorPeople: y2018.poorPeople, population: y2018.population, limit: 0.02))
            #expect(!ExitRules.villageMayExit(poorPeople: y2016.poorPeople, population: y2016.population, limit: 0.02))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theLastThreeHouseholdsGrowToTenPeopleBeforeTheyExit(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let registry = RegistryRepository(database: database)
            let poor2021 = try await registry.households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(status: .poor), asOf: "2021-12-19", after: nil, limit: 10)
            #expect(poor2021.count == 3)
            #expect(poor2021.map(\.members).reduce(0, +) == 10)
        }
    }

    @Test func parametersPreferTheProvinceAndCarryForward() async throws {
        try await TestDatabases.with(.sqlite) { database in
            let registry = RegistryRepository(database: database)
            let yunnan = try await registry.parameters(for: DivisionCode(validating: "530000000000"), year: 2024)
            let henan = try await registry.parameters(for: DivisionCode(validating: "410000000000"), year: 2024)
            #expect(yunnan.monitoringThresholdFen == 805_000 && yunnan.villageExitLimit == 0.03)
            #expect(henan.monitoringThresholdFen == 600_000 && henan.villageExitLimit == 0.02 && henan.povertyLineFen == 400_000)
            #expect(henan.povertyLineSource.hasPrefix("2020:"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anEnteredPopulationReplacesTheCountForThatVillageAndYear(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            // given: the demo, and a second village that registers only one poor household of 2
            try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
            let other = try DivisionCode(validating: "411324104202")
            try await database.transaction { sql in
                try await DivisionRepository.save(Division(code: other, name: "另一村"), in: sql)
                let household = try await RegistryRepository.insertHousehold(
                    HouseholdDraft(number: "0001", village: other, groupNumber: nil, naturalVillage: nil, address: "", attribute: .ordinary),
                    by: .system, in: sql)
                for (index, id) in ["11010519491231002X", "110105194912310038"].enumerated() {
                    let person = try await RegistryRepository.insertPerson(
                        PersonDraft(name: "贫困户\(index)", residentID: ResidentID(validating: id)), since: "2014-01-01", division: other, by: .system, in: sql)
                    try await RegistryRepository.addMember(person: person, household: household, relation: index == 0 ? .head : .spouse,
                                                           from: "2014-01-01", reason: "登记", in: sql)
                }
                try await RegistryRepository.recordStatus(
                    StatusChange(date: "2014-10-20", status: .poor, reason: "识别", decidedBy: "县"), household: household, division: other, by: .system, in: sql)
            }
            let registry = RegistryRepository(database: database)
            // when
            let counted = try await registry.figures(other, asOf: "2016-12-31")
            try await registry.enterPopulation(other, year: 2016, population: 400, source: "公安户籍统计", by: .system)
            let entered = try await registry.figures(other, asOf: "2016-12-31")
            let township = try await registry.figures(DivisionCode(validating: "411324104000"), asOf: "2016-12-31")
            let otherYear = try await registry.figures(other, asOf: "2017-12-31")
            // then
            #expect(counted.population == 2 && counted.povertyIncidence == 1)
            #expect(entered.population == 400 && entered.poorPeople == 2 && entered.villagesWithEnteredPopulation == 1)
            #expect(entered.povertyIncidence == 0.005)
            #expect(township.population == 930 + 400 && township.poorPeople == 238 + 2)
            #expect(otherYear.population == 2)
            await #expect(throws: ValidationFailure.self) {
                try await registry.enterPopulation(other, year: 2016, population: -1, source: "", by: .system)
            }
        }
    }
}
