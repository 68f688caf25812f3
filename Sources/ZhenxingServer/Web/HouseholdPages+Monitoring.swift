import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// A risk reported for a household from its file: the household's own report or what a cadre found on a visit.
extension HouseholdPages {
    struct RiskReportInput: Decodable {
        var source: String?
        var riskType: String?
        var detail: String?
        var reportedBy: String?
        var foundOn: String?
        var spending: String?
        var income: String?
    }

    @Sendable func addRiskReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        let input = try await request.decode(as: RiskReportInput.self, context: context)
        do {
            let report = RiskReport(
                source: input.source.flatMap(WarningSource.init) ?? .rule, riskType: input.riskType ?? "", detail: input.detail ?? "",
                reportedBy: input.reportedBy ?? "", foundOn: (input.foundOn ?? "").trimmingCharacters(in: .whitespaces),
                spendingFen: try Self.yuan(input.spending, field: "spending"), incomeFen: try Self.yuan(input.income, field: "income"))
            _ = try await monitoring.report(report, household: id, today: settings.today, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(id)#monitoring"])
        } catch let failure as ValidationFailure {
            return try await file(id, revealing: nil, reportError: failure.text(context.language), request: request, context: context, status: .badRequest)
        }
    }

    /// An optional amount typed in yuan, in fen; a problem naming `field` when it is not an amount.
    private static func yuan(_ text: String?, field: String) throws -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let fen = FixedPoint.parse(text, scale: 2) else {
            throw ValidationFailure([FieldIssue(field: field, message: LocalizedText(zh: "请填写金额（元），如 3500 或 3500.50", en: "Enter an amount in yuan, e.g. 3500 or 3500.50"))])
        }
        return fen
    }
}
