import Foundation
import SQLKit
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingExchange
import ZhenxingStore
import ZhenxingTestSupport

/// A valid ID number for a birth date and sequence.
func id(_ body: String) -> String { body + String(ResidentID.checkCharacter(for: body)) }

/// A village beside the demo one, empty.
let newVillage = try! DivisionCode(validating: "411324104202")

func addNewVillage(_ database: Database) async throws {
    try await database.transaction { sql in
        try await DivisionRepository.save(Division(code: newVillage, name: "新村"), in: sql)
    }
}

func count(_ table: String, _ database: Database) async throws -> Int {
    try await database.read { sql in try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0 }
}

@Suite struct RosterImportTests {
    let roster = """
        新村建档立卡户花名册
        户编号,姓名,身份证号,与户主关系,村民小组,户属性,主要致贫原因,务工月数,党员
        0001,王大山,\(id("41132419700101003")),户主,3,低保户,因病致贫,6,是
        0001,李小花,\(id("41132419720202002")),妻子,3,,,0,否
        0002,赵一,\(id("41132419800303001")),户主,第五组,一般户,,12,
        0002,赵二,\(id("41132420100404002")),长女,,,,,
        0003,孙甲,4113241990050500X1,户主,1,一般户,,13,
        """

    @Test(arguments: TestDatabases.engines)
    func aFileWithProblemsWritesNothingThenImportsTheValidHouseholdsThenUpdatesInPlace(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await withFolder { folder in
                // given
                try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
                try await addNewVillage(database)
                let file = folder.appendingPathComponent("新村.csv")
                try Data(roster.utf8).write(to: file)
                let peopleBefore = try await count("people", database)
                let options = RosterImport.Options(division: newVillage, asOf: "2024-01-01")
                // when: all or nothing
                let refused = try await RosterImport.run(file: file, fileName: "新村.csv", options: options, database: database, actor: .system)
                // then: every problem named by row and column, nothing stored
                #expect(!refused.written && refused.rows == 5 && refused.households == 3)
                #expect(refused.problems.map(\.row) == [7, 7])
                #expect(refused.problems.map(\.column).sorted() == ["务工月数", "身份证号"])
                #expect(refused.problems.first { $0.column == "身份证号" }?.value == "411324************")
                #expect(try await count("people", database) == peopleBefore)

                // when: the valid households only, the rest back as a file to fix
                var valid = options
                valid.mode = .validOnly
                let rejected = folder.appendingPathComponent("rejected.xlsx")
                let imported = try await RosterImport.run(file: file, fileName: "新村.csv", options: valid, database: database, actor: .system, rejectedRows: rejected)
                // then
                #expect(imported.written && imported.rejectedHouseholds == 1)
                #expect(imported.householdCounts == RosterImport.Counts(added: 2, updated: 0, unchanged: 0))
                #expect(imported.peopleCounts == RosterImport.Counts(added: 4, updated: 0, unchanged: 0))
                let back = try texts(try XLSXReader(url: rejected))
                #expect(back.count == 2 && back[1][0] == "0003" && back[1].last?.contains("务工月数") == true)
                let figures = try await RegistryRepository(database: database).figures(newVillage, asOf: "2024-12-31")
                #expect(figures.households == 2 && figures.population == 4)
                let wang = try await database.read { sql in
                    try await sql.raw("""
                        SELECT h.group_number, h.attribute, h.main_cause, p.party_member, p.months_worked, m.relation, m.from_date
                        FROM people p JOIN memberships m ON m.person_id = p.id JOIN households h ON h.id = m.household_id
                        WHERE p.name = '王大山'
                        """).first()
                }
                #expect(try wang?.decode(column: "group_number", as: Int.self) == 3)
                #expect(try wang?.decode(column: "attribute", as: String.self) == "subsistence")
                #expect(try wang?.decode(column: "main_cause", as: String.self) == "illness")
                #expect(try wang?.decode(column: "party_member", as: Bool.self) == true)
                #expect(try wang?.decode(column: "from_date", as: String.self) == "2024-01-01")

                // when: the same file again, then with one change
                let again = try await RosterImport.run(file: file, fileName: "新村.csv", options: valid, database: database, actor: .system)
                try Data(roster.replacingOccurrences(of: "因病致贫,6,是", with: "因病致贫,8,是").utf8).write(to: file)
                let changed = try await RosterImport.run(file: file, fileName: "新村.csv", options: valid, database: database, actor: .system)
                // then
                #expect(again.householdCounts == RosterImport.Counts(added: 0, updated: 0, unchanged: 2))
                #expect(again.peopleCounts == RosterImport.Counts(added: 0, updated: 0, unchanged: 4))
                #expect(changed.householdCounts == RosterImport.Counts(added: 0, updated: 1, unchanged: 1))
                #expect(changed.peopleCounts == RosterImport.Counts(added: 0, updated: 1, unchanged: 3))
                #expect(try await count("people", database) == peopleBefore + 4)
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func householdAndDatabaseRulesAreChecked(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await withFolder { folder in
                // given: a demo villager, a household without a head, a duplicate, rows of one household apart
                try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
                try await addNewVillage(database)
                let demoID = try await database.read { sql in
                    try await sql.raw("SELECT resident_id FROM people ORDER BY id LIMIT 1").first(decodingColumn: "resident_id", as: String.self)!
                }
                let file = folder.appendingPathComponent("bad.csv")
                try Data("""
                    户编号,姓名,身份证号,与户主关系,性别,家庭人数
                    0001,甲,\(demoID),户主,,1
                    0002,乙,\(id("41132419800303001")),配偶,,1
                    0003,丙,\(id("41132419800303001")),户主,女,2
                    0004,丁,\(id("41132419900909001")),户主,,
                    0003,戊,\(id("41132419910909002")),儿子,,
                    """.utf8).write(to: file)
                // when
                let report = try await RosterImport.run(file: file, fileName: "bad.csv", options: .init(division: newVillage, asOf: "2024-01-01"),
                                                        database: database, actor: .system)
                // then
                let reasons = report.problems.map { "\($0.row) \($0.column) \($0.reason.zh)" }
                #expect(reasons.contains { $0.hasPrefix("2 身份证号 此人已登记在其他村") })
                #expect(reasons.contains { $0.hasPrefix("3 与户主关系 户编号 0002 没有“户主”行") })
                #expect(reasons.contains { $0.hasPrefix("4 身份证号 身份证号与第 3 行重复") })
                #expect(reasons.contains { $0.hasPrefix("4 性别 性别与身份证号不符") })
                #expect(reasons.contains { $0.hasPrefix("4 家庭人数 家庭人数为 2，但本户有 1 行成员") })
                #expect(reasons.contains { $0.hasPrefix("6 户编号 户编号 0003 的成员行应排在一起") })
                #expect(!report.written)
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theDemoRosterExportsAndImportsBackUnchanged(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            try await withFolder { folder in
                try await LiangshuiquanDemo.load(into: database, password: { "secret123456" }, hash: { "plain:" + $0 })
                let registry = RegistryRepository(database: database)
                let before = try await registry.figures(LiangshuiquanDemo.villageCode, asOf: "2026-12-31")
                // The xlsx goes back in through the county (rows find their village by 村代码), the CSV through the village.
                for (format, division) in [(TableFormat.xlsx, try DivisionCode(validating: "411324000000")), (.csv, LiangshuiquanDemo.villageCode)] {
                    // when
                    let url = folder.appendingPathComponent("roster.\(format.rawValue)")
                    let rows = try await RosterExport.write(division: LiangshuiquanDemo.villageCode, asOf: "2026-11-29", fullIDs: true, language: .chinese,
                                                            database: database, to: try format.writer(to: url, sheet: "花名册", numericColumns: RosterExport.numericColumns))
                    let report = try await RosterImport.run(file: url, fileName: url.lastPathComponent,
                                                            options: .init(division: division, asOf: "2026-11-29"), database: database, actor: .system)
                    // then
                    #expect(rows == before.population)
                    #expect(report.problemCount == 0 && report.rows == rows)
                    #expect(report.householdCounts == RosterImport.Counts(added: 0, updated: 0, unchanged: before.households))
                    #expect(report.peopleCounts == RosterImport.Counts(added: 0, updated: 0, unchanged: rows))
                }
                #expect(try await registry.figures(LiangshuiquanDemo.villageCode, asOf: "2026-12-31") == before)
                // and an export with masked IDs is refused row by row as masked, saying how to get one that imports
                let masked = folder.appendingPathComponent("masked.csv")
                _ = try await RosterExport.write(division: LiangshuiquanDemo.villageCode, asOf: "2026-11-29", fullIDs: false, language: .chinese,
                                                 database: database, to: try TableFormat.csv.writer(to: masked, sheet: "花名册", numericColumns: RosterExport.numericColumns))
                let refused = try await RosterImport.run(file: masked, fileName: "masked.csv", options: .init(division: LiangshuiquanDemo.villageCode,
                                                         asOf: "2026-11-29"), database: database, actor: .system)
                #expect(Set(refused.problems.map(\.row)).count == before.population)
                #expect(refused.problems.allSatisfy { $0.reason.zh.contains("身份证号已脱敏") })
                #expect(try await registry.figures(LiangshuiquanDemo.villageCode, asOf: "2026-12-31") == before)
            }
        }
    }
}
