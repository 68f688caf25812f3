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
        let today = settings.today
        let filter = IssueFilter(state: input.query.state.flatMap { IssueState(rawValue: $0.rawValue) },
                                 overdueOn: input.query.overdue == true ? today : nil)
        let rows = try await governance.issues(in: code, filter: filter, limit: 5_000)
        return .ok(.init(body: .json(.init(items: rows.map { Self.schema($0, today: today) }))))
    }

    func createIssue(_ input: Operations.CreateIssue.Input) async throws -> Operations.CreateIssue.Output {
        let code = try Self.code(input.path.code)
        let identity = try RequestScope.authorize(.writeRecords, in: code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard code.level == .village, try await divisions.find(code) != nil else {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
        let problems = try await records.issueFilingProblems(identity, household: body.householdId, grid: body.gridId, in: code)
        guard problems.isEmpty else { throw ValidationFailure(problems.map { FieldIssue(field: $0.field + "Id", message: $0.message) }) }
        guard let source = IssueSource(rawValue: body.source) else {
            throw ValidationFailure([FieldIssue(field: "source", message: LocalizedText(
                zh: "来源应为：\(IssueSource.allCases.map(\.rawValue).joined(separator: "、"))", en: "The source must be one of: \(IssueSource.allCases.map(\.rawValue).joined(separator: ", "))"))])
        }
        let id = try await governance.createIssue(
            IssueDraft(title: body.title, description: body.description ?? "", source: source, raisedBy: body.raisedBy, householdID: body.householdId,
                       gridID: body.gridId, meetingID: body.meetingId, category: body.category, raisedOn: body.raisedOn),
            village: code, today: settings.today, by: RequestScope.actor)
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
        try await governance.transition(id, move, version: body.version, today: settings.today, by: RequestScope.actor)
        return .ok(.init(body: .json(try await issueFile(id))))
    }

    private func issueFile(_ id: Int) async throws -> Components.Schemas.IssueFile {
        let file = try await governance.issue(id)
        let today = settings.today
        return .init(
            issue: Self.schema(file.row, today: today), description: file.description, evidence: file.evidence, version: file.version,
            events: file.events.map(Self.schema))
    }

    static func schema(_ row: IssueRow, today: String) -> Components.Schemas.Issue {
        .init(id: row.id, villageCode: row.villageCode, title: row.title, source: row.source.rawValue, raisedBy: row.raisedBy, category: row.category,
              raisedOn: row.raisedOn, state: .init(rawValue: row.state.rawValue)!, owner: row.owner, deadline: row.deadline, finishedOn: row.finishedOn,
              result: row.result, householdId: row.householdId, householdNumber: row.householdNumber, overdue: row.isOverdue(on: today))
    }

    static func schema(_ ledger: LedgerFigures) -> Components.Schemas.LedgerFigures {
        .init(collected: ledger.collected, solvedOnTheSpot: ledger.solvedOnTheSpot, referredToMeeting: ledger.referredToMeeting, closed: ledger.closed,
              rejected: ledger.rejected, open: ledger.open, overdue: ledger.overdue, medianDaysToClose: ledger.medianDaysToClose, ideas: ledger.ideas,
              decisions: ledger.decisions, meetings: .init(additionalProperties: ledger.meetings), grids: ledger.grids,
              householdsInGrids: ledger.householdsInGrids)
    }

    // MARK: Meetings, grids, lists

    func listMeetings(_ input: Operations.ListMeetings.Input) async throws -> Operations.ListMeetings.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        return .ok(.init(body: .json(.init(items: try await governance.meetings(in: code, limit: 5_000).map(Self.schema)))))
    }

    func createMeeting(_ input: Operations.CreateMeeting.Input) async throws -> Operations.CreateMeeting.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.writeVillage, in: code)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        guard code.level == .village, try await divisions.find(code) != nil else {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
        guard let kind = MeetingKind(rawValue: body.kind) else {
            throw ValidationFailure([FieldIssue(field: "kind", message: LocalizedText(
                zh: "会议类型应为：\(MeetingKind.allCases.map(\.rawValue).joined(separator: "、"))",
                en: "The kind must be one of: \(MeetingKind.allCases.map(\.rawValue).joined(separator: ", "))"))])
        }
        var outcomes: [(kind: MeetingOutcomeKind, text: String, owner: String?, deadline: String?)] = []
        for (index, outcome) in (body.outcomes ?? []).enumerated() {
            guard let outcomeKind = MeetingOutcomeKind(rawValue: outcome.kind) else {
                throw ValidationFailure([FieldIssue(field: "outcomes[\(index)].kind", message: LocalizedText(zh: "应为 idea 或 decision", en: "Use idea or decision"))])
            }
            outcomes.append((outcomeKind, outcome.text, outcome.owner, outcome.deadline))
        }
        let id = try await governance.createMeeting(
            MeetingDraft(kind: kind, title: body.title, date: body.date, place: body.place, chair: body.chair, study: body.study ?? "",
                         theme: body.theme ?? "", topic: body.topic ?? "", cases: body.cases ?? "", organisations: body.organisations ?? []),
            village: code, attendees: body.attendees ?? [], outcomes: outcomes, by: RequestScope.actor)
        return .created(.init(body: .json(try await meetingFile(id))))
    }

    func getMeeting(_ input: Operations.GetMeeting.Input) async throws -> Operations.GetMeeting.Output {
        _ = try await authorizeRecord(.meeting, input.path.id, needs: .readRecords)
        return .ok(.init(body: .json(try await meetingFile(input.path.id))))
    }

    func listGrids(_ input: Operations.ListGrids.Input) async throws -> Operations.ListGrids.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard try await divisions.find(code) != nil else { throw Self.unknown(code) }
        return .ok(.init(body: .json(.init(items: try await governance.grids(in: code).map(Self.schema)))))
    }

    func assignGridHouseholds(_ input: Operations.AssignGridHouseholds.Input) async throws -> Operations.AssignGridHouseholds.Output {
        let id = input.path.id
        _ = try await authorizeRecord(.grid, id, needs: .writeVillage)
        guard case .json(let body) = input.body else { throw AppError(.unsupportedMediaType, LocalizedText(zh: "请提交 JSON", en: "Send JSON")) }
        try await governance.assign(households: body.households, to: id, by: RequestScope.actor)
        return .ok(.init(body: .json(Self.schema(try await governance.gridRow(id)))))
    }

    func getLists(_ input: Operations.GetLists.Input) async throws -> Operations.GetLists.Output {
        let code = try Self.code(input.path.code)
        try RequestScope.authorize(.readRecords, in: code)
        guard code.level == .village, try await divisions.find(code) != nil else {
            throw AppError.notFound(LocalizedText(zh: "村 \(code) 不存在", en: "Village \(code) does not exist"))
        }
        guard FieldIssue.years.contains(input.query.year) else {
            throw ValidationFailure([FieldIssue.yearOutOfRange()])
        }
        let (target, items) = try await governance.lists(village: code, year: input.query.year)
        return .ok(.init(body: .json(.init(year: input.query.year, target: target, items: items.map {
            .init(id: $0.id, list: $0.list, title: $0.title, owner: $0.owner, status: $0.status, note: $0.note, issueId: $0.issueId, meetingId: $0.meetingId)
        }))))
    }

    private func meetingFile(_ id: Int) async throws -> Components.Schemas.MeetingFile {
        let file = try await governance.meeting(id)
        let today = settings.today
        return .init(
            meeting: Self.schema(file.row), study: file.draft.study, theme: file.draft.theme, topic: file.draft.topic, cases: file.draft.cases,
            attendees: file.attendees.map { .init(personId: $0.id, name: $0.name) }, organisations: file.draft.organisations,
            outcomes: file.outcomes.map { .init(kind: $0.kind, text: $0.text, owner: $0.owner, deadline: $0.deadline) },
            received: file.received.map { Self.schema($0, today: today) },
            handled: file.handled.map { .init(event: Self.schema($0.event), issue: Self.schema($0.issue, today: today)) })
    }

    static func schema(_ row: MeetingRow) -> Components.Schemas.Meeting {
        .init(id: row.id, villageCode: row.villageCode, kind: row.kind, title: row.title, date: row.heldOn, place: row.place, chair: row.chair)
    }

    static func schema(_ row: GridRow) -> Components.Schemas.Grid {
        .init(id: row.id, villageCode: row.villageCode, name: row.name, leader: row.leader, partyGroup: row.partyGroup, households: row.households,
              partyMembers: row.partyMembers, openIssues: row.openIssues)
    }

    static func schema(_ event: IssueEvent) -> Components.Schemas.IssueEvent {
        .init(date: event.happenedOn, fromState: event.fromState.flatMap { .init(rawValue: $0.rawValue) }, toState: .init(rawValue: event.toState.rawValue)!,
              response: event.response, owner: event.owner, deadline: event.deadline, result: event.result, evidence: event.evidence,
              meetingId: event.meetingId, recordedBy: event.recordedBy)
    }
}
