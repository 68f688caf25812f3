import Testing
import ZhenxingDomain

@Suite struct ExitDecisionTests {
    let guarantees = Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true)

    /// A household of three with `wages` fen a year and nothing else, checked against a line of 4,000 yuan.
    func check(wages: Int, housing: Bool = true) -> [CheckLine] {
        var guarantees = guarantees
        guarantees.housing = housing
        return ExitRules.household(income: IncomeSheet(wages: wages, production: 0, property: 0, transfers: 0, productionCosts: 0),
                                   members: 3, guarantees: guarantees, povertyLineFen: 400_000)
    }

    @Test func anExitNeedsAPassingCheckOfItsYear() {
        #expect(ExitRules.exitProblems(year: 2018, check: check(wages: 1_500_000), override: nil).isEmpty)
        // per capita 4,000.00 yuan is not above the line, and an unsafe house fails too
        let low = ExitRules.exitProblems(year: 2018, check: check(wages: 1_200_000), override: nil)
        #expect(low.map(\.field) == ["override"] && low[0].message.zh.contains("人均纯收入高于贫困线"))
        let house = ExitRules.exitProblems(year: 2018, check: check(wages: 1_500_000, housing: false), override: nil)
        #expect(house.count == 1 && house[0].message.zh.contains("住房安全有保障") && !house[0].message.zh.contains("人均纯收入"))
        #expect(ExitRules.exitProblems(year: 2018, check: nil, override: nil)[0].message.zh == "2018 年没有年度核查：先登记核查，或写明不经核查即脱贫的理由")
    }

    @Test func aReasonOnRecordAllowsAnExitTheCheckDoesNotSupport() {
        #expect(ExitRules.exitProblems(year: 2018, check: check(wages: 0), override: "县级评估认定").isEmpty)
        #expect(ExitRules.exitProblems(year: 2018, check: nil, override: "县级评估认定").isEmpty)
        // a blank reason is none
        let blank = StatusChange(date: "2018-12-20", status: .exited, reason: "达标", decidedBy: "县政府", override: "  ")
        #expect(blank.override == nil)
    }

    @Test func aVillageExitsWhenItsIncidenceIsUnderTheLimitOrTheDecisionSaysWhy() {
        // 8 of 941 is 0.85 %, under 2 %; 19 of 941 is 2.02 %
        #expect(ExitRules.villageMayExit(poorPeople: 8, population: 941, limit: 0.02))
        #expect(!ExitRules.villageMayExit(poorPeople: 19, population: 941, limit: 0.02))
        #expect(ExitRules.villageMayExit(poorPeople: 19, population: 941, limit: 0.03))
        #expect(!ExitRules.villageMayExit(poorPeople: 0, population: 0, limit: 0.02))
        #expect(ExitRules.villageExitProblems(year: 2018, eligible: true, override: nil).isEmpty)
        let over = ExitRules.villageExitProblems(year: 2018, eligible: false, override: nil)
        #expect(over.map(\.field) == ["override"] && over[0].message.zh.contains("未低于出列标准"))
        #expect(ExitRules.villageExitProblems(year: 2018, eligible: nil, override: nil)[0].message.zh.contains("没有本村的人口或出列标准"))
        #expect(ExitRules.villageExitProblems(year: 2018, eligible: false, override: "省级第三方评估认定达标").isEmpty)
    }

    @Test func aVillageExitDecisionNamesItsDayAndDecider() {
        let decision = VillageExitDecision(decidedOn: "2018-12-28", decidedBy: " 镇平县人民政府 ", document: "", override: " ")
        #expect(decision.year == 2018 && decision.decidedBy == "镇平县人民政府" && decision.override == nil)
        #expect(decision.problems(today: "2026-12-03").isEmpty)
        #expect(decision.problems(today: "2018-12-27").map(\.field) == ["decidedOn"])
        let bad = VillageExitDecision(decidedOn: "2018-02-30", decidedBy: "", document: String(repeating: "文", count: 101))
        #expect(bad.problems(today: "2026-12-03").map(\.field) == ["decidedOn", "decidedBy", "document"])
    }
}
