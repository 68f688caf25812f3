import Testing
import ZhenxingDomain

/// Working days and the monitoring rules, without a database.
@Suite struct MonitoringRulesTests {
    @Test func dayNumbersRoundTripAndKnowTheirWeekday() {
        #expect(Day.number("1970-01-01") == 0 && Day.number("2021-10-01") == 18_901 && Day.number("2021-02-29") == nil)
        for number in stride(from: Day.number("1900-01-01")!, through: Day.number("2100-12-31")!, by: 37) {
            #expect(Day.number(Day.text(number)) == number)
        }
        // 2021-10-01 was a Friday, 2024-02-29 a Thursday
        #expect(Day.weekday(Day.number("2021-10-01")!) == 5 && Day.weekday(Day.number("2024-02-29")!) == 4)
    }

    @Test func workingDaysSkipHolidaysAndCountTheWeekendsWorkedInstead() {
        // the 2021 National Day week: 1–7 October off, Sunday 26 September and Saturday 9 October worked
        var exceptions: [String: WorkingCalendar.Exception] = ["2021-09-26": .workday, "2021-10-09": .workday]
        for day in 1...7 { exceptions["2021-10-0\(day)"] = .holiday }
        let calendar = WorkingCalendar(exceptions: exceptions)
        #expect(!calendar.isWorkingDay("2021-10-04") && calendar.isWorkingDay("2021-10-09") && calendar.isWorkingDay("2021-09-26"))
        #expect(!calendar.isWorkingDay("2021-09-25") && !calendar.isWorkingDay("不是日期"))
        // a warning on Thursday 30 September: its 5 working days are Friday 8, Saturday 9, 11, 12 and 13 October
        #expect(calendar.adding(workingDays: 5, to: "2021-09-30") == "2021-10-13")
        #expect(calendar.workingDays(from: "2021-09-30", to: "2021-10-13") == 5 && calendar.workingDays(from: "2021-09-30", to: "2021-10-14") == 6)
        // without the holiday it would have been Thursday 7 October
        #expect(WorkingCalendar(exceptions: [:]).adding(workingDays: 5, to: "2021-09-30") == "2021-10-07")
        #expect(calendar.adding(workingDays: 0, to: "2021-10-02") == "2021-10-02" && calendar.adding(workingDays: 1_001, to: "2021-10-02") == nil)
        #expect(calendar.workingDays(from: "2021-10-14", to: "2021-09-30") == 0)
    }

    @Test func theRulesSayWhatTheyFoundWithTheValuesAndTheParameterRow() throws {
        let nationwide = DatedThreshold(value: 600_000, origin: ParameterOrigin(scope: "*", year: 2021))
        let drop = DatedThreshold(value: 3_000, origin: ParameterOrigin(scope: "*", year: 2021))
        let rigid = DatedThreshold(value: 5_000, origin: ParameterOrigin(scope: "53", year: 2023))
        let thresholds = RuleThresholds(monitoring: nationwide, incomeDrop: drop, rigidSpending: rigid)
        let safe = Guarantees(foodAndClothing: true, education: true, medical: true, housing: true, water: true)
        func assessment(_ year: Int, perCapitaYuan: Int, members: Int = 2, guarantees: Guarantees = safe) -> Assessment {
            Assessment(year: year, members: members, income: IncomeSheet(wages: perCapitaYuan * 100 * members, production: 0, property: 0, transfers: 0,
                                                                         productionCosts: 0), guarantees: guarantees)
        }
        // below the threshold
        let below = MonitoringRules.findings(assessment(2021, perCapitaYuan: 5_420), previous: nil, thresholds: thresholds)
        #expect(below.map(\.rule) == [.incomeBelowThreshold])
        #expect(below[0].explanation.zh == "2021年人均纯收入 5,420 元 < 监测标准 6,000 元（2021，全国）")
        // above it, but 40 % less than the year before; 30 % less is not more than the share
        let fell = MonitoringRules.findings(assessment(2022, perCapitaYuan: 9_000), previous: assessment(2021, perCapitaYuan: 15_000),
                                            thresholds: thresholds)
        #expect(fell.map(\.rule) == [.incomeDrop] && fell[0].observed == 4_000)
        #expect(fell[0].explanation.zh == "2022年人均纯收入较上年下降 40 % > 预警比例 30 %（2021，全国）")
        #expect(MonitoringRules.findings(assessment(2022, perCapitaYuan: 10_500), previous: assessment(2021, perCapitaYuan: 15_000),
                                         thresholds: thresholds).isEmpty)
        // a previous assessment two years back is not "the year before"
        #expect(MonitoringRules.findings(assessment(2022, perCapitaYuan: 9_000), previous: assessment(2020, perCapitaYuan: 15_000),
                                         thresholds: thresholds).isEmpty)
        // failed guarantees, each rule once; no members: no income to judge, but the house still counts
        var unsafe = safe
        unsafe.housing = false
        unsafe.medical = false
        #expect(MonitoringRules.findings(assessment(2021, perCapitaYuan: 0, members: 0, guarantees: unsafe), previous: nil,
                                         thresholds: thresholds).map(\.rule) == [.housingUnsafe, .guaranteesFailed])
        // a rule without its threshold does not run
        var spent = assessment(2023, perCapitaYuan: 10_000)
        spent.spending = RigidSpending(medical: 1_200_000, schooling: 0)
        #expect(MonitoringRules.findings(spent, previous: nil, thresholds: RuleThresholds(monitoring: nil)).isEmpty)
        // rigid spending: 12,000 yuan of medical bills on a net income of 20,000 is 60 %, over the 50 % share; 50 % is not over it
        let heavy = MonitoringRules.findings(spent, previous: nil, thresholds: thresholds)
        #expect(heavy.map(\.rule) == [.rigidSpending] && heavy[0].observed == 6_000)
        #expect(heavy[0].explanation.zh == "2023年医疗、教育刚性支出占家庭纯收入 60 % > 预警比例 50 %（2023，省级代码 53）")
        spent.spending = RigidSpending(medical: 600_000, schooling: 400_000)
        #expect(MonitoringRules.findings(spent, previous: nil, thresholds: thresholds).isEmpty)
        // spending with no net income at all counts as all of it, and the greatest amounts cannot trap
        var nothing = assessment(2023, perCapitaYuan: 0)
        nothing.spending = RigidSpending(medical: FieldIssue.money.upperBound, schooling: FieldIssue.money.upperBound)
        #expect(MonitoringRules.findings(nothing, previous: nil, thresholds: RuleThresholds(monitoring: nil, rigidSpending: rigid)).map(\.observed) == [1_000_000])
        // the only worker: one at the end of the year before and none now; two before and one now is not the rule
        let alone = MonitoringRules.findings(assessment(2023, perCapitaYuan: 10_000), previous: nil, workers: (1, 0), thresholds: thresholds)
        #expect(alone.map(\.rule) == [.lostOnlyWorker])
        #expect(MonitoringRules.findings(assessment(2023, perCapitaYuan: 10_000), previous: nil, workers: (2, 1), thresholds: thresholds).isEmpty)
        #expect(MonitoringRules.findings(assessment(2023, perCapitaYuan: 10_000), previous: nil, workers: (0, 0), thresholds: thresholds).isEmpty)
    }
}
