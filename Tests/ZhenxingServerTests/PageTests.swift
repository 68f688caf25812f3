import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import ZhenxingDemo
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct OperationsTests {
    @Test(arguments: TestDatabases.engines)
    func healthAndMetricsAnswer(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, _, passwords in
            var client = browser
            // when
            let health = try await client.get("/healthz")
            let metrics = try await client.get("/metrics")
            var anonymous = try await Browser.anonymous(browser.client)
            let refused = try await anonymous.get("/metrics")
            var cadre = try await anonymous.signIn("lsq.secretary", passwords["lsq.secretary"]!)
            let forbidden = try await cadre.get("/metrics")
            // then: health for anyone, metrics for an administrator only
            #expect(refused.status == .seeOther && forbidden.status == .forbidden)
            #expect(health.status == .ok)
            #expect(health.text == #"{"status":"ok","database":"\#(engine.rawValue)"}"#)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"zhenxing_build_info{version="0.1.0",engine="\#(engine.rawValue)"} 1"#))
        }
    }

    @Test func everyResponseCarriesTheSecurityHeadersAndARequestID() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let response = try await client.get("/divisions")
            #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.allSatisfy(\.isHexDigit) == true)
        }
    }

    @Test func staticFilesAreServedFromTheBinary() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let css = try await client.get("/static/app.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text.contains("@media print"))
            // when the browser already has it
            let etag = try #require(css.headers[.eTag])
            let again = try await client.send(.get, "/static/app.css", headers: [.ifNoneMatch: "W/\(etag)"], body: nil)
            let stale = try await client.send(.get, "/static/app.css", headers: [.ifNoneMatch: "\"0\""], body: nil)
            let since = try await client.send(.get, "/static/app.css", headers: [.ifModifiedSince: try #require(css.headers[.lastModified])], body: nil)
            let missing = try await client.get("/static/none.css")
            // then: a 304 without a body, the whole file when the tag differs, the 404 page for a file that is not there
            #expect(again.status == .notModified && again.text.isEmpty && again.headers[.eTag] == etag)
            #expect(stale.status == .ok && stale.text == css.text)
            #expect(since.status == .notModified)
            #expect(missing.status == .notFound)
        }
    }
}

@Suite struct DivisionPageTests {
    @Test(arguments: TestDatabases.engines)
    func theTreeLeadsFromProvinceToVillage(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, _, _ in
            var client = browser
            // when
            let root = try await client.get("/divisions")
            let county = try await client.get("/divisions/411324000000")
            let village = try await client.get("/divisions/411324104201")
            // then
            #expect(root.text.contains(#"<a href="/divisions/410000000000">河南省</a>"#))
            #expect(county.text.contains(#"<a href="/divisions/411324104000">老庄镇</a>"#))
            #expect(county.text.contains(#"<a href="/divisions/411300000000">南阳市</a>"#))  // breadcrumb
            #expect(village.text.contains(#"href="/villages/411324104201/profile""#))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theYearLinksAreTheYearsThatHaveRecords(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "admin") { browser, database, _ in
            var client = browser
            // when
            let page = try await client.get("/divisions/411324104201?year=2018").text
            let years = page.matches(of: #/href="/divisions/411324104201\?year=(\d{4})"/#).map { Int($0.output.1)! }
            // then: every year from the demo's first recorded status (2014) to this year of the clock (2027), none skipped
            let first = try await database.read { sql in
                try await sql.raw("SELECT min(event_date) AS d FROM status_events").first(decodingColumn: "d", as: String.self)
            }
            #expect(first?.hasPrefix("2014") == true)
            #expect(Array(Set(years)).sorted() == Array(2014...2027))
        }
    }

    @Test func theLanguageSwitchesByQueryAndIsRemembered() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            let page = "/divisions/411324104201"
            // when
            let english = try await client.get(page + "?lang=en")
            let remembered = try await client.get(page)
            let chinese = try await client.get(page + "?lang=zh-Hans")
            // then
            #expect(english.text.contains(#"<html lang="en">"#) && english.text.contains("Open the village profile"))
            #expect(english.headers[values: .setCookie].contains { $0.hasPrefix("lang=en") && $0.contains("HttpOnly") })
            #expect(remembered.text.contains("Open the village profile"))
            #expect(chinese.text.contains(#"<html lang="zh-Hans">"#) && chinese.text.contains("查看村情概况"))
        }
    }

    @Test func unknownAndMalformedCodesGetAnErrorPage() async throws {
        try await withDemoApp(.sqlite, as: "admin") { browser, _, _ in
            var client = browser
            let unknown = try await client.get("/divisions/411324104299")
            let malformed = try await client.get("/divisions/41132410")
            let noRoute = try await client.get("/nowhere?lang=en")
            #expect(unknown.status == .notFound && unknown.text.contains("区划 411324104299 不存在"))
            #expect(malformed.status == .badRequest && malformed.text.contains("12 位数字"))
            #expect(noRoute.status == .notFound && noRoute.text.contains("Page not found"))
        }
    }
}

@Suite struct VillageProfilePageTests {
    let path = "/villages/411324104201/profile"

    @Test(arguments: TestDatabases.engines)
    func theProfileShowsTheVillageFacts(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, _, _ in
            var client = browser
            // when
            let page = try await client.get(path)
            let english = try await client.get(path + "?lang=en")
            // then
            #expect(page.status == .ok)
            for fact in ["4.87", "795", "6,500", "河南省定深度贫困村", "第二批“国家森林乡村”", "村民小组（10 个）", "自然村（14 个）", "第十村民小组", "杨树庄"] {
                #expect(page.text.contains(fact), "missing \(fact)")
            }
            #expect(english.text.contains("Village groups (10)") && english.text.contains("km²"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aValidEditIsSavedAndShown(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // given
            var fields = try await formFields(&client)
            set(&fields, "farmland", "800.5")
            set(&fields, "naturalVillages", "凉水泉\n新庄")
            // when
            let response = try await client.postForm(path, fields)
            // then
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == path + "?saved=1")
            let stored = try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode)
            #expect(stored.profile.farmlandMuHundredths == 80_050)
            #expect(stored.profile.naturalVillages == ["凉水泉", "新庄"])
            #expect(try await client.get(path + "?saved=1").text.contains("已保存"))
        }
    }

    @Test func badInputKeepsWhatWasTypedAndNamesEachField() async throws {
        try await withDemoApp(.sqlite) { browser, database, _ in
            var client = browser
            // given
            var fields = try await formFields(&client)
            set(&fields, "area", "4,87km")
            set(&fields, "groups", "1 一组\n1 又一组\n组三")
            set(&fields, "naturalVillages", "<script>alert(1)</script>")
            let before = try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode)
            // when
            let response = try await client.postForm(path, fields)
            // then
            #expect(response.status == .badRequest)
            #expect(response.text.contains("请填写数字，最多 6 位小数"))
            #expect(response.text.contains("第 3 行应为“数字 空格 名称”"))
            #expect(response.text.contains(#"value="4,87km""#))
            #expect(response.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!response.text.contains("<script>alert"))
            #expect(try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode) == before)
        }
    }

    @Test func aDomainRuleBrokenOnALineNamesTheLine() async throws {
        try await withDemoApp(.sqlite) { browser, _, _ in
            var client = browser
            var fields = try await formFields(&client)
            set(&fields, "groups", "1 一组\n1 又一组")
            let response = try await client.postForm(path, fields)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("第 2 行：组号 1 重复"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func aStaleEditShowsWhatChangedInstead(engine: Database.Engine) async throws {
        try await withDemoApp(engine) { browser, database, _ in
            var client = browser
            // given: two editors read version N; the first saves
            var first = try await formFields(&client)
            var second = first
            set(&first, "farmland", "801")
            #expect(try await client.postForm(path, first).status == .seeOther)
            set(&second, "mountainLand", "6600")
            // when
            let response = try await client.postForm(path, second)
            // then
            #expect(response.status == .conflict)
            #expect(response.text.contains("保存冲突"))
            #expect(response.text.contains("<td class=\"pre\">801</td><td class=\"pre\">795</td>"))
            let stored = try await VillageProfileRepository(database: database).get(LiangshuiquanDemo.villageCode)
            #expect(stored.profile.farmlandMuHundredths == 80_100)
            #expect(stored.profile.mountainLandMuHundredths == 650_000)
        }
    }

    @Test func aProfileOfANonVillageIsNotFound() async throws {
        try await withDemoApp(.sqlite, as: "admin") { browser, _, _ in
            var client = browser
            let response = try await client.get("/villages/411324104000/profile")
            #expect(response.status == .notFound)
        }
    }

    /// The edit form's fields as the browser would post them.
    private func formFields(_ client: inout Browser) async throws -> [(String, String)] {
        let html = try await client.get(path + "/edit").text
        var fields: [(String, String)] = []
        let input = try Regex(#"<input (?:type="hidden" )?(?:id="[^"]*" )?name="([^"]+)" value="([^"]*)""#)
        for match in html.matches(of: input) {
            fields.append((String(match.output[1].substring!), unescape(String(match.output[2].substring!))))
        }
        let area = try Regex(#"<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>"#)
        for match in html.matches(of: area) {
            fields.append((String(match.output[1].substring!), unescape(String(match.output[2].substring!))))
        }
        return fields.filter { $0.0 != "_csrf" }
    }

    private func set(_ fields: inout [(String, String)], _ name: String, _ value: String) {
        fields = fields.map { $0.0 == name ? (name, value) : $0 }
    }

    private func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

@Suite struct TemplateTests {
    @Test func everyStringATemplateUsesExists() throws {
        // given
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/ZhenxingServer/Resources/templates").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(files.count >= 5)
        let known = try Regex(#"\{\{t\.([a-z_]+)\}\}"#)
        // then
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: known) {
                let key = String(match.output[1].substring!)
                #expect(Strings.table[key] != nil, "\(file) uses t.\(key), which has no translation")
            }
        }
    }
}
