import Testing
import ZhenxingDomain

@Suite struct DivisionCodeTests {
    @Test(arguments: [
        ("410000000000", DivisionLevel.province), ("411300000000", .city), ("411324000000", .county),
        ("411324104000", .township), ("411324104201", .village),
    ])
    func levelComesFromTheDigits(text: String, level: DivisionLevel) throws {
        // when
        let code = try DivisionCode(validating: text)
        // then
        #expect(code.level == level)
    }

    @Test func parentAndChainAreDerived() throws {
        // given
        let village = try DivisionCode(validating: "411324104201")
        // then
        #expect(village.parent?.rawValue == "411324104000")
        #expect(village.chain.map(\.rawValue) == ["410000000000", "411300000000", "411324000000", "411324104000", "411324104201"])
        #expect(try DivisionCode(validating: "410000000000").parent == nil)
        #expect(try DivisionCode(validating: "411324000000").contains(village))
        #expect(!(try DivisionCode(validating: "411325000000").contains(village)))
    }

    @Test(arguments: [
        ("41132410420", "12 位"), ("4113241042011", "12 位"), ("41132410420a", "数字"), ("４11324104201", "数字"),
        ("000000000000", "00"), ("411324000201", "上一级"), ("410024000000", "上一级"), ("", "12 位"),
    ])
    func malformedCodesAreRefusedWithTheReason(text: String, reason: String) {
        // when
        let failure = #expect(throws: ValidationFailure.self) { try DivisionCode(validating: text) }
        // then
        #expect(failure?.issues.first?.field == "code")
        #expect(failure?.issues.first?.message.zh.contains(reason) == true)
        #expect(failure?.issues.first?.message.en.isEmpty == false)
    }

    @Test func divisionNamesMustBePresent() throws {
        let code = try DivisionCode(validating: "411324104201")
        #expect(throws: ValidationFailure.self) { try Division(code: code, name: "  ") }
        #expect(try Division(code: code, name: " 凉水泉村 ").name == "凉水泉村")
    }
}

@Suite struct FixedPointTests {
    @Test(arguments: [
        ("4.87", 6, 4_870_000), ("795", 2, 79_500), ("6,500", 2, 650_000), ("0.01", 2, 1), ("-1.5", 2, -150), ("  12 ", 0, 12),
    ])
    func parsesExactly(text: String, scale: Int, value: Int) {
        #expect(FixedPoint.parse(text, scale: scale) == value)
    }

    @Test(arguments: ["", "abc", "1.234", "1.", ".5", "1e3", "1.2.3", "99999999999999999999"])
    func refusesWhatIsNotANumberAtThatScale(text: String) {
        #expect(FixedPoint.parse(text, scale: 2) == nil)
    }

    @Test func formatsWithGroupingAndTrimmedDecimals() {
        #expect(FixedPoint.format(4_870_000, scale: 6) == "4.87")
        #expect(FixedPoint.format(650_000, scale: 2) == "6,500")
        #expect(FixedPoint.format(123_456_789, scale: 2, minimumFractionDigits: 2) == "1,234,567.89")
        #expect(FixedPoint.format(-150, scale: 2, minimumFractionDigits: 2) == "-1.50")
        #expect(FixedPoint.format(650_000, scale: 2, grouped: false) == "6500")
    }
}

@Suite struct VillageProfileTests {
    @Test func aCleanProfileIsSortedAndTrimmed() throws {
        // given
        let profile = VillageProfile(
            areaSquareMetres: 4_870_000, honours: [VillageHonour(year: 2022, title: "b"), VillageHonour(year: 2019, title: " a ")],
            groups: [VillageGroup(number: 2, name: "二组"), VillageGroup(number: 1, name: "一组")], naturalVillages: [" 上庄"])
        // when
        let clean = try profile.validated()
        // then
        #expect(clean.groups.map(\.number) == [1, 2])
        #expect(clean.honours.map(\.title) == ["a", "b"])
        #expect(clean.naturalVillages == ["上庄"])
    }

    @Test func everyProblemIsReportedAtOnceWithItsField() {
        // given
        let profile = VillageProfile(
            areaSquareMetres: -1, designations: [""], honours: [VillageHonour(year: 1800, title: "x")],
            groups: [VillageGroup(number: 1, name: "一组"), VillageGroup(number: 1, name: "又一组")],
            naturalVillages: ["上庄", "上庄"])
        // when
        let failure = #expect(throws: ValidationFailure.self) { try profile.validated() }
        // then
        #expect(failure?.issues.map(\.field) == [
            "areaSquareMetres", "designations[0]", "honours[0].year", "groups[1].number", "naturalVillages[1]",
        ])
    }
}
