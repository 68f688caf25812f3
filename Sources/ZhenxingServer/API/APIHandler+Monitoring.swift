import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// Return-to-poverty monitoring over the API: the warnings inbox and the rules' scan.
extension APIHandler {
    private var monitoring: MonitoringRepository { MonitoringRepository(database: registry.database) }

    func listMonitoringWarnings(_ input: Operations.ListMonitoringWarnings.Input) async throws -> Operations.ListMonitoringWarnings.Output {
        let code = try await readableDivision(input.path.code)
        let source = input.query.source.map { WarningSource(rawValue: $0.rawValue)! }
        let warnings = try await monitoring.openWarnings(in: code, source: source, limit: 5_000)
        return .ok(.init(body: .json(.init(items: warnings.map(Self.schema)))))
    }

    func scanMonitoringRules(_ input: Operations.ScanMonitoringRules.Input) async throws -> Operations.ScanMonitoringRules.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeVillage, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let scan = try await monitoring.scan(code, year: body.year, today: settings.today, dryRun: body.dryRun ?? false, by: RequestScope.actor)
        return .ok(.init(body: .json(.init(
            year: scan.year, householdsScanned: scan.householdsScanned, thresholdFen: scan.threshold?.value, opened: scan.opened, added: scan.added,
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
        return .created(.init(body: .json(Self.schema(file))))
    }

    static func schema(_ warning: MonitoringWarning) -> Components.Schemas.MonitoringWarning {
        .init(id: warning.id, householdId: warning.householdID, householdNumber: warning.householdNumber, villageCode: warning.villageCode.rawValue,
              openedOn: warning.openedOn, signals: warning.signals.map { signal in
                  .init(id: signal.id, source: .init(rawValue: signal.source.rawValue)!, finding: signal.finding.map(Self.schema), riskType: signal.riskType,
                        explanation: signal.explanation.text(RequestScope.language), foundOn: signal.foundOn)
              })
    }

    static func schema(_ finding: RuleFinding) -> Components.Schemas.RuleFinding {
        .init(rule: .init(rawValue: finding.rule.rawValue)!, year: finding.year, observed: finding.observed, threshold: finding.threshold,
              parameterScope: finding.origin?.scope, parameterYear: finding.origin?.year, explanation: finding.explanation.text(RequestScope.language))
    }
}
