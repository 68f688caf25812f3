import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The dashboard of a division for a year, printable as its annual report: charts drawn on the server, each with
/// its numbers as a table, and for a township or higher the divisions below ranked by a chosen figure.
struct DashboardPages: Sendable {
    let figures: FiguresQuery
    let divisions: DivisionRepository
    let renderer: PageRenderer
    let settings: AppSettings
    let monitoring: MonitoringRepository

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/dashboard", .pathDivision(.readRecords), use: show)
    }

    /// A figure the divisions below can be ranked by.
    enum RankKey: String, CaseIterable {
        case population, poorHouseholds = "poor", incidence, openIssues = "issues", collectiveIncome = "income", employment

        var title: LocalizedText {
            switch self {
            case .population: LocalizedText(zh: "户籍人口", en: "Population")
            case .poorHouseholds: LocalizedText(zh: "贫困户", en: "Poor households")
            case .incidence: LocalizedText(zh: "贫困发生率", en: "Poverty incidence")
            case .openIssues: LocalizedText(zh: "未办结问题", en: "Open issues")
            case .collectiveIncome: LocalizedText(zh: "村集体收入（元）", en: "Collective income (yuan)")
            case .employment: LocalizedText(zh: "劳动力就业率", en: "Employment rate")
            }
        }

        func value(_ document: FiguresDocument) -> Double {
            switch self {
            case .population: Double(document.registry.population)
            case .poorHouseholds: Double(document.registry.poorHouseholds)
            case .incidence: document.registry.povertyIncidence ?? 0
            case .openIssues: Double(document.ledger.open)
            case .collectiveIncome: Double(document.community.collectiveIncomeFen)
            case .employment: document.community.employmentRate ?? 0
            }
        }
    }

    struct Heading: Sendable, Encodable { let href: String; let label: String; let sorted: Bool }
    struct RankRow: Sendable, Encodable { let rank: Int; let href: String; let name: String; let cells: [String] }
    struct Body: Sendable, Encodable {
        /// On paper only: the place and the day it was printed.
        let printHead: [PrintLine]
        let heading: String
        let action: String
        let year: Int
        let note: String?
        let charts: [Chart]
        let headings: [Heading]
        let ranking: [RankRow]
        let rankingTitle: String?
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let year = try request.year(or: settings.thisYear)
        let document = try await figures.document(code, year: year)
        let text = { (key: String) in Strings.text(key, language) }
        let count = { (label: String, value: Int) in Chart.Point(label: label, value: Double(value), text: FixedPoint.group(String(value))) }
        let yuan = { (fen: Int) in FixedPoint.format(fen, scale: 2, minimumFractionDigits: 2) }
        // Money bars in 万元 once the largest is 10 万元 or more (50 万元 reads better than 500,000.00 元), else in yuan.
        let money = { (title: String, points: [(label: String, fen: Int, note: String)]) -> Chart in
            let wan = (points.map(\.fen).max() ?? 0) >= 10_000_000
            return Chart.bars(title: title, unit: text(wan ? "wan_yuan" : "yuan"), points: points.map { point in
                Chart.Point(label: point.label, value: wan ? Double(point.fen) / 1_000_000 : Double(point.fen) / 100,
                            text: (wan ? FixedPoint.format((point.fen + 5_000) / 10_000, scale: 2) + " " + text("wan_yuan") : yuan(point.fen)) + point.note)
            })
        }
        let years = Array(document.lineYears)
        var yearly = try await figures.documents(code, years: years.filter { $0 != year })
        yearly[year] = document
        let incidence = years.map { item in
            yearly[item]!.registry.povertyIncidence.map {
                Chart.Point(label: String(item), value: $0 * 100, text: String(format: "%.2f %%", $0 * 100))
            }
        }
        let registry = document.registry
        let ledger = document.ledger
        let community = document.community
        var charts = [
            Chart.line(title: text("chart_incidence"), unit: "%", points: incidence, labels: years.map(String.init)),
            Chart.bars(title: LocalizedText(zh: "\(year) 年末农户状态", en: "Households at the end of \(year)").text(language), unit: text("households_unit"), points: [
                count(text("poor_households"), registry.poorHouseholds), count(text("exited_households"), registry.exitedHouseholds),
                count(text("monitored_households"), registry.monitoredHouseholds),
                count(text("chart_other_households"), max(0, registry.households - registry.poorHouseholds - registry.exitedHouseholds - registry.monitoredHouseholds)),
            ]),
            Chart.bars(title: LocalizedText(zh: "\(year) 年问题台账（办结中位天数 \(ledger.medianDaysToClose.map { String(format: "%.1f", $0) } ?? "—")）",
                                            en: "Issues of \(year) (median days to close \(ledger.medianDaysToClose.map { String(format: "%.1f", $0) } ?? "—"))").text(language),
                       unit: text("issues_unit"), points: [
                count(text("ledger_collected"), ledger.collected), count(text("ledger_solved"), ledger.solvedOnTheSpot),
                count(text("ledger_referred"), ledger.referredToMeeting), count(text("ledger_closed"), ledger.closed),
                count(text("ledger_open"), ledger.open), count(text("overdue"), ledger.overdue),
            ]),
        ]
        let measures = MeasureCategory.allCases.compactMap { category in
            document.assistance.measures[category.rawValue].map { (label: category.title.text(language), fen: $0.amountFen, note: language.parenthesised(String($0.count))) }
        }
        if !measures.isEmpty {
            charts.append(money(LocalizedText(zh: "\(year) 年帮扶措施（金额，项数）", en: "Measures of \(year) (amount, count)").text(language), measures))
        }
        let monitoring = document.monitoring
        if monitoring.monitored.households > 0 || monitoring.warnings > 0 {
            let riskTypes = try await self.monitoring.riskTypes(for: code, year: year)
            let share = monitoring.planShare.map { String(format: "%.0f %%", $0 * 100) } ?? "—"
            charts.append(Chart.bars(
                title: LocalizedText(zh: "\(year) 年监测对象按风险类型（有帮扶计划 \(share)，逾期环节 \(monitoring.stepsOverdue)）",
                                     en: "Monitored in \(year) by risk type (with a plan \(share), steps overdue \(monitoring.stepsOverdue))").text(language),
                unit: text("households_unit"),
                points: monitoring.byRiskType.sorted { ($1.value.households, $0.key) < ($0.value.households, $1.key) }
                    .map { count(riskTypes[$0.key]?.text(language) ?? $0.key, $0.value.households) }))
        }
        let monitoredPoints = years.compactMap { item in
            let figures = yearly[item]!.monitoring
            return figures.monitored.households + figures.entered + figures.cleared == 0 ? nil
                : count(String(item), figures.monitored.households)
        }
        if !monitoredPoints.isEmpty {
            charts.append(Chart.bars(title: text("chart_monitored"), unit: text("households_unit"), points: monitoredPoints))
        }
        if community.ableToWork > 0 {
            charts.append(Chart.bars(
                title: LocalizedText(zh: "劳动力就业（就业率 \(community.employmentRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—")）",
                                     en: "Employment (rate \(community.employmentRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—"))").text(language),
                unit: text("people_unit"),
                points: Employment.employed.map { count(Strings.storedValue($0, language), community.employment[$0] ?? 0) } + [count(text("not_employed"), community.ableToWork - community.employed)]))
        }
        let lecturePoints = years.compactMap { item in
            yearly[item]!.community.activities[ActivityKind.lecture.rawValue].map { count(String(item), $0.personTimes) }
        }
        if !lecturePoints.isEmpty {
            charts.append(Chart.bars(title: text("chart_lectures"), unit: text("person_times"), points: lecturePoints))
        }
        let incomePoints = years.compactMap { item in
            let fen = yearly[item]!.community.collectiveIncomeFen
            return fen == 0 ? nil : (label: String(item), fen: fen, note: "")
        }
        if !incomePoints.isEmpty {
            charts.append(money(text("chart_income"), incomePoints))
        }

        // The divisions below, ranked.
        var headings: [Heading] = [], ranking: [RankRow] = []
        if code.level != .village {
            let key = request.query("sort").flatMap(RankKey.init(rawValue:)) ?? .incidence
            var rows: [(Division, FiguresDocument)] = []
            for child in try await divisions.children(of: code) {
                rows.append((child.division, try await figures.document(child.division.code, year: year)))
            }
            rows.sort { key.value($0.1) != key.value($1.1) ? key.value($0.1) > key.value($1.1) : $0.0.code.rawValue < $1.0.code.rawValue }
            headings = RankKey.allCases.map {
                Heading(href: "/divisions/\(code)/dashboard?year=\(year)&sort=\($0.rawValue)", label: $0.title.text(language), sorted: $0 == key)
            }
            ranking = rows.enumerated().map { index, row in
                let (division, document) = row
                return RankRow(rank: index + 1, href: "/divisions/\(division.code)/dashboard?year=\(year)", name: division.name, cells: [
                    FixedPoint.group(String(document.registry.population)), FixedPoint.group(String(document.registry.poorHouseholds)),
                    document.registry.povertyIncidence.map { String(format: "%.2f %%", $0 * 100) } ?? "—", FixedPoint.group(String(document.ledger.open)),
                    yuan(document.community.collectiveIncomeFen), document.community.employmentRate.map { String(format: "%.1f %%", $0 * 100) } ?? "—",
                ])
            }
        }
        let name = chain.last?.name ?? code.rawValue
        let body = Body(
            printHead: PrintLine.head(chain, today: settings.today, language: language),
            heading: LocalizedText(zh: "\(name) \(year) 年度报告", en: "\(name): annual report \(year)").text(language),
            action: "/divisions/\(code)/dashboard", year: year,
            note: document.note != nil ? LocalizedText(zh: "该年没有登记人口。", en: "No registered population that year.").text(language) : nil,
            charts: charts, headings: headings, ranking: ranking,
            rankingTitle: code.level == .village ? nil : LocalizedText(zh: "下级区划排名（点击表头换排序）", en: "Divisions below, ranked (click a heading to sort)").text(language))
        return try renderer.page("dashboard", title: body.heading,
                                 crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: text("dashboard"), href: nil)],
                                 body: body, request: request, context: context)
    }
}
