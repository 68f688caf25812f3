import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

@Suite struct DashboardTests {
    @Test func axesEndOnRoundNumbers() {
        #expect(Chart.scale(0) == (1, 0.25))
        // counts step by whole numbers
        #expect(Chart.scale(3, whole: true) == (5, 1) && Chart.scale(1, whole: true) == (1, 1) && Chart.scale(0, whole: true) == (1, 1))
        #expect(Chart.scale(2, whole: true) == (2, 1) && Chart.scale(639, whole: true) == (1_000, 250))
        #expect(Chart.scale(25.59) == (50, 10))
        #expect(Chart.scale(639) == (1_000, 250))
        #expect(Chart.scale(500_000) == (500_000, 100_000))
        #expect(Chart.scale(213) == (250, 50))
    }

    @Test func chartLabelsAreEscaped() {
        let chart = Chart.bars(title: "A<B", unit: "人", points: [Chart.Point(label: "<script>", value: 3, text: "3")])
        #expect(!chart.svg.contains("<script>") && chart.svg.contains("&lt;script&gt;") && chart.svg.contains("aria-label=\"A&lt;B\""))
    }

    @Test func valuesThatAreNotNumbersDrawWithoutTrapping() {
        let points = [Chart.Point(label: "2020", value: .nan, text: "—"), Chart.Point(label: "2021", value: .infinity, text: "∞")]
        let line = Chart.line(title: "率", unit: "%", points: points, labels: ["2020", "2021"])
        let bars = Chart.bars(title: "率", unit: "%", points: points)
        for svg in [line.svg, bars.svg] {
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>") && !svg.contains("nan") && !svg.contains("inf"))
        }
    }

    @Test(arguments: TestDatabases.engines)
    func theDashboardDrawsTheYearsFiguresAndRanksTheDivisionsBelow(engine: Database.Engine) async throws {
        try await withDemoApp(engine, as: "zhenping.officer") { signedIn, _, _ in
            var browser = signedIn
            // the village's 2020 report: incidence over the years, employment, lectures and income, each with its numbers
            let village = try await browser.get("/divisions/411324104201/dashboard?year=2020").text
            #expect(village.contains("凉水泉村 2020 年度报告") && village.matches(of: #/<svg /#).count >= 6)
            #expect(village.contains("<th scope=\"row\">2016</th><td class=\"num\">25.59 %</td>") && village.contains(">50 万元<") && village.contains("639"))
            #expect(!village.contains("下级区划排名"))
            // the township ranks its villages by the chosen figure, each linking to its own dashboard
            let township = try await browser.get("/divisions/411324104000/dashboard?year=2016&sort=poor").text
            #expect(township.contains("下级区划排名") && township.contains("href=\"/divisions/411324104201/dashboard?year=2016\"")
                    && township.contains("<strong>贫困户 ▼</strong>") && township.contains("25.59 %"))
            // bad input: a year outside the records' range, an unknown division
            #expect(try await browser.get("/divisions/411324104201/dashboard?year=1999").status == .badRequest)
            #expect(try await browser.get("/divisions/411324999999/dashboard").status == .notFound)
        }
    }
}
