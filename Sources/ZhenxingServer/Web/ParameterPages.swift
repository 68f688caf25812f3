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
        routes.add(.post, "/admin/parameters/rules", .ownDivision(.editParameters), use: saveRule)
    }

    struct Row: Encodable { let scope: String; let year: Int; let line: String; let threshold: String; let limit: String; let source: String; let editHref: String }
    struct RuleRow: Encodable { let scope: String; let year: Int; let name: String; let value: String; let source: String; let editHref: String }
    struct Body: Encodable { let rows: [Row]; let rules: [RuleRow]; let forms: [FormModel] }

    /// The rule parameter form as posted: a share in percent, days and months as whole numbers.
    struct RuleInput: Decodable {
        var scope: String?
        var year: String?
        var rule: String?
        var value: String?
        var source: String?
    }

    /// A rule parameter's value as the form shows it: a share in percent, otherwise the count.
    static func text(_ value: Int, unit: RuleParameterRow.Unit?) -> String {
        unit == .basisPoints ? FixedPoint.format(value, scale: 2, grouped: false) : String(value)
    }

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
        // `?rule=SCOPE/YEAR/NAME` fills the rule form with that row.
        if let key = request.query("rule"), let row = try await parameters.ruleRows().first(where: { "\($0.scope)/\($0.year)/\($0.rule)" == key }) {
            let input = RuleInput(scope: row.scope, year: String(row.year), rule: row.rule,
                                  value: Self.text(row.value, unit: RuleParameterRow.unit(of: row.rule)), source: row.source)
            return try await page(Input(scope: "*"), rule: input, issues: [], request: request, context: context)
        }
        return try await page(Input(scope: "*"), issues: [], request: request, context: context)
    }

    @Sendable func saveRule(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decode(as: RuleInput.self, context: context)
        let name = (input.rule ?? "").trimmingCharacters(in: .whitespaces)
        let text = (input.value ?? "").trimmingCharacters(in: .whitespaces)
        // a value that is not a number is 0, which every unit's range refuses beside the other fields' problems
        let value = (RuleParameterRow.unit(of: name) == .basisPoints ? FixedPoint.parse(text, scale: 2) : Int(text)) ?? 0
        let row = RuleParameterRow(scope: (input.scope ?? "").trimmingCharacters(in: .whitespaces), year: Int(input.year ?? "") ?? 0, rule: name,
                                   value: value, source: input.source ?? "")
        do {
            try await parameters.saveRule(row, by: context.actor)
        } catch let failure as ValidationFailure {
            return try await page(Input(scope: "*"), rule: input, issues: [], ruleIssues: failure.issues, request: request, context: context,
                                  status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/admin/parameters#rules"])
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

    private func page(_ input: Input, rule: RuleInput = RuleInput(scope: "*"), issues: [FieldIssue], ruleIssues: [FieldIssue] = [],
                      request: Request, context: AppRequestContext,
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
        let rules = try await parameters.ruleRows().map { row in
            let unit = RuleParameterRow.unit(of: row.rule)
            let value = Self.text(row.value, unit: unit) + (unit == .basisPoints ? " %" : unit == .months ? " " + t("unit_months") : " " + t("unit_working_days"))
            return RuleRow(scope: row.scope == "*" ? t("nationwide") : row.scope, year: row.year, name: RuleParameterRow.title(of: row.rule).text(language),
                           value: value, source: row.source, editHref: "/admin/parameters?rule=\(row.scope)/\(row.year)/\(row.rule)#rules")
        }
        let ruleForm = FormModel(
            heading: t("add_rule_parameter"), action: "/admin/parameters/rules", cancelHref: "/admin/parameters", version: nil,
            fields: [
                FormModel.field("scope", t("scope"), .text, values: [rule.scope ?? ""], hint: t("hint_scope"), issues: ruleIssues, language: language),
                FormModel.field("year", t("year"), .text, values: [rule.year ?? ""], issues: ruleIssues, language: language),
                FormModel.field("rule", t("rule_parameter"), .select(RuleParameterRow.names.map { ($0.name, RuleParameterRow.title(of: $0.name).text(language)) }),
                                values: [rule.rule ?? ""], issues: ruleIssues, language: language),
                FormModel.field("value", t("rule_parameter_value"), .text, values: [rule.value ?? ""], hint: t("hint_rule_parameter_value"), issues: ruleIssues,
                                language: language),
                FormModel.field("source", t("source"), .text, values: [rule.source ?? ""], issues: ruleIssues, language: language),
            ],
            hasErrors: !ruleIssues.isEmpty, conflict: [], hasConflict: false)
        return try renderer.page("parameters", title: t("nav_parameters"), crumbs: [Crumb(name: t("nav_parameters"), href: nil)],
                                 body: Body(rows: rows, rules: rules, forms: [form, ruleForm]), request: request, context: context, status: status)
    }
}
