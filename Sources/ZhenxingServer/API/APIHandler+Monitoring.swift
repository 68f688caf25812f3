import ZhenxingAPI
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

private typealias DepartmentLineSchema = Components.Schemas.DepartmentWarningsImport.LinesPayloadPayload

/// Return-to-poverty monitoring over the API: the warnings inbox and the rules' scan.
extension APIHandler {
    private var monitoring: MonitoringRepository { MonitoringRepository(database: registry.database) }

    func listMonitoringWarnings(_ input: Operations.ListMonitoringWarnings.Input) async throws -> Operations.ListMonitoringWarnings.Output {
        let code = try await readableDivision(input.path.code)
        let filter = MonitoringRepository.WarningFilter(
            source: input.query.source.map { WarningSource(rawValue: $0.rawValue)! }, rule: input.query.rule.map { MonitoringRule(rawValue: $0.rawValue)! },
            step: input.query.step.map { ProcedureStep(rawValue: $0.rawValue)! },
            overdueOn: input.query.overdue == true ? settings.today : nil)
        let warnings = try await monitoring.openWarnings(in: code, filter: filter, limit: 5_000)
        return .ok(.init(body: .json(.init(items: warnings.map { schema($0) }))))
    }

    func listHouseholdWarnings(_ input: Operations.ListHouseholdWarnings.Input) async throws -> Operations.ListHouseholdWarnings.Output {
        _ = try await authorizeRecord(.household, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(.init(items: try await monitoring.warnings(ofHousehold: input.path.id).map { schema($0) }))))
    }

    func importDepartmentWarnings(_ input: Operations.ImportDepartmentWarnings.Input) async throws -> Operations.ImportDepartmentWarnings.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeVillage, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let department = DepartmentSource(rawValue: body.source.rawValue)!
        var rows: [DepartmentWarning] = [], problems: [FieldIssue] = []
        guard (1...WarningImport.maximumRows).contains(body.rows.count) else {
            throw ValidationFailure([FieldIssue.number(body.rows.count, field: "rows", in: 1...WarningImport.maximumRows)!])
        }
        for (index, row) in body.rows.enumerated() {
            let field = "rows[\(index)]"
            var fine = true
            func refuse(_ name: String, _ reason: LocalizedText) {
                fine = false
                if problems.count < 100 { problems.append(FieldIssue(field: "\(field).\(name)", message: reason)) }
            }
            let resident: ResidentID?
            do { resident = try ResidentID(validating: row.residentId) } catch {
                resident = nil
                refuse("residentId", error.issues.first?.message ?? LocalizedText(zh: "身份证号无效", en: "Not a valid resident ID"))
            }
            if let reason = DepartmentWarning.dayProblem(row.foundOn, today: settings.today) { refuse("foundOn", reason) }
            if let reason = DepartmentWarning.detailProblem(row.detail) { refuse("detail", reason) }
            if let amount = row.amountFen, !FieldIssue.money.contains(amount) { refuse("amountFen", DepartmentWarning.badAmount) }
            if fine, let resident {
                rows.append(DepartmentWarning(row: index + 1, residentID: resident, source: department, foundOn: row.foundOn,
                                              detail: row.detail.trimmingCharacters(in: .whitespacesAndNewlines), amountFen: row.amountFen))
            }
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        let lines = try await monitoring.importDepartment(rows, into: code, today: settings.today, dryRun: body.dryRun ?? false, by: RequestScope.actor)
        let counts = DepartmentLine.tally(lines)
        return .ok(.init(body: .json(.init(
            dryRun: body.dryRun ?? false, opened: counts.opened, joined: counts.joined, alreadyRecorded: counts.alreadyRecorded, unmatched: counts.unmatched,
            lines: lines.map { line in
                let (disposition, warning, reason): (DepartmentLineSchema.DispositionPayload, Int?, DepartmentLineSchema.UnmatchedReasonPayload?) = switch line.disposition {
                case .opensWarning: (.opensWarning, nil, nil)
                case .addsToWarning(let id): (.addsToWarning, id, nil)
                case .joinsWarningOpenedAbove: (.joinsWarningOpenedAbove, nil, nil)
                case .alreadyRecorded: (.alreadyRecorded, nil, nil)
                case .unmatched(.notRegistered): (.unmatched, nil, .notRegistered)
                case .unmatched(.notInDivision): (.unmatched, nil, .notInDivision)
                }
                return DepartmentLineSchema(row: line.warning.row, residentIdMasked: line.warning.residentID.masked, disposition: disposition, warningId: warning,
                            householdId: line.householdID, householdNumber: line.householdNumber, villageCode: line.villageCode, unmatchedReason: reason)
            }))))
    }

    func recordMonitoringStep(_ input: Operations.RecordMonitoringStep.Input) async throws -> Operations.RecordMonitoringStep.Output {
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let step = ProcedureStep(rawValue: body.step.rawValue)!
        // the township's and the county's acts need the right to decide statuses; the village's, the right to record
        _ = try await authorizeRecord(.household, input.path.id, needs: step.needsWorkingDay ? .approveStatus : .writeRecords)
        let record = StepRecord(
            procedure: MonitoringProcedure(rawValue: body.procedure.rawValue)!, step: step, day: body.day, endDay: body.endDay, person: body.person,
            attendance: body.attendance, objections: body.objections, result: body.result.map { StepResult(rawValue: $0.rawValue)! },
            category: body.category, riskTypes: body.riskTypes ?? [], detail: body.detail ?? "")
        let warning = try await monitoring.recordStep(record, warning: input.path.warning, household: input.path.id, today: settings.today, by: RequestScope.actor)
        return .created(.init(body: .json(schema(warning))))
    }

    func scanMonitoringRules(_ input: Operations.ScanMonitoringRules.Input) async throws -> Operations.ScanMonitoringRules.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeVillage, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let scan = try await monitoring.scan(code, year: body.year, today: settings.today, dryRun: body.dryRun ?? false, by: RequestScope.actor)
        return .ok(.init(body: .json(.init(
            year: scan.year, householdsScanned: scan.householdsScanned, thresholdFen: scan.thresholds.monitoring?.value, opened: scan.opened, added: scan.added,
            dryRun: scan.dryRun,
            lines: scan.lines.map { line in
                let (disposition, warning): (Components.Schemas.MonitoringScanLine.DispositionPayload, Int?) = switch line.disposition {
                case .opensWarning: (.opensWarning, nil)
                case .addsToWarning(let id): (.addsToWarning, id)
                case .alreadyRecorded: (.alreadyRecorded, nil)
                }
                return .init(householdId: line.householdID, householdNumber: line.householdNumber, villageCode: line.villageCode.rawValue,
                             finding: Self.schema(line.finding), disposition: disposition, warningId: warning)
            }))))
    }

    func monitoringWhatIf(_ input: Operations.MonitoringWhatIf.Input) async throws -> Operations.MonitoringWhatIf.Output {
        let code = try await readableDivision(input.path.code)
        let result = try await monitoring.whatIf(code, year: input.query.year, thresholdFen: input.query.thresholdFen)
        return .ok(.init(body: .json(.init(
            year: result.year, thresholdFen: result.thresholdFen, householdsRead: result.householdsRead, households: result.households.count,
            people: result.people,
            villages: result.byVillage.map { .init(villageCode: $0.village.rawValue, households: $0.households, people: $0.people) },
            items: result.households.map {
                .init(householdId: $0.householdID, householdNumber: $0.householdNumber, villageCode: $0.villageCode.rawValue, members: $0.members,
                      perCapitaFen: $0.perCapitaFen)
            }))))
    }

    func reportRisk(_ input: Operations.ReportRisk.Input) async throws -> Operations.ReportRisk.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.household, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let warning = try await monitoring.report(
            RiskReport(source: WarningSource(rawValue: body.source.rawValue)!, riskType: body.riskType, detail: body.detail, reportedBy: body.reportedBy,
                       foundOn: body.foundOn, spendingFen: body.spendingFen, incomeFen: body.incomeFen),
            household: id, today: settings.today, by: RequestScope.actor)
        let file = try await monitoring.warnings(ofHousehold: id).first { $0.id == warning }!
        return .created(.init(body: .json(schema(file))))
    }

    func schema(_ warning: MonitoringWarning) -> Components.Schemas.MonitoringWarning {
        let pending = warning.pending
        return .init(
            id: warning.id, householdId: warning.householdID, householdNumber: warning.householdNumber, villageCode: warning.villageCode.rawValue,
            openedOn: warning.openedOn, closedOn: warning.closedOn, outcome: warning.outcome.flatMap { .init(rawValue: $0.rawValue) },
            signals: warning.signals.map { signal in
                .init(id: signal.id, source: .init(rawValue: signal.source.rawValue)!, finding: signal.finding.map(Self.schema), riskType: signal.riskType,
                      explanation: signal.explanation.text(RequestScope.language), foundOn: signal.foundOn)
            },
            steps: warning.steps.map { step in
                let record = step.record
                let progress = record.procedure == .entry ? warning.entry : warning.clearance
                return .init(
                    value1: .init(procedure: .init(rawValue: record.procedure.rawValue)!, step: .init(rawValue: record.step.rawValue)!, day: record.day,
                                  endDay: record.endDay, person: record.person, attendance: record.attendance, objections: record.objections,
                                  result: record.result.map { .init(rawValue: $0.rawValue)! }, category: record.category,
                                  riskTypes: record.riskTypes.isEmpty ? nil : record.riskTypes, detail: record.detail),
                    value2: .init(id: step.id, round: step.round, late: progress?.late.contains(record.step) == true && progress?.done.contains(record) == true,
                                  recordedBy: step.recordedBy))
            },
            nextProcedure: pending.map { .init(rawValue: $0.procedure.rawValue)! }, nextStep: pending?.next.map { .init(rawValue: $0.rawValue)! },
            nextDue: pending?.nextDue, overdue: pending?.isOverdue(today: settings.today))
    }

    static func schema(_ finding: RuleFinding) -> Components.Schemas.RuleFinding {
        .init(rule: .init(rawValue: finding.rule.rawValue)!, year: finding.year, observed: finding.observed, threshold: finding.threshold,
              parameterScope: finding.origin?.scope, parameterYear: finding.origin?.year, explanation: finding.explanation.text(RequestScope.language))
    }
}
