import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Dated policy parameters (poverty line, monitoring threshold, village-exit limit), kept by administrators.
struct ParameterPages: Sendable {
    let parameters: PolicyParameterRepository
    let renderer: PageRenderer

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/admin/parameters", .ownDivision(.editParameters), use: list)
        routes.add(.post, "/admin/parameters", .ownDivision(.editParameters), use: save)
    }

    struct Row { let scope: String; let year: Int; let line: String; let threshold: String; let limit: String; let source: String; let editHref: String }
    struct Body { let rows: [Row]; let form: FormModel }

    struct Input: Decodable {
        var version: Int?
        var scope: String?
        var year: String?
        var povertyLine: String?
        var monitoringThreshold: String?
        var villageExitLimit: String?
        var source: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        // `?edit=SCOPE/YEAR` fills the form with that row and its version, to change it.
        let yuan = { (fen: Int?) in fen.map { FixedPoint.format($0, scale: 2, grouped: false) } }
        if let key = request.query("edit"), let row = try await parameters.all().first(where: { "\($0.scope)/\($0.year)" == key }) {
            let input = Input(version: row.version, scope: row.scope, year: String(row.year), povertyLine: yuan(row.povertyLineFen),
                              monitoringThreshold: yuan(row.monitoringThresholdFen),
                              villageExitLimit: row.villageExitLimitBp.map { FixedPoint.format($0, scale: 2, grouped: false) }, source: row.source)
            return try await page(input, issues: [], request: request, context: context)
        }
        return try await page(Input(scope: "*"), issues: [], request: request, context: context)
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decode(as: Input.self, context: context)
        var issues: [FieldIssue] = []
        func number(_ field: String, _ text: String?, scale: Int) -> Int? {
            let value = (text ?? "").trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return nil }
            guard let parsed = FixedPoint.parse(value, scale: scale) else {
                issues.append(FieldIssue(field: field, message: LocalizedText(zh: "请填写数字，最多 \(scale) 位小数", en: "Enter a number with at most \(scale) decimals")))
                return nil
            }
            return parsed
        }
        let row = PolicyParameterRow(
            scope: (input.scope ?? "").trimmingCharacters(in: .whitespaces), year: Int(input.year ?? "") ?? 0,
            povertyLineFen: number("povertyLine", input.povertyLine, scale: 2),
            monitoringThresholdFen: number("monitoringThreshold", input.monitoringThreshold, scale: 2),
            villageExitLimitBp: number("villageExitLimit", input.villageExitLimit, scale: 2),
            source: input.source ?? "", version: input.version)
        issues += issues.isEmpty ? row.problems() : []
        guard issues.isEmpty else { return try await page(input, issues: issues, request: request, context: context, status: .badRequest) }
        do {
            try await parameters.save(row, by: context.actor)
        } catch StoreError.staleVersion(_, let current) {
            var kept = input
            kept.version = current == 0 ? nil : current
            let message = LocalizedText(
                zh: current == 0 ? "这一行已被删除或不存在，请重新填写" : "这一行已存在或已被他人修改（第 \(current) 版），请核对后再保存",
                en: current == 0 ? "This row does not exist any more; enter it again" : "This row exists or was changed (version \(current)); check and save again")
            return try await page(kept, issues: [FieldIssue(field: "scope", message: message)], request: request, context: context, status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/parameters"])
    }

    private func page(_ input: Input, issues: [FieldIssue], request: Request, context: AppRequestContext,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let yuan = { (fen: Int?) in fen.map { FixedPoint.format($0, scale: 2, minimumFractionDigits: 2) } ?? "—" }
        let rows = try await parameters.all().map {
            Row(scope: $0.scope == "*" ? t("nationwide") : $0.scope, year: $0.year, line: yuan($0.povertyLineFen),
                threshold: yuan($0.monitoringThresholdFen),
                limit: $0.villageExitLimitBp.map { FixedPoint.format($0, scale: 2) + " %" } ?? "—", source: $0.source,
                editHref: "/admin/parameters?edit=\($0.scope)/\($0.year)")
        }
        let form = FormModel(
            heading: t("add_parameters"), action: "/admin/parameters", cancelHref: "/admin/parameters", version: input.version,
            fields: [
                FormModel.field("scope", t("scope"), .text, values: [input.scope ?? ""], hint: t("hint_scope"), issues: issues, language: language),
                FormModel.field("year", t("year"), .text, values: [input.year ?? ""], issues: issues, language: language),
                FormModel.field("povertyLine", t("poverty_line_yuan"), .text, values: [input.povertyLine ?? ""], issues: issues, language: language),
                FormModel.field("monitoringThreshold", t("monitoring_threshold_yuan"), .text, values: [input.monitoringThreshold ?? ""], issues: issues, language: language),
                FormModel.field("villageExitLimit", t("village_exit_limit"), .text, values: [input.villageExitLimit ?? ""], issues: issues, language: language),
                FormModel.field("source", t("source"), .text, values: [input.source ?? ""], issues: issues, language: language),
            ],
            hasErrors: !issues.isEmpty, conflict: [], hasConflict: false)
        return try renderer.page("parameters", title: t("nav_parameters"), crumbs: [Crumb(name: t("nav_parameters"), href: nil)],
                                 body: Body(rows: rows, form: form), request: request, context: context, status: status)
    }
}
