import Testing
import ZhenxingDomain

@Suite struct ResidentIDTests {
    @Test(arguments: [
        ("11010519491231002X", "11010519491231002X"), ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"), ("110105 19491231 002X", "11010519491231002X"),
        ("110105-19491231-002x", "11010519491231002X"),
    ])
    func normalisesWhatPeopleType(text: String, normalised: String) throws {
        #expect(try ResidentID(validating: text).value == normalised)
    }

    @Test func derivesBirthDateSexAndMask() throws {
        let id = try ResidentID(validating: "11010519491231002X")
        #expect(id.birthDate == "1949-12-31")
        #expect(id.sex == .female)  // 002: even
        #expect(id.masked == "110105************")
        #expect(id.lastFour == "002X")
        let male = "41132419810115039"
        #expect(try ResidentID(validating: male + String(ResidentID.checkCharacter(for: male))).sex == .male)
    }

    @Test(arguments: [
        ("1101051949123100", "应为 18 位"), ("110105194912310021", "校验位应为 X"), ("11010519490230002X", "不是真实日期"),
        ("11010519001301002X", "不是真实日期"), ("00010519491231002X", "不是有效的省级代码"), ("1101051949123100X2", "前 17 位必须是数字"),
        ("11010519491231002Y", "无效字符"), ("", "应为 18 位"),
    ])
    func refusesWithTheReason(text: String, reason: String) {
        let failure = #expect(throws: ValidationFailure.self) { try ResidentID(validating: text) }
        #expect(failure?.issues.first?.field == "residentID")
        #expect(failure?.issues.first?.message.zh.contains(reason) == true, "\(failure?.issues.first?.message.zh ?? "")")
        #expect(failure?.issues.first?.message.en.isEmpty == false)
    }

    @Test func leapDaysAreRealOnlyInLeapYears() {
        let leap = "11010520000229001"
        let notLeap = "11010519000229001"
        #expect((try? ResidentID(validating: leap + String(ResidentID.checkCharacter(for: leap)))) != nil)
        #expect((try? ResidentID(validating: notLeap + String(ResidentID.checkCharacter(for: notLeap)))) == nil)
    }
}

@Suite struct ExitRulesTests {
    let guarantees = Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true)

    @Test func aHouseholdExitsAboveTheLineWithEveryGuarantee() {
        let income = IncomeSheet(wages: 800_000, production: 300_000, property: 0, transfers: 100_000, productionCosts: 100_000)
        #expect(income.netIncome == 1_100_000 && income.perCapita(members: 3) == 366_666)
        let lines = ExitRules.household(income: income, members: 3, guarantees: guarantees, povertyLineFen: 280_000)
        #expect(lines.count == 6 && lines.allSatisfy(\.passes))
    }

    @Test func eachFailingConditionIsNamed() {
        var unsafe = guarantees
        unsafe.housing = false
        let income = IncomeSheet(wages: 500_000, production: 0, property: 0, transfers: 0, productionCosts: 0)
        let lines = ExitRules.household(income: income, members: 2, guarantees: unsafe, povertyLineFen: 280_000)
        #expect(lines.filter { !$0.passes }.map(\.item.zh) == ["人均纯收入高于贫困线 2,800.00 元", "住房安全有保障"])
        #expect(lines[0].finding.zh == "2,500.00 元")
    }

    @Test func negativeAmountsAreRefused() {
        let income = IncomeSheet(wages: -1, production: 0, property: 0, transfers: 0, productionCosts: -5)
        #expect(income.problems().map(\.field) == ["wages", "productionCosts"])
    }

    @Test func villagesExitUnderTheLimit() {
        #expect(ExitRules.villageMayExit(poorPeople: 8, population: 941, limit: 0.02))
        #expect(!ExitRules.villageMayExit(poorPeople: 19, population: 941, limit: 0.02))
        #expect(ExitRules.villageMayExit(poorPeople: 19, population: 941, limit: 0.03))
        #expect(!ExitRules.villageMayExit(poorPeople: 0, population: 0, limit: 0.02))
    }
}
