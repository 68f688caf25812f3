import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// Monitoring from the household's file: a risk reported (the household's own report or what a cadre found on a
/// visit), and the steps of its warnings' procedures.
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

    /// A warning on the household's file: its line, the forms for what comes next, and why clearance cannot be
    /// proposed yet.
    struct WarningBlock: Sendable, Encodable {
        let line: MonitoringPages.WarningLine
        let forms: [StepForm]
        let clearanceHint: String?
    }

    /// The form of one step, with the fields that step records.
    struct StepForm: Sendable, Encodable {
        let action: String
        let title: String
        let procedure: String
        let step: String
        let personLabel: String
        let today: String
        let needsEnd: Bool
        let needsAttendance: Bool
        let needsObjections: Bool
        let results: [FormModel.Option]
        let categories: [FormModel.Option]
        let riskTypes: [FormModel.Option]
    }

    /// The household's warnings with the forms its user may send: the next step (the village's steps for who
    /// records the household, the township review and decision for who decides), ending a procedure early with a
    /// negative decision, and proposing clearance once the rules allow it.
    func warningBlocks(_ id: Int, canWrite: Bool, canDecide: Bool, village: DivisionCode, riskTypes: [String: LocalizedText],
                       language: Language) async throws -> [WarningBlock] {
        let today = settings.today
        let categories = try await monitoring.categories(for: village, year: settings.thisYear)
        var blocks: [WarningBlock] = []
        for warning in try await monitoring.warnings(ofHousehold: id) {
            let base = "/households/\(id)/monitoring/\(warning.id)"
            func form(_ procedure: MonitoringProcedure, _ step: ProcedureStep, results: [StepResult], endsEarly: Bool = false) -> StepForm? {
                guard step.needsWorkingDay ? canDecide : canWrite else { return nil }
                let title = endsEarly ? Strings.text("end_early", language) + language.colon + results[0].title.text(language) : step.title(in: procedure).text(language)
                let entering = procedure == .entry && step == .decision && !endsEarly
                let signalled = Set(warning.signals.map(\.riskType))
                return StepForm(
                    action: base + (step.needsWorkingDay ? "/decisions" : "/steps"), title: title, procedure: procedure.rawValue, step: step.rawValue,
                    personLabel: step.personTitle.text(language), today: today, needsEnd: step == .notice, needsAttendance: step == .appraisal,
                    needsObjections: step == .notice,
                    results: results.map { FormModel.Option(value: $0.rawValue, label: $0.title.text(language), selected: false) },
                    categories: entering ? categories.sorted { $0.key < $1.key }.map { FormModel.Option(value: $0.key, label: $0.value.text(language), selected: false) } : [],
                    riskTypes: entering ? riskTypes.sorted { $0.key < $1.key }.map {
                        FormModel.Option(value: $0.key, label: $0.value.text(language), selected: signalled.contains($0.key))
                    } : [])
            }
            var forms: [StepForm] = []
            if let progress = warning.pending, let next = progress.next {
                let results = next.results(in: progress.procedure)
                forms.append(contentsOf: [form(progress.procedure, next, results: results)].compactMap { $0 })
                if next != .decision, !progress.done.isEmpty, let negative = ProcedureStep.decision.results(in: progress.procedure).last {
                    forms.append(contentsOf: [form(progress.procedure, .decision, results: [negative], endsEarly: true)].compactMap { $0 })
                }
            }
            var hint: String?
            if warning.nextClearanceRound != nil, canWrite {
                let problems = try await monitoring.clearanceProblems(warning, on: today)
                if problems.isEmpty {
                    forms.append(contentsOf: [form(.clearance, .proposal, results: [])].compactMap { $0 })
                } else {
                    hint = Strings.text("clearance_not_yet", language) + ValidationFailure(problems).text(language)
                }
            }
            blocks.append(WarningBlock(line: MonitoringPages.line(warning, riskTypes: riskTypes, today: today, language: language), forms: forms, clearanceHint: hint))
        }
        return blocks
    }

    struct StepInput: Decodable {
        var procedure: String?
        var step: String?
        var day: String?
        var endDay: String?
        var person: String?
        var attendance: String?
        var objections: String?
        var result: String?
        var category: String?
        var riskTypes: [String]?
        var detail: String?
    }

    /// A step the village records (home check, undertaking, appraisal, notice, clearance proposal).
    @Sendable func recordVillageStep(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await recordStep(request, context: context, deciding: false)
    }

    /// The township's review or the county's decision.
    @Sendable func recordDecisionStep(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await recordStep(request, context: context, deciding: true)
    }

    private func recordStep(_ request: Request, context: AppRequestContext, deciding: Bool) async throws -> Response {
        let id = context.parameters.get("id", as: Int.self)!
        guard let warning = context.parameters.get("warning", as: Int.self) else {
            throw AppError(.badRequest, LocalizedText(zh: "本户没有这条预警", en: "No such warning for this household"))
        }
        let input = try await request.decode(as: StepInput.self, context: context)
        do {
            let step = try ProcedureStep.named(input.step ?? "", field: "step")
            // each route takes its own steps, so the right it checks is the right the step needs
            guard step.needsWorkingDay == deciding else { throw AppError.forbidden }
            func count(_ text: String?, field: String) throws -> Int? {
                guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let value = Int(text) else {
                    throw ValidationFailure([FieldIssue(field: field, message: LocalizedText(zh: "请填写整数", en: "Enter a whole number"))])
                }
                return value
            }
            let record = StepRecord(
                procedure: try MonitoringProcedure.named(input.procedure ?? "", field: "procedure"), step: step,
                day: (input.day ?? "").trimmingCharacters(in: .whitespaces), endDay: input.endDay?.trimmingCharacters(in: .whitespaces),
                person: input.person ?? "", attendance: try count(input.attendance, field: "attendance"),
                objections: try count(input.objections, field: "objections"),
                result: input.result.flatMap { $0.isEmpty ? nil : StepResult(rawValue: $0) }, category: input.category.flatMap { $0.isEmpty ? nil : $0 },
                riskTypes: input.riskTypes ?? [], detail: input.detail ?? "")
            _ = try await monitoring.recordStep(record, warning: warning, household: id, today: settings.today, by: context.actor)
            return Response(status: .seeOther, headers: [.location: "/households/\(id)#monitoring"])
        } catch let failure as ValidationFailure {
            return try await file(id, revealing: nil, stepError: failure.text(context.language), request: request, context: context, status: .badRequest)
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
