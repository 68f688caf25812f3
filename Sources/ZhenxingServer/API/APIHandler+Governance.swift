import Foundation
import ZhenxingAPI
import ZhenxingDomain
import ZhenxingStore

/// The issue ledger over the API.
extension APIHandler {
    func listIssues(_ input: Operations.ListIssues.Input) async throws -> Operations.ListIssues.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        let today = String(Timestamp.now().prefix(10))
        let filter = IssueFilter(state: input.query.state.flatMap { IssueState(rawValue: $0.rawValue) },
                                 overdueOn: input.query.overdue == true ? today : nil)
        let rows = try await governance.issues(in: code, filter: filter, limit: 5_000)
        return .ok(.init(body: .json(.init(items: rows.map { Self.schema($0, today: today) }))))
    }

    func createIssue(_ input: Operations.CreateIssue.Input) async throws -> Operations.CreateIssue.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeRecords, in: code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard code.level == .village, try await divisions.find(code) != nil else {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
        guard let source = IssueSource(rawValue: body.source) else {
            throw ValidationFailure([FieldIssue(field: "source", message: LocalizedText(
                zh: "来源应为：\(IssueSource.allCases.map(\.rawValue).joined(separator: "、"))", en: "The source must be one of: \(IssueSource.allCases.map(\.rawValue).joined(separator: ", "))"))])
        }
        let id = try await governance.createIssue(
            IssueDraft(title: body.title, description: body.description ?? "", source: source, raisedBy: body.raisedBy, householdID: body.householdId,
                       gridID: body.gridId, meetingID: body.meetingId, category: body.category, raisedOn: body.raisedOn),
            village: code, by: RequestScope.actor)
        return .created(.init(body: .json(try await issueFile(id))))
    }

    func getIssue(_ input: Operations.GetIssue.Input) async throws -> Operations.GetIssue.Output {
        _ = try await authorizeRecord(.issue, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await issueFile(input.path.id))))
    }

    func transitionIssue(_ input: Operations.TransitionIssue.Input) async throws -> Operations.TransitionIssue.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.issue, id, needs: .writeRecords)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        let move = IssueTransition(to: IssueState(rawValue: body.to.rawValue)!, date: body.date, response: body.response, owner: body.owner,
                                   deadline: body.deadline, result: body.result, evidence: body.evidence, meetingID: body.meetingId)
        try await governance.transition(id, move, version: body.version, by: RequestScope.actor)
        return .ok(.init(body: .json(try await issueFile(id))))
    }

    private func issueFile(_ id: Int) async throws -> Components.Schemas.IssueFile {
        let file = try await governance.issue(id)
        let today = String(Timestamp.now().prefix(10))
        return .init(
            issue: Self.schema(file.row, today: today), description: file.description, evidence: file.evidence, version: file.version,
            events: file.events.map { event in
                .init(date: event.happenedOn, fromState: event.fromState.flatMap { .init(rawValue: $0) }, toState: .init(rawValue: event.toState)!,
                      response: event.response, owner: event.owner, deadline: event.deadline, result: event.result, evidence: event.evidence,
                      meetingId: event.meetingId, recordedBy: event.recordedBy)
            })
    }

    static func schema(_ row: IssueRow, today: String) -> Components.Schemas.Issue {
        .init(id: row.id, villageCode: row.villageCode, title: row.title, source: row.source, raisedBy: row.raisedBy, category: row.category,
              raisedOn: row.raisedOn, state: .init(rawValue: row.state)!, owner: row.owner, deadline: row.deadline, finishedOn: row.finishedOn,
              result: row.result, householdId: row.householdId, householdNumber: row.householdNumber, overdue: row.isOverdue(on: today))
    }

    static func schema(_ ledger: LedgerFigures) -> Components.Schemas.LedgerFigures {
        .init(collected: ledger.collected, solvedOnTheSpot: ledger.solvedOnTheSpot, referredToMeeting: ledger.referredToMeeting, closed: ledger.closed,
              rejected: ledger.rejected, open: ledger.open, overdue: ledger.overdue, medianDaysToClose: ledger.medianDaysToClose, ideas: ledger.ideas,
              decisions: ledger.decisions, meetings: .init(additionalProperties: ledger.meetings), grids: ledger.grids,
              householdsInGrids: ledger.householdsInGrids)
    }
}
