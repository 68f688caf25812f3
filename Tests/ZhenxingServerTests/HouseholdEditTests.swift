import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import ZhenxingDemo
import ZhenxingDomain
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct HouseholdEditTests {
    let village = "/divisions/411324104201"

    /// A valid ID number born on `date` with sequence `sequence`.
    func id(_ date: String, _ sequence: String) -> String {
        let head = "411324" + date.replacingOccurrences(of: "-", with: "") + sequence
        return head + String(ResidentID.checkCharacter(for: head))
    }

    @Test(arguments: TestDatabases.engines)
    func aNewPoorHouseholdShowsInTheFiguresAtOnce(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, database, _ in
            var client = browser
            let before = try await FiguresQuery(database: database).document(LiangshuiquanDemo.villageCode, year: 2026).registry
            // when: a household is registered, then a member added, then the county marks it poor
            let created = try await client.postForm(village + "/households", [
                ("number", "0999"), ("group", "3"), ("naturalVillage", "上庄"), ("address", "凉水泉村三组8号"),
                ("attribute", "subsistence"), ("mainCause", "illness"), ("otherCauses[]", "lack_of_funds"),
                ("headName", "韩大山"), ("headID", id("1970-03-04", "013")), ("from", "2026-01-05"),
            ])
            let location = try #require(created.headers[.location])
            let household = try #require(Int(location.split(separator: "/").last!))
            let member = try await client.postForm("/households/\(household)/members", [
                ("name", "韩小雨"), ("residentID", id("2005-07-08", "024")), ("birthDate", "2005-07-08"), ("relation", "daughter"),
                ("from", "2026-01-05"), ("reason", "登记"),
            ])
            let status = try await client.postForm("/households/\(household)/status", [
                ("status", "monitored"), ("kind", "sudden_hardship"), ("date", "2026-02-01"), ("reason", "大病支出骤增"), ("decidedBy", "镇平县人民政府"),
            ])
            // then
            #expect(created.status == .seeOther && member.status == .seeOther && status.status == .seeOther)
            let after = try await FiguresQuery(database: database).document(LiangshuiquanDemo.villageCode, year: 2026).registry
            #expect(after.population == before.population + 2)
            #expect(after.monitoredHouseholds == before.monitoredHouseholds + 1)
            let page = try await client.get("/households/\(household)").text
            #expect(page.contains("韩大山") && page.contains("韩小雨") && page.contains("突发严重困难户") && page.contains("因病、缺资金"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anExitNeedsAPassingCheckOfItsYearOrAReasonOnRecord(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "zhenping.officer") { browser, database, _ in
            var client = browser
            let registry = RegistryRepository(database: database)
            // given: a demo household whose 2016 assessment fails the exit check (it was poor that year)
            var failing: Int?
            for row in try await registry.households(in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2016-12-31", after: nil, limit: 300) {
                let file = try await registry.file(row.id)
                if let check = try await registry.exitChecks(file)[2016], !check.lines.allSatisfy(\.passes) { failing = row.id; break }
            }
            let household = try #require(failing)
            var form = try #require(RenderedForm.all(in: try await client.get("/households/\(household)").text)
                .first { $0.action == "/households/\(household)/status" })
            form["status"] = "exited"
            form["reason"] = "人均纯收入超过贫困线"
            form["decidedBy"] = "镇平县人民政府"
            // when: an exit dated in 2016; then, the household found poor again in 2025, an exit that year (no assessment),
            // then the same with a reason; and an exit of a household that was never poor
            form["date"] = "2016-12-20"
            let failingYear = try await client.submit(form)
            var poorAgain = form
            poorAgain["status"] = "poor"
            poorAgain["date"] = "2025-01-10"
            #expect(try await client.submit(poorAgain).status == .seeOther)
            form["date"] = "2025-12-20"
            let noAssessment = try await client.submit(form)
            let neverPoor = try await client.postForm("/households/5/status", [("status", "exited"), ("date", "2025-12-20"), ("reason", "收入达标"),
                                                                              ("decidedBy", "镇平县人民政府"), ("override", "县级评估")])
            form["override"] = "县级评估认定稳定脱贫"
            let overridden = try await client.submit(form)
            // then: the first two are refused, naming why; the third is kept with its reason, on the file and in the audit log
            #expect(failingYear.status == .badRequest && failingYear.text.contains("2016 年核查未达脱贫标准"))
            #expect(noAssessment.status == .badRequest && noAssessment.text.contains("2025 年没有年度核查"))
            #expect(overridden.status == .seeOther)
            #expect(neverPoor.status == .badRequest && neverPoor.text.contains("本户不是贫困户，不能登记脱贫"))
            let events = try await registry.file(household).statusChanges
            #expect(!events.contains { $0.date == "2016-12-20" })
            #expect(events.last?.date == "2025-12-20" && events.last?.status == .exited && events.last?.override == "县级评估认定稳定脱贫")
            #expect(try await client.get("/households/\(household)").text.contains("县级评估认定稳定脱贫"))
            let audited = try await database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM audit_log WHERE after_json LIKE '%县级评估认定稳定脱贫%'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 1)
            // and the API keeps the same rule
            #expect(try await json(&client, .post, "/api/v1/households/\(household)/status-events",
                                   #"{"date":"2026-01-01","status":"poor","reason":"返贫","decidedBy":"镇平县人民政府"}"#).status == .ok)
            let exit = { (override: String) in
                #"{"date":"2026-01-10","status":"exited","reason":"收入达标","decidedBy":"镇平县人民政府"\#(override)}"#
            }
            let refused = try await json(&client, .post, "/api/v1/households/\(household)/status-events", exit(""))
            let kept = try await json(&client, .post, "/api/v1/households/\(household)/status-events", exit(#","override":"县级复核通过""#))
            #expect(refused.status == .badRequest && refused.text.contains("2026 年没有年度核查"))
            #expect(kept.status == .ok && kept.text.contains("县级复核通过"))
        }
    }

    @Test func badHouseholdInputNamesEachFieldAndStoresNothing() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            let existing = try await RegistryRepository(database: database).file(1).members[0].residentId
            let count = { try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(), asOf: "2030-01-01", after: "0000", limit: 1000).count }
            let before = try await count()
            // when
            let badID = try await client.postForm(village + "/households", [
                ("number", "0998"), ("attribute", "ordinary"), ("headName", "张三"), ("headID", "411324197003040131"), ("from", "2026-01-05"),
            ])
            let duplicate = try await client.postForm(village + "/households", [
                ("number", "0998"), ("attribute", "ordinary"), ("headName", "张三"), ("headID", existing), ("from", "2026-01-05"),
            ])
            let takenNumber = try await client.postForm(village + "/households", [
                ("number", "0001"), ("attribute", "ordinary"), ("headName", "张三"), ("headID", id("1970-03-04", "013")), ("from", "nope"),
            ])
            // then
            #expect(badID.status == .badRequest && badID.text.contains("校验位应为"))
            #expect(duplicate.status == .badRequest && duplicate.text.contains("已登记在其他人名下"))
            #expect(duplicate.text.contains("身份证号 \(existing.prefix(6))************ 已登记"))  // the message masks it
            #expect(takenNumber.status == .badRequest && takenNumber.text.contains("请填写 1900 到 2100 年之间的日期"))
            #expect(try await count() == before)
        }
    }

    @Test func aBirthDateThatContradictsTheIDIsRefused() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let response = try await client.postForm("/households/1/members", [
                ("name", "新生儿"), ("residentID", id("2026-01-02", "015")), ("birthDate", "2026-01-03"), ("relation", "grandchild"),
                ("from", "2026-01-02"), ("reason", "出生"),
            ])
            #expect(response.status == .badRequest)
            #expect(response.text.contains("与身份证号中的 2026-01-02 不一致"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aStaleHouseholdEditShowsWhatChanged(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, _, _ in
            var client = browser
            let form = try await client.get("/households/1/edit").text
            let version = try #require(form.firstMatch(of: #/name="version" value="(\d+)"/#).map { String($0.output.1) })
            let fields = [("version", version), ("number", "0001"), ("attribute", "ordinary"), ("group", "1")]
            #expect(try await client.postForm("/households/1", fields + [("address", "新地址一")]).status == .seeOther)
            let stale = try await client.postForm("/households/1", fields + [("address", "新地址二")])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("新地址一") && stale.text.contains("新地址二"))
        }
    }

    @Test func endingAMembershipKeepsTheHistory() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            let file = try await RegistryRepository(database: database).file(1)
            let spouse = try #require(file.members.first { $0.relation == "spouse" && $0.toDate == nil })
            let early = try await client.postForm("/households/1/members/\(spouse.personId)/end", [("date", "2000-01-01"), ("reason", "迁出")])
            let ended = try await client.postForm("/households/1/members/\(spouse.personId)/end", [("date", "2026-03-01"), ("reason", "迁出")])
            #expect(early.status == .badRequest)
            #expect(ended.status == .seeOther)
            let after = try await RegistryRepository(database: database).file(1)
            let record = try #require(after.members.first { $0.personId == spouse.personId })
            #expect(record.toDate == "2026-03-01" && record.reasonOut == "迁出")
        }
    }

    @Test(arguments: TestDatabases.engines)
    func anAssessmentIsCheckedAgainstThatYearsLine(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // when: 2 members, 9,000 yuan net — 4,500 each, above 2026's line (4,000 carried from 2020) — but no safe housing
            let saved = try await client.postForm("/households/1/assessments", [
                ("year", "2026"), ("members", "2"), ("wages", "6000"), ("production", "3500.50"), ("property", ""), ("transfers", "0"),
                ("productionCosts", "500.50"), ("guarantees[]", "foodAndClothing"), ("guarantees[]", "education"),
                ("guarantees[]", "medical"), ("guarantees[]", "water"), ("note", "C级危房"),
            ])
            let negative = try await client.postForm("/households/1/assessments", [("year", "2026"), ("members", "2"), ("wages", "-1")])
            // then
            #expect(saved.status == .seeOther)
            #expect(negative.status == .badRequest && negative.text.contains("金额应在 0 到"))
            let stored = try #require(try await RegistryRepository(database: database).file(1).assessments.first { $0.year == 2026 })
            #expect(stored.income.netIncome == 900_000 && !stored.guarantees.housing)
            let page = try await client.get("/households/1").text
            #expect(page.contains("4,500.00 元") && page.contains("未达到脱贫标准") && page.contains("✗ 未达标"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aRegisteredPersonMovesBetweenHouseholdsKeepingBothHistories(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let registry = RegistryRepository(database: database)
            let son = try #require(try await registry.file(2).members.first { $0.toDate == nil && $0.relation != "head" })
            // when: the same person, by ID and name, joins household 3
            let wrongName = try await client.postForm("/households/3/members", [
                ("name", "别人"), ("residentID", son.residentId), ("relation", "other"), ("from", "2026-04-01"), ("reason", "分户迁入"),
            ])
            let moved = try await client.postForm("/households/3/members", [
                ("name", son.name), ("residentID", son.residentId), ("relation", "son_in_law"), ("from", "2026-04-01"), ("reason", "分户迁入"),
            ])
            // then
            #expect(wrongName.status == .badRequest && wrongName.text.contains("已登记，不能在本户新增"))
            #expect(moved.status == .seeOther)
            let left = try #require(try await registry.file(2).members.first { $0.personId == son.personId })
            let joined = try #require(try await registry.file(3).members.first { $0.personId == son.personId })
            #expect(left.toDate == "2026-04-01" && left.reasonOut == "迁往其他户")
            #expect(joined.fromDate == "2026-04-01" && joined.toDate == nil && joined.relation == "son_in_law")
            let figures = try await registry.figures(LiangshuiquanDemo.villageCode, asOf: "2026-12-31")
            let before = try await registry.figures(LiangshuiquanDemo.villageCode, asOf: "2026-03-31")
            #expect(figures.population == before.population)  // a move inside the village changes no total
        }
    }

    @Test func aHouseholdIsClosedNeverDeleted() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            let registry = RegistryRepository(database: database)
            let members = try await registry.file(5).members.filter { $0.toDate == nil }
            let refused = try await client.postForm("/households/5/close", [("date", "2026-05-01"), ("reason", "全户迁出")])
            #expect(refused.status == .badRequest && refused.text.contains("请先登记他们离开"))
            for member in members {
                _ = try await registry.endMember(person: member.personId, household: 5, on: "2026-04-30", reason: "迁出", by: .system)
            }
            let closed = try await client.postForm("/households/5/close", [("date", "2026-05-01"), ("reason", "全户迁出")])
            #expect(closed.status == .seeOther)
            let page = try await client.get("/households/5").text
            #expect(page.contains("已于 2026-05-01 注销：全户迁出"))
            let listed = try await registry.households(in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(search: "0005"), asOf: "2026-06-01", after: nil, limit: 5)
            #expect(listed.isEmpty)
            #expect(try await registry.file(5).members.count == members.count)
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aPersonsFactsAreEditedWithVersionsAndAudited(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let head = try await RegistryRepository(database: database).file(1).members[0]
            let form = try await client.get("/people/\(head.personId)/edit").text
            let version = try #require(form.firstMatch(of: #/name="version" value="(\d+)"/#).map { String($0.output.1) })
            // the form offers today as the day the work changed from
            let since = try #require(form.firstMatch(of: #/name="workSince" type="date" value="([0-9-]+)"/#).map { String($0.output.1) })
            #expect(since == "2027-01-15")
            let fields = [("version", version), ("name", head.name), ("ethnicity", "汉族"), ("education", "初中"), ("health", "长期慢性病"),
                          ("labour", "弱劳动力或半劳动力"), ("employment", "公益岗位"), ("monthsWorked", "10"), ("workSince", since), ("flags[]", "medical"),
                          ("phone", "13900000000")]
            let badPhone = try await client.postForm("/people/\(head.personId)", fields.map { $0.0 == "phone" ? ("phone", "call me") : $0 })
            let saved = try await client.postForm("/people/\(head.personId)", fields)
            let stale = try await client.postForm("/people/\(head.personId)", fields)
            #expect(badPhone.status == .badRequest && badPhone.text.contains("电话号码格式不对"))
            #expect(saved.status == .seeOther && stale.status == .conflict)
            let page = try await client.get("/people/\(head.personId)").text
            #expect(page.contains("公益岗位") && page.contains("长期慢性病") && page.contains(">0001<") && !page.contains(head.residentId))
            // the work history shows the new record from its day beside the first one
            #expect(page.contains("就业情况记录") && page.contains(">\(since)</td><td data-label=\"劳动技能\">弱劳动力或半劳动力</td><td data-label=\"务工情况\">公益岗位</td>") && page.contains(">2014-01-01</td>"))
            // a day after today is refused with the form kept
            let future = try await client.postForm("/people/\(head.personId)", fields.map { $0.0 == "workSince" ? ("workSince", "2100-01-01") : $0.0 == "employment" ? ("employment", "外出务工") : $0 }
                .map { $0.0 == "version" ? ("version", String(Int(version)! + 1)) : $0 })
            #expect(future.status == .badRequest && future.text.contains("就业情况的起始日期不能晚于今天"))
            let audit = try await AuditLog(database: database).entries(AuditFilter(username: "lsq.secretary", action: .update))
            #expect(audit.contains { $0.entity == "person" && $0.afterJson?.contains("公益岗位") == true })
        }
    }

    @Test(arguments: TestDatabases.engines)
    func assessmentsAndParametersRefuseStaleEdits(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, database, _ in
            var client = browser
            let poor = try await RegistryRepository(database: database).households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(status: .poor, search: nil), asOf: "2016-12-31", after: nil, limit: 1)[0]
            let form = try await client.get("/households/\(poor.id)/assessments/new?year=2016").text
            let version = try #require(form.firstMatch(of: #/name="version" value="(\d+)"/#).map { String($0.output.1) })
            let fields = [("version", version), ("year", "2016"), ("members", "2"), ("wages", "100")]
            let first = try await client.postForm("/households/\(poor.id)/assessments", fields)
            let second = try await client.postForm("/households/\(poor.id)/assessments", fields)
            #expect(first.status == .seeOther && second.status == .conflict)
            // a parameters row that exists cannot be replaced without its version
            let blind = try await client.postForm("/admin/parameters", [("scope", "*"), ("year", "2014"), ("povertyLine", "2900"), ("source", "x")])
            #expect(blind.status == .conflict && blind.text.contains("这一行已存在"))
            let edit = try await client.get("/admin/parameters?edit=*/2014").text
            let rowVersion = try #require(edit.firstMatch(of: #/name="version" value="(\d+)"/#).map { String($0.output.1) })
            let replaced = try await client.postForm("/admin/parameters", [
                ("version", rowVersion), ("scope", "*"), ("year", "2014"), ("povertyLine", "2900"), ("source", "更正"),
            ])
            #expect(replaced.status == .seeOther)
            let line = try await RegistryRepository(database: database).parameters(for: LiangshuiquanDemo.villageCode, year: 2016).povertyLineFen
            #expect(line == 290_000)
        }
    }

    @Test func theListFiltersByCause() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            let page = try await client.get("/divisions/411324104201/households?cause=lack_of_funds").text
            let shown = page.matches(of: #/href="/households/\d+"/#).count
            let registry = RegistryRepository(database: database)
            let expected = try await registry.households(
                in: LiangshuiquanDemo.villageCode, filter: HouseholdFilter(cause: .lackOfFunds), asOf: "2030-01-01", after: nil, limit: 500)
            #expect(shown == min(50, expected.count) && expected.count > 0)
            for row in expected {
                let file = try await registry.file(row.id)
                #expect(file.draft.mainCause == .lackOfFunds || file.draft.otherCauses.contains(.lackOfFunds))
            }
        }
    }
}
