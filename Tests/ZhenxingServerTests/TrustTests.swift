import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Synchronization
import Testing
import ZhenxingDemo
import ZhenxingDomain
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

/// The defects of the trust review (issue 15), each with the test that failed before its fix.
@Suite struct TrustTests {
    let village = "411324104201"

    /// A second county's village with one household, outside every demo user but the administrator.
    func outsider(_ database: Database) async throws -> (household: Int, person: Int, id: String) {
        let id = "11010519491231002X"
        let (household, person) = try await database.transaction { sql in
            for (code, name) in [("411325000000", "邻县"), ("411325001000", "邻镇"), ("411325001201", "邻村")] {
                try await DivisionRepository.save(Division(code: DivisionCode(validating: code), name: name), in: sql)
            }
            let village = try DivisionCode(validating: "411325001201")
            let household = try await RegistryRepository.insertHousehold(
                HouseholdDraft(number: "9001", village: village, groupNumber: 1, naturalVillage: nil, address: "邻村1号", attribute: .ordinary),
                by: .system, in: sql)
            let person = try await RegistryRepository.insertPerson(
                PersonDraft(name: "外村人", residentID: ResidentID(validating: id)), since: "2014-01-01", division: village, by: .system, in: sql)
            try await RegistryRepository.addMember(person: person, household: household, relation: .head, from: "2014-01-01", reason: "登记", in: sql)
            return (household, person)
        }
        return (household, person, id)
    }

    // MARK: 1. A stored number crashes the server

    @Test(arguments: TestDatabases.engines)
    func amountsOutsideTheRangeAreRefusedAndTheLargestAcceptedRendersEverywhere(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, passwords in
            var client = browser
            let huge = 4_611_686_018_427_387_904
            let sheet = { (fen: Int) in
                #"{"members":2,"wages":\#(fen),"production":\#(fen),"property":\#(fen),"transfers":\#(fen),"productionCosts":0,"foodAndClothing":true,"education":true,"medical":true,"housing":true,"water":true}"#
            }
            // when: the amounts of the review, then the largest accepted in every field
            let refused = try await json(&client, .put, "/api/v1/households/3/assessments/2024", sheet(huge))
            let largest = try await json(&client, .put, "/api/v1/households/3/assessments/2024", sheet(FieldIssue.money.upperBound))
            let income = #"{"receivedOn":"2024-01-01","source":"入股分红","amountFen":\#(FieldIssue.money.upperBound)}"#
            let tooMuch = #"{"receivedOn":"2024-01-01","source":"入股分红","amountFen":9223372036854775807}"#
            let refusedIncome = try await json(&client, .post, "/api/v1/divisions/\(village)/collective-income", tooMuch)
            for _ in 0..<10 {
                let added = try await json(&client, .post, "/api/v1/divisions/\(village)/collective-income", income)
                #expect(added.status.code / 100 == 2, "\(added.status) \(added.text)")
            }
            var form = RenderedForm.all(in: try await client.get("/divisions/\(village)/economy?year=2024").text).first { $0.action.contains("/economy/income") }!
            form["date"] = "2024-02-01"; form["source"] = "租金"; form["amount"] = "9999999999999999.99"
            let refusedForm = try await client.submit(form)
            // then: refused with the range named, nothing stored; every read of the largest values answers
            #expect(refused.status == .badRequest && refused.text.contains("1,000,000,000.00"))
            #expect(largest.status == .ok && refusedIncome.status == .badRequest && refusedForm.status == .badRequest)
            for path in ["/households/3", "/api/v1/households/3", "/divisions/\(village)/assessments?year=2024",
                         "/divisions/\(village)/assessments/export?year=2024&format=csv", "/divisions/\(village)/economy?year=2024",
                         "/divisions/\(village)/economy/export?year=2024&format=csv", "/api/v1/divisions/\(village)/collective-income?year=2024",
                         "/api/v1/divisions/\(village)/figures?year=2024", "/divisions/\(village)/dashboard?year=2024", "/divisions/\(village)?year=2024"] {
                #expect(try await client.get(path).status == .ok, "\(path)")
            }
            var officer = try await Browser.anonymous(browser.client).signIn("zhenping.officer", passwords["zhenping.officer"]!)
            for path in ["/api/v1/divisions/411324000000/figures?year=2024", "/divisions/411324000000/dashboard?year=2024", "/divisions/411324000000?year=2024"] {
                #expect(try await officer.get(path).status == .ok, "\(path)")
            }
            // and amounts stored before the bounds (written past the checks) still render instead of trapping
            try await database.transaction { sql in
                try await sql.raw("UPDATE assessments SET wages = \(bind: huge), production = \(bind: huge) WHERE household_id = 3 AND year = 2024").run()
            }
            #expect(try await client.get("/households/3").status == .ok)
            #expect(try await client.get("/api/v1/households/3").status == .ok)
            // and no page or CSV export the village links to fails over them
            let failing = try await client.crawl(from: ["/divisions/\(village)?year=2024", "/households/3"], limit: 250)
                .filter { $0.response.status.code >= 500 }.map(\.path)
            #expect(failing.isEmpty, "\(failing)")
        }
    }

    // MARK: 2. Full ID numbers in the page and the log; 19. names and dates

    @Test(arguments: TestDatabases.engines)
    func theMemberEndingFormPostsToAWorkingAddressWithoutAnID(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let registry = RegistryRepository(database: database)
            var household = 1
            while try await registry.file(household).members.filter({ $0.toDate == nil }).count < 2 { household += 1 }
            let page = try await client.get("/households/\(household)").text
            let ends = RenderedForm.all(in: page).filter { $0.action.hasSuffix("/end") && $0.action.contains("/members/") }
            // then: the form names the household and person by id, and no ID number is anywhere in the page
            #expect(!ends.isEmpty && ends.allSatisfy { $0.action.hasPrefix("/households/\(household)/members/") && !$0.action.contains("Optional") })
            #expect(page.firstMatch(of: #/[0-9]{17}[0-9X]/#) == nil)
            // when: the form is sent as rendered
            let sent = try await client.submit(ends[0])
            #expect(sent.status == .seeOther)
            #expect(try await registry.file(household).members.filter { $0.toDate == nil }.count
                    == RenderedForm.all(in: page).filter { $0.action.hasSuffix("/end") && $0.action.contains("/members/") }.count)
        }
    }

    // MARK: 3. The ID mask can be undone

    @Test(arguments: TestDatabases.engines)
    func aViewerSeesNoIDThatCanBeCompleted(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.viewer") { browser, database, _ in
            var viewer = browser
            let people = try await database.read { sql in
                try await sql.raw("SELECT id, resident_id FROM people").all(decoding: PersonID.self, keyDecodingStrategy: .convertFromSnakeCase)
            }
            // when: a viewer crawls the village's pages and CSV exports from its page and the people list, and reads the API
            let pages = try await viewer.crawl(from: ["/divisions/\(village)", "/divisions/\(village)/people?date=2018-12-31"], limit: 300)
            var seen = pages.map(\.response.text).joined()
            for household in 1...40 {
                seen += try await viewer.get("/api/v1/households/\(household)").text
            }
            seen += try await viewer.get("/api/v1/people/\(people[0].id)").text
            #expect(pages.count == 300 && pages.allSatisfy { $0.response.status.code < 500 })
            // then: no whole number, and every mask shows the six address digits only — with the birth date and sex
            // shown beside it, about 500 numbers still fit each one
            #expect(people.allSatisfy { !seen.contains($0.residentId) })
            let masks = seen.matches(of: #/[0-9X*]{18}/#).map { String($0.output) }
            #expect(!masks.isEmpty && masks.allSatisfy { $0.wholeMatch(of: #/[0-9]{6}\*{12}/#) != nil }, "\(Set(masks).prefix(5))")
            let lastFour = String(people[0].residentId.suffix(4))
            #expect(!seen.contains("*" + lastFour))
            // and a search by the last four characters finds no one (it would complete any mask one by one)
            let searched = try await viewer.get("/divisions/\(village)/people?date=2018-12-31&q=\(lastFour)").text
            #expect(!searched.contains("/people/\(people[0].id)\""))
        }
    }

    struct PersonID: Decodable { let id: Int; let residentId: String }

    // MARK: 4. "Add member" moves a person out of another village

    @Test(arguments: TestDatabases.engines)
    func addingAMemberNeverTakesSomeoneFromAnotherVillage(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let outside = try await outsider(database)
            var form = RenderedForm.all(in: try await client.get("/households/1/members/new").text).first { $0.action == "/households/1/members" }!
            form["residentID"] = outside.id
            form["relation"] = "other"
            // when: with the right name, then with a wrong one
            form["name"] = "外村人"
            let right = try await client.submit(form)
            form["name"] = "别人"
            let wrong = try await client.submit(form)
            // then: the same refusal both times, naming neither the person nor the village; nothing moved
            #expect(right.status == .badRequest && wrong.status == .badRequest)
            let message = "已登记，不能在本户新增"
            let errors = { (page: String) in page.matches(of: #/<p class="error">([^<]*)</#).map { String($0.output.1) }.joined() }
            #expect(errors(right.text) == errors(wrong.text) && errors(right.text).contains(message))
            #expect(!errors(right.text).contains("外村人") && !right.text.contains("邻村"))
            let file = try await RegistryRepository(database: database).file(outside.household)
            #expect(file.members.map(\.personId) == [outside.person] && file.members[0].toDate == nil)
        }
    }

    // MARK: 5. Meeting attendees from any village

    @Test(arguments: TestDatabases.engines)
    func meetingAttendeesMustBeVillagers(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let outside = try await outsider(database)
            let own = try await RegistryRepository(database: database).file(1).members[0].personId
            let meeting = { (attendees: [Int]) in
                #"{"kind":"regular","title":"例会","date":"2024-03-01","place":"村委","chair":"周立新","attendees":\#(attendees)}"#
            }
            // when
            let outsiders = try await json(&client, .post, "/api/v1/divisions/\(village)/meetings", meeting([own, outside.person]))
            let tooMany = try await json(&client, .post, "/api/v1/divisions/\(village)/meetings", meeting(Array(1...40_000)))
            let villagers = try await json(&client, .post, "/api/v1/divisions/\(village)/meetings", meeting([own]))
            // then: the outsider is refused by id, never named; 40,000 ids are refused without a query
            #expect(outsiders.status == .badRequest && outsiders.text.contains("\(outside.person)") && !outsiders.text.contains("外村人"))
            #expect(tooMany.status == .badRequest && !tooMany.text.contains("外村人"))
            #expect(villagers.status == .ok || villagers.status == .created)
        }
    }

    // MARK: 6. Credentials in logs

    @Test func logLinesNeverCarryTokensQueriesOrIDNumbers() {
        let line = #"""
            ServerError(operationID: createIssue, request: POST /api/v1/divisions/411324104201/issues?q=张三&x=1 [cookie: lang=zh; zx_session=AbCdEf0123456789xyz, authorization: Bearer zx_0123456789abcdefABCDEF, x-csrf-token: 99aa], body: {"residentID":"41132419500101328X","old":"411324500101328"} password=hunter22
            """#
        let clean = LogRedaction.clean(line)
        for secret in ["AbCdEf0123456789xyz", "zx_0123456789abcdef", "q=张三", "41132419500101328X", "411324500101328", "hunter22", "99aa"] {
            #expect(!clean.contains(secret), "\(secret) in \(clean)")
        }
        #expect(clean.contains("/api/v1/divisions/411324104201/issues"))
    }

    @Test func linesWithoutWhatARuleLooksForAreWrittenAsTheyAre() {
        for plain in ["GET /households/41 200 1.2 ms", "7ff2c722c5b36940479bc8a1556f02d5", "POST /divisions/411324104201/issues 303 4.0 ms",
                      "12345678901234 digits", "zx-session", "Beare r"] {
            #expect(!LogRedaction.mayHoldSecrets(plain), "\(plain)")
            #expect(LogRedaction.clean(plain) == plain)
        }
        for secret in ["GET /people?q=1", "Bearer abc", "BEARER abc", "zx_abcdefgh12", "a=b", "cookie: x", "123456789012345", "x41132419500101328X"] {
            #expect(LogRedaction.mayHoldSecrets(secret), "\(secret)")
        }
    }

    @Test func tokensAreURLSafeBase64AndHashesAreHex() {
        for count in 0...7 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 97 + 251) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(bytes.withUnsafeBytes { Secrets.base64URL($0) } == expected)
        }
        let token = Secrets.token(prefix: "zx_")
        #expect(token.count == 3 + 43 && token != Secrets.token(prefix: "zx_"))
        #expect(Secrets.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func theRequestLogOfBadRequestsHoldsNoSecrets() async throws {
        let lines = LogLines()
        try await TestDatabases.with(.sqlite) { database in
            let credentials = try await LiangshuiquanDemo.load(into: database, password: ZhenxingServer.Passwords.random,
                                                              hash: { try await ZhenxingServer.Passwords.hash($0, cost: 4) })
            let logger = Logger(label: "zhenxing-test") { _ in
                var handler = RedactingLogHandler(CapturingLogHandler(lines: lines))
                handler.logLevel = .trace
                return handler
            }
            let app = try await buildApplication(settings: AppSettings(bcryptCost: 4), database: database, logger: logger)
            try await app.test(.router) { client in
                let anonymous = try await Browser.anonymous(client)
                let password = credentials.first { $0.user.username == "lsq.secretary" }!.password
                var browser = try await anonymous.signIn("lsq.secretary", password)
                _ = try await browser.get("/divisions/\(village)/people?q=41132419500101328X")
                _ = try await browser.send(.get, "/api/v1/households/1", headers: [.authorization: "Bearer zx_notarealtoken0123456789"], body: nil)
                _ = try await json(&browser, .post, "/api/v1/divisions/\(village)/issues", #"{"title": 5}"#)
                let session = browser.cookies["zx_session"]!
                let logged = lines.all.joined(separator: "\n")
                #expect(!logged.isEmpty)
                for secret in [session, "zx_notarealtoken0123456789", "41132419500101328X", password] {
                    #expect(!logged.contains(secret))
                }
                // and nothing shaped like a token or an ID number, whoever's it is
                #expect(logged.firstMatch(of: #/zx_[A-Za-z0-9_\-]{12,}/#) == nil)
                #expect(logged.firstMatch(of: #/(?:^|[^0-9])[0-9]{17}[0-9Xx](?![0-9])/#) == nil)
            }
        }
    }

    // MARK: 7. CSV formula injection

    @Test(arguments: TestDatabases.engines)
    func theExportOfANameThatIsAFormulaIsText(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let head = try await RegistryRepository(database: database).file(1).members[0].personId
            try await database.transaction { sql in
                try await sql.raw("UPDATE people SET name = '=HYPERLINK(\"http://evil.example\")' WHERE id = \(bind: head)").run()
            }
            let csv = try await client.get("/divisions/\(village)/people/export?date=2018-12-31&format=csv").text
            #expect(csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"))
        }
    }

    // MARK: 8. The sign-in counter of an address never decays

    @Test(arguments: TestDatabases.engines)
    func failuresFromAnAddressAreForgottenAfterAQuietSpell(engine: Database.Engine) async throws {
        try await TestDatabases.with(engine) { database in
            let throttle = SignInThrottle(database: database)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let key = "addr:10.0.0.1"
            for minute in 0..<20 {
                try await throttle.recordFailure([(key, 20)], username: "x", now: start + Double(minute) * 30, by: .system)
            }
            #expect(try await throttle.lockedUntil([key], now: start + 600) != nil)  // 20 failures in ten minutes: locked
            // a typo the next day is one failure, not the 21st
            let nextDay = start + 24 * 3600
            try await throttle.recordFailure([(key, 20)], username: "x", now: nextDay, by: .system)
            #expect(try await throttle.lockedUntil([key], now: nextDay) == nil)
        }
    }

    // MARK: 9. Open redirect; 16. a refused token loops

    @Test func onlyPathsOfThisSiteAreFollowedAfterSignIn() {
        for bad in ["/\t/evil.example", "//evil.example", "/\\evil.example", "/\n/evil", "https://evil.example", "/ /evil", "/\u{200B}/evil", "evil"] {
            #expect(SignInPages.safeNext(bad) == "/", "\(bad)")
        }
        #expect(SignInPages.safeNext("/divisions/411324104201?year=2020") == "/divisions/411324104201?year=2020")
    }

    @Test func signedInVisitorsAreNotSentOffSite() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let response = try await client.get("/signin?next=/%09/evil.example")
            #expect(response.status == .seeOther && response.headers[.location] == "/")
        }
    }

    @Test func aRefusedTokenOnAPageAnswers401InsteadOfALoop() async throws {
        try await withDemoApp(.sqlite, as: nil) { browser, _, _ in
            var client = browser
            let response = try await client.send(.get, "/divisions", headers: [.authorization: "Bearer zx_wrong"], body: nil)
            #expect(response.status == .unauthorized && response.headers[.location] == nil)
        }
    }

    // MARK: 10. An import makes web writes and sign-ins fail

    @Test func duringAnImportPeopleSignInAndWritesSayWhatTheyWaitFor() async throws {
        try await withDemoApp(.sqlite, as: nil) { anonymous, database, passwords in
            // given: an import holding the writer, as `zhenxing import` in another process does
            let lock = try #require(try database.lockForImport(what: "roster.xlsx → 411324104201"))
            let (release, released) = AsyncStream.makeStream(of: Void.self)
            let importing = Task { try await ImportLock.run(lock) { for await _ in release {} } }
            // when
            var secretary = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            let write = try await secretary.postForm("/households/1/visits", [("date", "2024-03-01"), ("visitor", "周立新"), ("seen", "看望")])
            let api = try await json(&secretary, .post, "/api/v1/divisions/\(village)/issues",
                                     #"{"title":"路灯","source":"hotline","raisedBy":"村民","category":"其他","raisedOn":"2024-03-01"}"#)
            let page = try await secretary.get("/households/1")
            let signInsDuring = try await AuditLog(database: database).entries(AuditFilter(username: "lsq.secretary", action: .signIn)).count
            released.finish()
            try await importing.value
            try await AuditLog.moveSignIns(in: database)
            let signInsAfter = try await AuditLog(database: database).entries(AuditFilter(username: "lsq.secretary", action: .signIn)).count
            // then: signed in, read, and told at once that writes wait for the import; the sign-in is audited once it ends
            #expect(write.status == .serviceUnavailable && write.headers[.retryAfter] == "30" && write.text.contains("roster.xlsx"))
            #expect(api.status == .serviceUnavailable && page.status == .ok)
            #expect(signInsDuring == 0 && signInsAfter == 1)
            let after = try await secretary.postForm("/households/1/visits", [("date", "2024-03-01"), ("visitor", "周立新"), ("seen", "看望")])
            #expect(after.status == .seeOther)
        }
    }

    /// Sessions moved to a file of their own on SQLite: a new password must still end every other session.
    @Test(arguments: TestDatabases.engines)
    func aNewPasswordEndsEveryOtherSession(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: nil) { anonymous, _, passwords in
            var laptop = try await anonymous.signIn("lsq.viewer", passwords["lsq.viewer"]!)
            var phone = try await anonymous.signIn("lsq.viewer", passwords["lsq.viewer"]!)
            var form = try #require(RenderedForm.all(in: try await laptop.get("/account").text).first { $0.action == "/account/password" })
            form["current"] = passwords["lsq.viewer"]!; form["new"] = "Liangshui-quan-2026"; form["confirm"] = "Liangshui-quan-2026"
            #expect(try await laptop.submit(form).status == .seeOther)
            let after = try await phone.get("/account")
            #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/signin") == true)
        }
    }

    // MARK: 11. Grid leaders reach past their grid

    @Test(arguments: TestDatabases.engines)
    func aGridLeaderWritesOnlyToTheGridTheyLead(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.grid") { browser, database, _ in
            var leader = browser
            let governance = GovernanceRepository(database: database)
            let grids = try await governance.grids(in: LiangshuiquanDemo.villageCode)
            let own = try await governance.grid(grids[0].id, today: "2024-01-01").households[0].id
            let other = try await governance.grid(grids[9].id, today: "2024-01-01").households[0].id
            #expect(grids[0].leaderAccount == "lsq.grid" && grids[9].leaderAccount == nil)
            let visit = { (household: Int) in [("date", "2024-03-01"), ("visitor", "网格员 王秀兰"), ("seen", "看望"), ("promised", ""), ("followUp", "")] }
            // when
            let inOwn = try await leader.postForm("/households/\(own)/visits", visit(own))
            let inOther = try await leader.postForm("/households/\(other)/visits", visit(other))
            let issue = { (household: String) in
                try await leader.postForm("/divisions/\(village)/issues", [("title", "修路"), ("source", "grid"), ("raisedBy", "王秀兰"),
                                                                           ("household", household), ("category", "基础设施"), ("raisedOn", "2024-03-01")])
            }
            let number = { (id: Int) in try await RegistryRepository(database: database).file(id).draft.number }
            let villageWide = try await issue(""), otherIssue = try await issue(try await number(other))
            let ownIssue = try await issue(try await number(own))
            // then: the own grid's household is written, the tenth grid's is not, nor anything of the village as a whole
            #expect(inOwn.status == .seeOther && inOther.status == .forbidden)
            #expect(villageWide.status == .badRequest && otherIssue.status == .badRequest && ownIssue.status == .seeOther)
            let filed = try await governance.issues(in: LiangshuiquanDemo.villageCode).filter { $0.title == "修路" }
            #expect(filed.count == 1 && filed[0].householdId == own)
            // and the household file offers the visit form only where it can be sent
            let ownPage = try await leader.get("/households/\(own)").text, otherPage = try await leader.get("/households/\(other)").text
            #expect(ownPage.contains(#"action="/households/\#(own)/visits""#) && !otherPage.contains(#"action="/households/\#(other)/visits""#))
            for path in ["/divisions/\(village)/import", "/villages/\(village)/profile/edit", "/divisions/\(village)/meetings/new"] {
                #expect(try await leader.get(path).status == .forbidden, "\(path)")
            }
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aGridLeaderMovesNoOneOutOfAnotherGridsHousehold(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "lsq.grid") { browser, database, passwords in
            var leader = browser
            let governance = GovernanceRepository(database: database)
            let grids = try await governance.grids(in: LiangshuiquanDemo.villageCode)
            let own = try await governance.grid(grids[0].id, today: "2024-01-01").households[0].id
            let other = try await governance.grid(grids[9].id, today: "2024-01-01").households[0].id
            struct Member: Decodable { let personId: Int; let residentId: String; let name: String }
            let member = try #require(try await database.read { sql in
                try await sql.raw("""
                    SELECT p.id AS person_id, p.resident_id, p.name FROM memberships m JOIN people p ON p.id = m.person_id
                    WHERE m.household_id = \(bind: other) AND m.to_date IS NULL AND m.relation <> 'head' ORDER BY p.id
                    """).first(decoding: Member.self, keyDecodingStrategy: .convertFromSnakeCase)
            })
            let fill = { (form: inout RenderedForm) in
                form["residentID"] = member.residentId
                form["name"] = member.name
                form["relation"] = "other"
                form["reason"] = "迁入"
                form["from"] = "2024-03-01"
            }
            var form = try #require(RenderedForm.all(in: try await leader.get("/households/\(own)/members/new").text)
                .first { $0.action == "/households/\(own)/members" })
            fill(&form)
            // when: the leader of the first grid takes a member of the tenth grid's household into their own
            let refused = try await leader.submit(form)
            // then: refused with the answer for someone living elsewhere; the tenth grid's household keeps them
            #expect(refused.status == .badRequest && refused.text.contains("已登记，不能在本户新增"))
            let registry = RegistryRepository(database: database)
            #expect(try await registry.file(other).members.contains { $0.personId == member.personId && $0.toDate == nil })
            // and the village's secretary, who reaches both households, may record the same move
            var secretary = try await Browser.anonymous(browser.client).signIn("lsq.secretary", passwords["lsq.secretary"]!)
            var again = try #require(RenderedForm.all(in: try await secretary.get("/households/\(own)/members/new").text)
                .first { $0.action == "/households/\(own)/members" })
            fill(&again)
            #expect(try await secretary.submit(again).status == .seeOther)
            #expect(try await registry.file(own).members.contains { $0.personId == member.personId && $0.toDate == nil })
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aCadreMakesAnAccountTheLeaderOfAGridFromItsPage(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, passwords in
            var secretary = browser
            let governance = GovernanceRepository(database: database)
            let tenth = try await governance.grids(in: LiangshuiquanDemo.villageCode)[9].id
            let household = try await governance.grid(tenth, today: "2024-01-01").households[0].id
            var form = try #require(RenderedForm.all(in: try await secretary.get("/grids/\(tenth)").text).first { $0.action == "/grids/\(tenth)/leader" })
            form["account"] = "lsq.grid"
            #expect(try await secretary.submit(form).status == .seeOther)
            var leader = try await Browser.anonymous(browser.client).signIn("lsq.grid", passwords["lsq.grid"]!)
            let visit = try await leader.postForm("/households/\(household)/visits", [("date", "2024-03-01"), ("visitor", "王秀兰"), ("seen", "看望")])
            #expect(visit.status == .seeOther)
            form["account"] = "lsq.viewer"  // not a grid leader's account
            #expect(try await secretary.submit(form).status == .badRequest)
        }
    }

    // MARK: 12. A list item of another village

    @Test(arguments: TestDatabases.engines)
    func aListItemOfAnotherVillageIsNotFoundAndNothingIsAudited(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let before = try await database.read { try await $0.raw("SELECT count(*) AS n FROM audit_log").first(decodingColumn: "n", as: Int.self)! }
            let response = try await client.postForm("/divisions/\(village)/lists/999999/status", [("status", "done"), ("year", "2018")])
            let after = try await database.read { try await $0.raw("SELECT count(*) AS n FROM audit_log").first(decodingColumn: "n", as: Int.self)! }
            #expect(response.status == .notFound && after == before)
        }
    }

    // MARK: 13. A helper bound to another village's user

    @Test(arguments: TestDatabases.engines)
    func aHelperAccountMustBeOneOfTheVillage(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, _, _ in
            var client = browser
            let helper = { (username: String) in
                #"{"name":"赵某","unit":"县局","role":"paired_helper","from":"2024-01-01","username":"\#(username)"}"#
            }
            let officer = try await json(&client, .post, "/api/v1/divisions/\(village)/helpers", helper("zhenping.officer"))
            let admin = try await json(&client, .post, "/api/v1/divisions/\(village)/helpers", helper("admin"))
            let own = try await json(&client, .post, "/api/v1/divisions/\(village)/helpers", helper("lsq.viewer"))
            #expect(officer.status == .badRequest && admin.status == .badRequest && own.status.code / 100 == 2, "\(own.status) \(own.text)")
        }
    }

    // MARK: 14. Only 72 bytes of a password count

    @Test func aPasswordLongerThanBcryptReadsIsRefused() {
        let long = String(repeating: "a1", count: 36) + "x"
        #expect(!PasswordRules.problems(long, username: "u").isEmpty)
        #expect(PasswordRules.problems(String(repeating: "国", count: 25) + "a1b2", username: "u").contains { $0.en.contains("72 bytes") })
        #expect(PasswordRules.problems("Vill4ge-ledger", username: "u").isEmpty)
    }

    @Test func signingInWithAPasswordPastItsFirst72BytesFails() async throws {
        try await withDemoApp(.sqlite, as: nil) { browser, _, passwords in
            let password = passwords["lsq.viewer"]!
            let padded = password + String(repeating: "z", count: 80 - password.utf8.count)
            await #expect(throws: Browser.SignInFailed.self) { _ = try await browser.signIn("lsq.viewer", padded) }
        }
    }

    // MARK: 15. 500 where 400 and 413 belong

    @Test(arguments: TestDatabases.engines)
    func aTakenHouseholdNumberAndAHugeFormAreTheCallersMistakes(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let taken = try await RegistryRepository(database: database).file(1).draft.number
            var form = RenderedForm.all(in: try await client.get("/divisions/\(village)/households/new").text).first { $0.action.hasSuffix("/households") }!
            form["number"] = taken; form["headName"] = "新户主"; form["headID"] = "110105199001010010"
            let duplicate = try await client.submit(form)
            #expect(duplicate.status == .badRequest && duplicate.text.contains("已被本村其他户使用"))
            let big = "_csrf=\(client.csrf)&note=" + String(repeating: "a", count: 3_000_000)
            let huge = try await client.send(.post, "/villages/\(village)/profile", headers: [.contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: big))
            #expect(huge.status == .contentTooLarge)
        }
    }

    // MARK: 18. Caching of personal data

    @Test func apiAnswersAndPagesAreNeverCached() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            for path in ["/api/v1/households/1", "/households/1", "/divisions/\(village)/people"] {
                let response = try await client.get(path)
                #expect(response.headers[.cacheControl] == "no-store", "\(path)")
            }
            let css = try await client.get("/static/app.css")
            #expect(css.headers[.cacheControl] != "no-store")
        }
    }

    // MARK: 19. Years 0001, births after today, group −1, invisible characters

    @Test func implausibleDatesGroupsAndNamesAreRefused() {
        #expect(!Day.isValid("0001-01-01") && !Day.isValid("1899-12-31") && Day.isValid("1900-01-01") && !Day.isValid("2101-01-01"))
        let village = try! DivisionCode(validating: "411324104201")
        let draft = HouseholdDraft(number: "1", village: village, groupNumber: -1, naturalVillage: nil, address: "", attribute: .ordinary)
        #expect(draft.problems().contains { $0.field == "groupNumber" })
        for name in ["张\u{200B}三", "\u{202E}三张", "张三\u{0007}", "\u{FEFF}张三"] {
            let facts = PersonFacts(name: name, ethnicity: "汉族", education: "", health: "健康", labour: "", employment: "", monthsWorked: 0,
                                    medicalInsurance: true, pensionInsurance: false, partyMember: false, phone: "")
            #expect(facts.problems().contains { $0.field == "name" }, "\(name.unicodeScalars.map(\.value))")
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aBirthDateAfterTodayInsideAnIDIsRefused(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, _, _ in
            var client = browser
            let digits = "41132421000101003"
            let future = digits + String(ResidentID.checkCharacter(for: digits))
            var form = RenderedForm.all(in: try await client.get("/households/1/members/new").text).first { $0.action == "/households/1/members" }!
            form["residentID"] = future; form["name"] = "未来人"; form["relation"] = "other"
            let response = try await client.submit(form)
            #expect(response.status == .badRequest && response.text.contains("晚于今天"))
        }
    }

    // MARK: Found by the API fuzzing: NUL characters, id lists past what a statement binds, unchecked outcomes

    @Test(arguments: TestDatabases.engines)
    func nulCharactersHugeIdListsAndBadOutcomesAreRefused(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let grid = try await GovernanceRepository(database: database).grids(in: LiangshuiquanDemo.villageCode)[0].id
            let issues = { try await database.read { try await $0.raw("SELECT count(*) AS n FROM issues").first(decodingColumn: "n", as: Int.self)! } }
            let before = try await issues()
            // when
            let api = try await json(&client, .post, "/api/v1/divisions/\(village)/issues",
                                     #"{"title":"\u0000路灯","source":"grid","raisedBy":"x","category":"c","raisedOn":"2021-05-12"}"#)
            let escaped = try await json(&client, .post, "/api/v1/divisions/\(village)/issues",
                                         #"{"title":"路灯 C:\\u0000x","source":"grid","raisedBy":"x","category":"c","raisedOn":"2021-05-12"}"#)
            let form = try await client.postForm("/divisions/\(village)/issues", [("title", "路\u{0}灯"), ("source", "grid"), ("raisedBy", "x"),
                                                                                   ("category", "c"), ("raisedOn", "2021-05-12")])
            let attendees = try await json(&client, .post, "/api/v1/divisions/\(village)/activities",
                                           #"{"kind":"lecture","title":"讲习","date":"2021-03-06","attendees":\#(Array(1...70_000))}"#)
            let households = try await json(&client, .post, "/api/v1/grids/\(grid)/households", #"{"households":\#(Array(1...70_000))}"#)
            let outcome = try await json(&client, .post, "/api/v1/divisions/\(village)/meetings",
                                         #"{"kind":"regular","title":"例会","date":"2024-03-01","place":"村委","chair":"周立新","outcomes":[{"kind":"decision","text":"修路","deadline":"明天"}]}"#)
            // then: refused as the caller's mistakes, nothing stored; a backslash before "u0000" is only text
            #expect(api.status == .badRequest && form.status == .badRequest && escaped.status.code / 100 == 2)
            #expect(attendees.status == .badRequest && households.status == .badRequest && outcome.status == .badRequest)
            #expect(try await issues() == before + 1)
        }
    }

    // MARK: 20. Idempotency keys

    @Test(arguments: TestDatabases.engines)
    func aRetriedCreateWithItsKeyWritesOnce(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            let issue = #"{"title":"路灯不亮","source":"hotline","raisedBy":"村民","category":"基础设施","raisedOn":"2024-03-01"}"#
            let key: HTTPFields = [.idempotencyKey: "retry-0001"]
            let count = { try await database.read { try await $0.raw("SELECT count(*) AS n FROM issues").first(decodingColumn: "n", as: Int.self)! } }
            let before = try await count()
            // when: the same request twice, then the key with another body
            let first = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", issue, headers: key)
            let retry = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", issue, headers: key)
            let other = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", issue.replacingOccurrences(of: "路灯", with: "水管"), headers: key)
            let bad = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", #"{"title":""}"#, headers: [.idempotencyKey: "retry-0002"])
            // then: one issue; the retry gets the first answer; a failed request leaves its key free
            #expect(first.status.code / 100 == 2 && retry.status == first.status && retry.text == first.text)
            #expect(retry.headers[.idempotentReplayed] == "true" && other.status == .unprocessableContent && bad.status == .badRequest)
            #expect(try await count() == before + 1)
            let fixed = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", issue.replacingOccurrences(of: "路灯", with: "桥"),
                                       headers: [.idempotencyKey: "retry-0002"])
            #expect(fixed.status.code / 100 == 2)
            // when: the write with key retry-0003 committed, then the process died before its answer was kept
            let crashed = issue.replacingOccurrences(of: "路灯", with: "井盖")
            let landed = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", crashed, headers: [.idempotencyKey: "retry-0003"])
            try await database.transaction { sql in
                try await sql.raw("UPDATE request_keys SET status = NULL, content_type = NULL, body = NULL WHERE request_key = 'retry-0003'").run()
            }
            let afterCrash = try await count()
            let retried = try await json(&client, .post, "/api/v1/divisions/\(village)/issues", crashed, headers: [.idempotencyKey: "retry-0003"])
            // then: the retry writes nothing a second time and says the first write landed
            let afterRetry = try await count()
            #expect(landed.status.code / 100 == 2 && retried.status == .conflict && afterRetry == afterCrash)
        }
    }
}

/// Lines a test's logger wrote.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Keeps every line it is given, as written.
struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let extra = (event.metadata ?? [:]).merging(metadata) { first, _ in first }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.message) \(extra)")
    }
}
