import Foundation
import Testing
import ZhenxingStore
import ZhenxingTestSupport

/// "Today" is the calendar day where the deployment is (Asia/Shanghai), on the pages and in the API alike.
@Suite struct DayTests {
    /// 2024-03-01 23:30 UTC, when it is already 07:30 on 2 March in Beijing.
    static let lateEveningUTC = Timestamp.date("2024-03-01T23:30:00.000Z")!

    @Test(arguments: TestDatabases.engines)
    func atHalfPastElevenUTCTodayIsTheNextDayInBeijing(engine: Database.Engine) async throws {
        try await withDemoApp(engine, clock: TestClock(at: Self.lateEveningUTC)) { browser, _, _ in
            var client = browser
            // given: the household file's visit form
            let page = try await client.get("/households/1").text
            var form = try #require(RenderedForm.all(in: page).first { $0.action == "/households/1/visits" })
            // then: it proposes Beijing's day, not UTC's
            #expect(form["date"] == "2024-03-02")
            // when: a visit of that day is sent from the form and through the API, and one of the day after through the API
            form["visitor"] = "帮扶责任人"
            form["seen"] = "家中"
            let sent = try await client.submit(form)
            let visit = { (day: String) in #"{"date":"\#(day)","visitor":"帮扶责任人","seen":"家中"}"# }
            let api = try await json(&client, .post, "/api/v1/households/1/visits", visit("2024-03-02"))
            let tomorrow = try await json(&client, .post, "/api/v1/households/1/visits", visit("2024-03-03"))
            // then: Beijing's today is no day in the future, its tomorrow is
            #expect(sent.status == .seeOther)
            #expect(api.status == .created, "\(api.text)")
            #expect(tomorrow.status == .badRequest && tomorrow.text.contains("走访日期不能晚于今天"))
        }
    }
}
