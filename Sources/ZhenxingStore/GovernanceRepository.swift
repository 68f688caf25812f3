import Foundation
import SQLKit
import ZhenxingDomain

/// An issue as a ledger row.
public struct IssueRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let title: String
    public let source: IssueSource
    public let raisedBy: String
    public let category: String
    public let raisedOn: String
    public let state: IssueState
    public let owner: String?
    public let deadline: String?
    public let finishedOn: String?
    public let result: String?
    public let householdId: Int?
    public let householdNumber: String?

    /// Past its deadline and not finished, as of `today`.
    public func isOverdue(on today: String) -> Bool {
        IssueState.isOverdue(deadline: deadline, finishedOn: finishedOn, on: today)
    }
}

/// One entry on an issue's timeline.
public struct IssueEvent: Sendable, Hashable, Decodable {
    public let id: Int
    public let happenedOn: String
    public let fromState: IssueState?
    public let toState: IssueState
    public let response: String
    public let owner: String?
    public let deadline: String?
    public let result: String?
    public let evidence: String?
    public let meetingId: Int?
    public let meetingTitle: String?
    public let recordedBy: String
}

/// An issue with its timeline.
public struct IssueFile: Sendable {
    public let row: IssueRow
    public let description: String
    public let result: String?
    public let evidence: String?
    public let gridId: Int?
    public let meetingId: Int?
    public let version: Int
    public let events: [IssueEvent]
}

/// Filters of the ledger.
public struct IssueFilter: Sendable, Hashable {
    public var state: IssueState?
    public var owner: String?
    /// Only issues past their deadline on this day.
    public var overdueOn: String?
    /// Only those of one household.
    public var householdID: Int?
    /// Only those of one grid.
    public var gridID: Int?
    /// Only those not finished (solved, closed or rejected).
    public var unfinished: Bool

    public init(state: IssueState? = nil, owner: String? = nil, overdueOn: String? = nil, householdID: Int? = nil, gridID: Int? = nil,
                unfinished: Bool = false) {
        self.state = state
        self.owner = owner
        self.overdueOn = overdueOn
        self.householdID = householdID
        self.gridID = gridID
        self.unfinished = unfinished
    }
}

/// A meeting as listed.
public struct MeetingRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let kind: String
    public let title: String
    public let heldOn: String
    public let place: String
    public let chair: String
}

/// An idea or decision of a meeting.
public struct MeetingOutcome: Sendable, Hashable, Decodable {
    public let id: Int
    public let kind: String
    public let text: String
    public let owner: String?
    public let deadline: String?
}

/// A meeting with what it received, what it decided and what became of it.
public struct MeetingFile: Sendable {
    public let row: MeetingRow
    public let draft: MeetingDraft
    public let attendees: [(id: Int, name: String)]
    public let outcomes: [MeetingOutcome]
    /// Issues raised in the meeting, with their state now.
    public let received: [IssueRow]
    /// Timeline entries recorded in the meeting (referrals, assignments, closures), with each issue's state now.
    public let handled: [(event: IssueEvent, issue: IssueRow)]
}

/// A grid as listed.
public struct GridRow: Sendable, Hashable, Decodable {
    public let id: Int
    public let villageCode: String
    public let name: String
    public let leader: String
    /// The user name of the grid leader's account, when one is set.
    public let leaderAccount: String?
    public let partyGroup: String
    public let households: Int
    public let partyMembers: Int
    public let openIssues: Int
}

/// A grid's households and party group.
public struct GridFile: Sendable {
    public let row: GridRow
    public let households: [HouseholdRow]
    public let partyMembers: [(id: Int, name: String, role: String)]
    public let openIssues: [IssueRow]
}

/// A list item of 一标四单.
public struct ListItem: Sendable, Hashable, Decodable {
    public let id: Int
    public let list: String
    public let title: String
    public let owner: String
    public let status: String
    public let note: String
    public let issueId: Int?
    public let meetingId: Int?
}

/// The ledger figures of a division for a year.
public struct LedgerFigures: Sendable, Hashable, Codable {
    /// Issues raised in the year.
    public var collected = 0
    /// Of those, solved on the spot.
    public var solvedOnTheSpot = 0
    /// Of those, referred to a meeting at some point.
    public var referredToMeeting = 0
    /// Of those, closed (销号).
    public var closed = 0
    /// Of those, rejected with a reason.
    public var rejected = 0
    /// Of those, not finished at the year's end.
    public var open = 0
    /// Of the open ones, past their deadline at the year's end.
    public var overdue = 0
    /// Median days from raised to solved or closed, of those finished.
    public var medianDaysToClose: Double?
    /// Ideas proposed in the year's meetings.
    public var ideas = 0
    /// Decisions taken in the year's meetings.
    public var decisions = 0
    /// Meetings in the year by kind.
    public var meetings: [String: Int] = [:]
    /// Grids.
    public var grids = 0
    /// Households in a grid.
    public var householdsInGrids = 0

    public init() {}

    /// Adds another division's figures; `daysToClose` is the distribution of both together, for the median.
    mutating func add(_ other: LedgerFigures, daysToClose: [Int: Int]) {
        collected += other.collected
        solvedOnTheSpot += other.solvedOnTheSpot
        referredToMeeting += other.referredToMeeting
        closed += other.closed
        rejected += other.rejected
        open += other.open
        overdue += other.overdue
        ideas += other.ideas
        decisions += other.decisions
        meetings.merge(other.meetings, uniquingKeysWith: +)
        grids += other.grids
        householdsInGrids += other.householdsInGrids
        medianDaysToClose = Self.median(daysToClose)
    }

    /// The median of a distribution given as value → how many times, nil when empty.
    static func median(_ distribution: [Int: Int]) -> Double? {
        let total = distribution.values.reduce(0, +)
        guard total > 0 else { return nil }
        // The values at positions (total - 1) / 2 and total / 2 (0-based) of the sorted list; equal when total is odd.
        var seen = 0, lower: Int?
        for (value, times) in distribution.sorted(by: { $0.key < $1.key }) {
            seen += times
            if lower == nil && seen > (total - 1) / 2 { lower = value }
            if seen > total / 2 { return Double(lower! + value) / 2 }
        }
        return nil
    }
}

/// The issue ledger, meetings, grids and the four lists.
public struct GovernanceRepository: Sendable {
    /// The database it reads and writes.
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    // MARK: Issues

    /// Records an issue (state collected) and its first timeline entry; returns its id.
    public func createIssue(_ draft: IssueDraft, village: DivisionCode, today: String, by actor: AuditActor) async throws -> Int {
        var problems = draft.problems(today: today)
        return try await database.transaction { sql in
            try await Self.checkLinks(draft, village: village, problems: &problems, in: sql)
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let id = try await BulkInsert.row(into: "issues", columns: [
                "village_code", "title", "description", "source", "raised_by", "household_id", "grid_id", "meeting_id", "category", "raised_on",
                "state", "version",
            ], values: [
                village.rawValue, draft.title.trimmingCharacters(in: .whitespaces), draft.description, draft.source.rawValue, draft.raisedBy,
                draft.householdID, draft.gridID, draft.meetingID, draft.category, draft.raisedOn, IssueState.collected.rawValue, 1,
            ], in: sql)
            try await sql.raw("""
                INSERT INTO issue_events (issue_id, happened_on, from_state, to_state, response, meeting_id, recorded_by, recorded_at)
                VALUES (\(bind: id), \(bind: draft.raisedOn), NULL, 'collected', '', \(bind: draft.meetingID), \(bind: actor.username), \(bind: Timestamp.now()))
                """).run()
            try await AuditLog.record(.create, entity: .issue, key: String(id), division: village, after: draft, by: actor, in: sql)
            return id
        }
    }

    /// Moves an issue on, refusing moves that make no sense on `today`; `version` guards against a stale form.
    public func transition(_ id: Int, _ move: IssueTransition, version: Int?, today: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let current = try await Self.issueRow(id, in: sql) else { throw StoreError.notFound("issue \(id)") }
            let storedVersion = try await sql.raw("SELECT version FROM issues WHERE id = \(bind: id)").first(decodingColumn: "version", as: Int.self) ?? 0
            if let version, version != storedVersion { throw StoreError.staleVersion(expected: version, current: storedVersion) }
            var problems = move.problems(from: current.state, created: current.raisedOn, today: today)
            if let meeting = move.meetingID, let village = try? DivisionCode(validating: current.villageCode),
               let problem = try await VillageReference.meeting.problem([meeting], in: village, field: "meetingID", sql: sql) {
                problems.append(problem)
            }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let finished = move.to.isFinal ? move.date : nil
            try await sql.raw("""
                UPDATE issues SET state = \(bind: move.to.rawValue),
                    owner = COALESCE(\(bind: move.owner), owner), deadline = COALESCE(\(bind: move.deadline), deadline),
                    result = COALESCE(\(bind: move.result), result), evidence = COALESCE(\(bind: move.evidence), evidence),
                    finished_on = \(bind: finished), version = version + 1
                WHERE id = \(bind: id)
                """).run()
            try await sql.raw("""
                INSERT INTO issue_events (issue_id, happened_on, from_state, to_state, response, owner, deadline, result, evidence, meeting_id,
                                          recorded_by, recorded_at)
                VALUES (\(bind: id), \(bind: move.date), \(bind: current.state.rawValue), \(bind: move.to.rawValue), \(bind: move.response), \(bind: move.owner),
                        \(bind: move.deadline), \(bind: move.result), \(bind: move.evidence), \(bind: move.meetingID), \(bind: actor.username),
                        \(bind: Timestamp.now()))
                """).run()
            try await AuditLog.record(.statusChange, entity: .issue, key: String(id), division: try? DivisionCode(validating: current.villageCode),
                                      after: move, by: actor, in: sql)
        }
    }

    /// The ledger of a division (any level), newest first, at most `limit` rows.
    public func issues(in division: DivisionCode, filter: IssueFilter = IssueFilter(), before: NewestFirst? = nil, limit: Int = 500) async throws -> [IssueRow] {
        var conditions: [SQLQueryString] = ["\(division.covers("i.village_code"))"]
        if let before { conditions.append(before.condition(date: "i.raised_on", id: "i.id")) }
        if let state = filter.state { conditions.append("i.state = \(bind: state.rawValue)") }
        if let owner = filter.owner { conditions.append("i.owner = \(bind: owner)") }
        if let day = filter.overdueOn {
            conditions.append("i.state NOT IN ('solved', 'closed', 'rejected') AND i.deadline IS NOT NULL AND i.deadline < \(bind: day)")
        }
        if filter.unfinished { conditions.append("i.state NOT IN ('solved', 'closed', 'rejected')") }
        if let household = filter.householdID { conditions.append("i.household_id = \(bind: household)") }
        if let grid = filter.gridID {
            conditions.append("(i.grid_id = \(bind: grid) OR i.household_id IN (SELECT household_id FROM grid_households WHERE grid_id = \(bind: grid)))")
        }
        return try await database.read { sql in
            try await sql.raw("""
                SELECT \(Self.issueColumns) FROM issues i LEFT JOIN households h ON h.id = i.household_id
                WHERE \(SQLList(conditions, separator: SQLRaw(" AND "))) ORDER BY i.raised_on DESC, i.id DESC LIMIT \(literal: limit)
                """).all(decoding: IssueRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// How many issues of a division are in each state, and how many are past their deadline on `today`.
    public func counts(in division: DivisionCode, today: String) async throws -> (byState: [String: Int], overdue: Int) {
        try await database.read { sql in
            struct Row: Decodable { let state: String; let n: Int; let overdue: Int }
            let rows = try await sql.raw("""
                SELECT state, count(*) AS n,
                       CAST(sum(CASE WHEN state NOT IN ('solved', 'closed', 'rejected') AND deadline < \(bind: today) THEN 1 ELSE 0 END) AS BIGINT) AS overdue
                FROM issues WHERE \(division.covers("village_code")) GROUP BY state
                """).all(decoding: Row.self)
            return (Dictionary(uniqueKeysWithValues: rows.map { ($0.state, $0.n) }), rows.reduce(0) { $0 + $1.overdue })
        }
    }

    /// The categories a village's issues were filed under, most used first: what the issue form offers.
    public func categories(in village: DivisionCode) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT category FROM issues WHERE village_code = \(bind: village.rawValue) AND category <> ''
                GROUP BY category ORDER BY count(*) DESC, category LIMIT 100
                """).all(decodingColumn: "category", as: String.self)
        }
    }

    /// How many unfinished issues are past their deadline on `today` in each division directly under `division` (the
    /// provinces when nil), by the child's code; a child without any is left out.
    public func overdueIssues(under division: DivisionCode?, today: String) async throws -> [DivisionCode: Int] {
        guard division?.level != .village else { return [:] }
        let digits = DivisionLevel.allCases[division.map { $0.level.depth + 1 } ?? 0].segmentEnd
        struct Row: Decodable { let prefix: String; let n: Int }
        let rows = try await database.read { sql in
            try await sql.raw("""
                SELECT substr(village_code, 1, \(literal: digits)) AS prefix, count(*) AS n FROM issues
                WHERE \(division.map { $0.covers("village_code") } ?? "1 = 1") AND state NOT IN ('solved', 'closed', 'rejected')
                  AND deadline IS NOT NULL AND deadline < \(bind: today)
                GROUP BY substr(village_code, 1, \(literal: digits))
                """).all(decoding: Row.self)
        }
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in
            (try? DivisionCode(validating: row.prefix.padding(toLength: 12, withPad: "0", startingAt: 0))).map { ($0, row.n) }
        })
    }

    /// An issue with its timeline.
    public func issue(_ id: Int) async throws -> IssueFile {
        try await database.read { sql in
            struct Extra: Decodable { let description: String; let result: String?; let evidence: String?; let gridId: Int?; let meetingId: Int?; let version: Int }
            guard let row = try await Self.issueRow(id, in: sql),
                  let extra = try await sql.raw("SELECT description, result, evidence, grid_id, meeting_id, version FROM issues WHERE id = \(bind: id)")
                      .first(decoding: Extra.self, keyDecodingStrategy: .convertFromSnakeCase)
            else { throw StoreError.notFound("issue \(id)") }
            let events = try await sql.raw("""
                SELECT e.id, e.happened_on, e.from_state, e.to_state, e.response, e.owner, e.deadline, e.result, e.evidence, e.meeting_id,
                       m.title AS meeting_title, e.recorded_by
                FROM issue_events e LEFT JOIN meetings m ON m.id = e.meeting_id WHERE e.issue_id = \(bind: id) ORDER BY e.id
                """).all(decoding: IssueEvent.self, keyDecodingStrategy: .convertFromSnakeCase)
            return IssueFile(row: row, description: extra.description, result: extra.result, evidence: extra.evidence, gridId: extra.gridId,
                             meetingId: extra.meetingId, version: extra.version, events: events)
        }
    }

    /// The village of an issue, nil when there is none.
    public func village(ofIssue id: Int) async throws -> DivisionCode? {
        try await database.villageCode("SELECT village_code FROM issues WHERE id = \(bind: id)")
    }

    // MARK: Meetings

    /// Records a meeting with its attendees (people of the registry) and returns its id.
    public func createMeeting(_ draft: MeetingDraft, village: DivisionCode, attendees: [Int], outcomes: [(kind: MeetingOutcomeKind, text: String, owner: String?, deadline: String?)] = [],
                              by actor: AuditActor) async throws -> Int {
        var problems = draft.problems()
        if !Day.isValid(draft.date) {
            problems.append(FieldIssue.notADay("date"))
        }
        return try await database.transaction { sql in
            let unique = Array(Set(attendees))
            if let problem = try await VillageReference.person.problem(unique, in: village, field: "attendees", sql: sql) { problems.append(problem) }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let id = try await BulkInsert.row(into: "meetings", columns: [
                "village_code", "kind", "title", "held_on", "place", "chair", "study", "theme", "topic", "cases", "organisations", "version", "created_at",
            ], values: [
                village.rawValue, draft.kind.rawValue, draft.title, draft.date, draft.place, draft.chair, draft.study, draft.theme, draft.topic, draft.cases,
                draft.organisations.joined(separator: "\n"), 1, Timestamp.now(),
            ], in: sql)
            try await BulkInsert.rows(unique.map { [id, $0] }, into: "meeting_attendees", columns: ["meeting_id", "person_id"], in: sql)
            for outcome in outcomes {
                try await Self.insertOutcome(meeting: id, kind: outcome.kind, text: outcome.text, owner: outcome.owner, deadline: outcome.deadline, in: sql)
            }
            try await AuditLog.record(.create, entity: .meeting, key: String(id), division: village, after: draft, by: actor, in: sql)
            return id
        }
    }

    /// Adds an idea or a decision to a meeting.
    public func addOutcome(meeting: Int, kind: MeetingOutcomeKind, text: String, owner: String?, deadline: String?, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let village = try await Self.meetingVillage(meeting, in: sql) else { throw StoreError.notFound("meeting \(meeting)") }
            try await Self.insertOutcome(meeting: meeting, kind: kind, text: text, owner: owner, deadline: deadline, in: sql)
            try await AuditLog.record(.create, entity: .meetingOutcome, key: String(meeting), division: try? DivisionCode(validating: village),
                                      after: ["kind": kind.rawValue, "text": text], by: actor, in: sql)
        }
    }

    /// Meetings of a division, newest first.
    public func meetings(in division: DivisionCode, before: NewestFirst? = nil, limit: Int = 200) async throws -> [MeetingRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT id, village_code, kind, title, held_on, place, chair FROM meetings
                WHERE \(division.covers("village_code")) \(before.map { "AND \($0.condition(date: "held_on", id: "id"))" } ?? "")
                ORDER BY held_on DESC, id DESC LIMIT \(literal: limit)
                """).all(decoding: MeetingRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// A meeting with what it received and decided, and where each of those issues stands now.
    public func meeting(_ id: Int) async throws -> MeetingFile {
        try await database.read { sql in
            struct Full: Decodable {
                let id: Int; let villageCode: String; let kind: String; let title: String; let heldOn: String; let place: String; let chair: String
                let study: String; let theme: String; let topic: String; let cases: String; let organisations: String
            }
            guard let full = try await sql.raw("""
                SELECT id, village_code, kind, title, held_on, place, chair, study, theme, topic, cases, organisations FROM meetings WHERE id = \(bind: id)
                """).first(decoding: Full.self, keyDecodingStrategy: .convertFromSnakeCase) else { throw StoreError.notFound("meeting \(id)") }
            struct Attendee: Decodable { let id: Int; let name: String }
            let attendees = try await sql.raw("""
                SELECT p.id, p.name FROM meeting_attendees a JOIN people p ON p.id = a.person_id WHERE a.meeting_id = \(bind: id) ORDER BY p.name
                """).all(decoding: Attendee.self)
            let outcomes = try await sql.raw("SELECT id, kind, text, owner, deadline FROM meeting_outcomes WHERE meeting_id = \(bind: id) ORDER BY id")
                .all(decoding: MeetingOutcome.self)
            let received = try await sql.raw("""
                SELECT \(Self.issueColumns) FROM issues i LEFT JOIN households h ON h.id = i.household_id WHERE i.meeting_id = \(bind: id) ORDER BY i.id
                """).all(decoding: IssueRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            let events = try await sql.raw("""
                SELECT e.id, e.happened_on, e.from_state, e.to_state, e.response, e.owner, e.deadline, e.result, e.evidence, e.meeting_id,
                       NULL AS meeting_title, e.recorded_by, e.issue_id
                FROM issue_events e WHERE e.meeting_id = \(bind: id) AND e.from_state IS NOT NULL ORDER BY e.id
                """).all(decoding: IssueEventWithIssue.self, keyDecodingStrategy: .convertFromSnakeCase)
            var handled: [(IssueEvent, IssueRow)] = []
            for event in events {
                if let issue = try await Self.issueRow(event.issueId, in: sql) { handled.append((event.event, issue)) }
            }
            let row = MeetingRow(id: full.id, villageCode: full.villageCode, kind: full.kind, title: full.title, heldOn: full.heldOn, place: full.place, chair: full.chair)
            let draft = MeetingDraft(kind: MeetingKind(rawValue: full.kind) ?? .regular, title: full.title, date: full.heldOn, place: full.place,
                                     chair: full.chair, study: full.study, theme: full.theme, topic: full.topic, cases: full.cases,
                                     organisations: full.organisations.split(separator: "\n").map(String.init))
            return MeetingFile(row: row, draft: draft, attendees: attendees.map { ($0.id, $0.name) }, outcomes: outcomes, received: received, handled: handled)
        }
    }

    /// The village of a meeting, nil when there is none.
    public func village(ofMeeting id: Int) async throws -> DivisionCode? {
        try await database.read { sql in try await Self.meetingVillage(id, in: sql).map { try DivisionCode(validating: $0) } }
    }

    // MARK: Grids

    /// Creates a grid and returns its id.
    public func createGrid(village: DivisionCode, name: String, leader: String, partyGroup: String, by actor: AuditActor) async throws -> Int {
        var problems: [FieldIssue] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 30 {
            problems.append(FieldIssue(field: "name", message: LocalizedText(zh: "网格名称不能为空，且不超过 30 个字", en: "The name must be 1 to 30 characters")))
        }
        if leader.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(FieldIssue(field: "leader", message: LocalizedText(zh: "请写明网格长", en: "Name the grid leader")))
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return try await database.transaction { sql in
            if try await sql.raw("SELECT id FROM grids WHERE village_code = \(bind: village.rawValue) AND name = \(bind: name)")
                .first(decodingColumn: "id", as: Int.self) != nil {
                throw ValidationFailure([FieldIssue(field: "name", message: LocalizedText(zh: "本村已有名为“\(name)”的网格", en: "The village already has a grid named \"\(name)\""))])
            }
            let id = try await BulkInsert.row(into: "grids", columns: ["village_code", "name", "leader", "party_group", "version", "created_at"],
                                           values: [village.rawValue, name, leader, partyGroup, 1, Timestamp.now()], in: sql)
            try await AuditLog.record(.create, entity: .grid, key: String(id), division: village, after: ["name": name, "leader": leader], by: actor, in: sql)
            return id
        }
    }

    /// Makes the account `username` — a grid leader of the grid's village — the grid's leader: the grids it leads are
    /// where a grid leader may write. An empty name leaves the grid without an account.
    public func setLeaderAccount(grid: Int, username: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard let village = try await Self.gridVillage(grid, in: sql) else { throw StoreError.notFound("grid \(grid)") }
            var user: Int?
            if !username.isEmpty {
                user = try await sql.raw("""
                    SELECT id FROM users WHERE username = \(bind: username) AND role = 'grid_leader' AND division_code = \(bind: village)
                    """).first(decodingColumn: "id", as: Int.self)
                guard user != nil else {
                    throw ValidationFailure([FieldIssue(field: "leaderAccount", message: LocalizedText(
                        zh: "本村没有用户名为“\(username)”的网格员账户", en: "No grid leader account of this village is called \(username)"))])
                }
            }
            try await sql.raw("UPDATE grids SET leader_user_id = \(bind: user), version = version + 1 WHERE id = \(bind: grid)").run()
            try await AuditLog.record(.update, entity: .grid, key: String(grid), after: ["leaderAccount": username], by: actor, in: sql)
        }
    }

    /// A record a grid leader may be asked to change: it lies in a grid through its household.
    public enum GridRecord: Sendable {
        case household, person, visit, photo, issue
    }

    /// True when record `id` of `kind` lies in a grid whose leader account is `userID`: a household of it, a person
    /// living in one, a visit or photo of one, or an issue of such a household or of the grid itself.
    public func gridLeader(_ userID: Int, reaches kind: GridRecord, _ id: Int) async throws -> Bool {
        let household: SQLQueryString = switch kind {
        case .household: "\(bind: id)"
        case .person: "(SELECT household_id FROM memberships WHERE person_id = \(bind: id) AND to_date IS NULL)"
        case .visit: "(SELECT household_id FROM visits WHERE id = \(bind: id))"
        case .photo: "(SELECT v.household_id FROM visit_photos p JOIN visits v ON v.id = p.visit_id WHERE p.id = \(bind: id))"
        case .issue: "(SELECT household_id FROM issues WHERE id = \(bind: id))"
        }
        let ownGrid: SQLQueryString = kind == .issue ? "OR g.id = (SELECT grid_id FROM issues WHERE id = \(bind: id))" : ""
        return try await database.read { sql in
            try await sql.raw("""
                SELECT count(*) AS n FROM grids g WHERE g.leader_user_id = \(bind: userID)
                  AND (g.id = (SELECT grid_id FROM grid_households WHERE household_id = \(household)) \(ownGrid))
                """).first(decodingColumn: "n", as: Int.self) ?? 0 > 0
        }
    }

    /// Puts households in a grid. A household already in another grid is refused (move it out
    /// first): every household is in exactly one grid.
    public func assign(households: [Int], to grid: Int, by actor: AuditActor) async throws {
        guard !households.isEmpty else { return }
        try await database.transaction { sql in
            guard let village = try await Self.gridVillage(grid, in: sql) else { throw StoreError.notFound("grid \(grid)") }
            try await VillageReference.household.require(households, in: try DivisionCode(validating: village), field: "households", sql: sql)
            struct Found: Decodable { let id: Int; let villageCode: String; let number: String; let gridName: String?; let gridId: Int? }
            let found = try await sql.raw("""
                SELECT h.id, h.village_code, h.number, g.name AS grid_name, g.id AS grid_id FROM households h
                LEFT JOIN grid_households gh ON gh.household_id = h.id LEFT JOIN grids g ON g.id = gh.grid_id
                WHERE h.id IN (\(binds: Array(Set(households))))
                """).all(decoding: Found.self, keyDecodingStrategy: .convertFromSnakeCase)
            var problems: [FieldIssue] = []
            for household in found {
                if let other = household.gridName, household.gridId != grid {
                    problems.append(FieldIssue(field: "households", message: LocalizedText(
                        zh: "第 \(household.number) 户已在“\(other)”网格：一户只能属于一个网格，请先移出", en: "Household \(household.number) is already in grid \"\(other)\": move it out first")))
                }
            }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let new = found.filter { $0.gridId == nil }.map { [$0.id, grid] as [any Encodable & Sendable] }
            try await BulkInsert.rows(new, into: "grid_households", columns: ["household_id", "grid_id"], in: sql)
            try await AuditLog.record(.update, entity: .grid, key: String(grid), division: try? DivisionCode(validating: village),
                                      after: ["households_added": new.count], by: actor, in: sql)
        }
    }

    /// Takes a household out of its grid.
    public func release(household: Int, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM grid_households WHERE household_id = \(bind: household)").run()
            try await AuditLog.record(.update, entity: .gridHousehold, key: String(household), by: actor, in: sql)
        }
    }

    /// Adds a person to a grid's party group (党小组).
    public func addPartyMember(grid: Int, person: Int, role: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            guard try await Self.gridVillage(grid, in: sql) != nil else { throw StoreError.notFound("grid \(grid)") }
            guard try await sql.raw("SELECT id FROM people WHERE id = \(bind: person)").first(decodingColumn: "id", as: Int.self) != nil else {
                throw ValidationFailure([FieldIssue(field: "person", message: LocalizedText(zh: "没有这个人", en: "No such person"))])
            }
            try await sql.raw("""
                INSERT INTO grid_party_members (grid_id, person_id, role) VALUES (\(bind: grid), \(bind: person), \(bind: role))
                ON CONFLICT (grid_id, person_id) DO UPDATE SET role = excluded.role
                """).run()
            try await AuditLog.record(.update, entity: .grid, key: String(grid), after: ["party_member": person], by: actor, in: sql)
        }
    }

    /// Grids of a division with their counts.
    public func grids(in division: DivisionCode) async throws -> [GridRow] {
        try await gridRows("\(division.covers("g.village_code"))")
    }

    private func gridRows(_ condition: SQLQueryString) async throws -> [GridRow] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT g.id, g.village_code, g.name, g.leader, (SELECT username FROM users u WHERE u.id = g.leader_user_id) AS leader_account,
                       g.party_group,
                       (SELECT count(*) FROM grid_households gh WHERE gh.grid_id = g.id) AS households,
                       (SELECT count(*) FROM grid_party_members pm WHERE pm.grid_id = g.id) AS party_members,
                       (SELECT count(*) FROM issues i WHERE i.state NOT IN ('solved', 'closed', 'rejected')
                          AND (i.grid_id = g.id OR i.household_id IN (SELECT household_id FROM grid_households WHERE grid_id = g.id))) AS open_issues
                FROM grids g WHERE \(condition) ORDER BY g.village_code, g.id
                """).all(decoding: GridRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        }
    }

    /// One grid with its counts.
    public func gridRow(_ id: Int) async throws -> GridRow {
        guard let row = try await gridRows("g.id = \(bind: id)").first else { throw StoreError.notFound("grid \(id)") }
        return row
    }

    /// A grid's households, party group and open issues.
    public func grid(_ id: Int, today: String) async throws -> GridFile {
        guard let row = try await gridRows("g.id = \(bind: id)").first, let village = try? DivisionCode(validating: row.villageCode) else {
            throw StoreError.notFound("grid \(id)")
        }
        let households = try await RegistryRepository(database: database).households(
            in: village, filter: HouseholdFilter(gridID: id), asOf: today, after: nil, limit: 10_000)
        struct Member: Decodable { let id: Int; let name: String; let role: String }
        let members = try await database.read { sql in
            try await sql.raw("""
                SELECT p.id, p.name, m.role FROM grid_party_members m JOIN people p ON p.id = m.person_id WHERE m.grid_id = \(bind: id) ORDER BY m.role DESC, p.name
                """).all(decoding: Member.self)
        }
        let open = try await issues(in: village, filter: IssueFilter(gridID: id)).filter { !$0.state.isFinal }
        return GridFile(row: row, households: households, partyMembers: members.map { ($0.id, $0.name, $0.role) }, openIssues: open)
    }

    /// The grid a household is in: its id and name.
    public func grid(ofHousehold household: Int) async throws -> (id: Int, name: String)? {
        struct Row: Decodable { let id: Int; let name: String }
        return try await database.read { sql in
            try await sql.raw("SELECT g.id, g.name FROM grid_households gh JOIN grids g ON g.id = gh.grid_id WHERE gh.household_id = \(bind: household)")
                .first(decoding: Row.self)
        }.map { ($0.id, $0.name) }
    }

    /// The village of a grid, nil when there is none.
    public func village(ofGrid id: Int) async throws -> DivisionCode? {
        try await database.read { sql in try await Self.gridVillage(id, in: sql).map { try DivisionCode(validating: $0) } }
    }

    // MARK: Four lists

    /// Sets a village's target (标) for a year.
    public func setTarget(village: DivisionCode, year: Int, target: String, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO list_targets (village_code, year, target) VALUES (\(bind: village.rawValue), \(bind: year), \(bind: target))
                ON CONFLICT (village_code, year) DO UPDATE SET target = excluded.target
                """).run()
            try await AuditLog.record(.update, entity: .listTarget, key: "\(village)/\(year)", division: village, after: ["target": target], by: actor, in: sql)
        }
    }

    /// Adds an item to one of the four lists; returns its id.
    public func addListItem(village: DivisionCode, year: Int, list: ListKind, title: String, owner: String, status: ListItemStatus = .open,
                            note: String = "", issue: Int? = nil, meeting: Int? = nil, by actor: AuditActor) async throws -> Int {
        var problems: [FieldIssue] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(FieldIssue(field: "title", message: LocalizedText(zh: "请填写事项", en: "Write the item")))
        }
        if owner.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(FieldIssue(field: "owner", message: LocalizedText(zh: "请写明责任人", en: "Name the owner")))
        }
        return try await database.transaction { sql in
            for (reference, id, field) in [(VillageReference.issue, issue, "issue"), (.meeting, meeting, "meeting")] {
                if let id, let problem = try await reference.problem([id], in: village, field: field, sql: sql) { problems.append(problem) }
            }
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            let id = try await BulkInsert.row(into: "list_items", columns: ["village_code", "year", "list", "title", "owner", "status", "note", "issue_id", "meeting_id"],
                                           values: [village.rawValue, year, list.rawValue, title, owner, status.rawValue, note, issue, meeting], in: sql)
            try await AuditLog.record(.create, entity: .listItem, key: String(id), division: village, after: ["list": list.rawValue, "title": title], by: actor, in: sql)
            return id
        }
    }

    /// Changes a list item's status.
    public func setStatus(listItem id: Int, _ status: ListItemStatus, village: DivisionCode, by actor: AuditActor) async throws {
        try await database.transaction { sql in
            // An item of another village, or none, is not found: nothing changes and nothing is audited.
            guard try await !VillageReference.listItem.found([id], in: village, sql: sql).isEmpty else { throw StoreError.notFound("list item \(id)") }
            try await sql.raw("UPDATE list_items SET status = \(bind: status.rawValue) WHERE id = \(bind: id) AND village_code = \(bind: village.rawValue)").run()
            try await AuditLog.record(.update, entity: .listItem, key: String(id), division: village, after: ["status": status.rawValue], by: actor, in: sql)
        }
    }

    /// A village's target and list items for a year.
    public func lists(village: DivisionCode, year: Int) async throws -> (target: String?, items: [ListItem]) {
        try await database.read { sql in
            let target = try await sql.raw("SELECT target FROM list_targets WHERE village_code = \(bind: village.rawValue) AND year = \(bind: year)")
                .first(decodingColumn: "target", as: String.self)
            let items = try await sql.raw("""
                SELECT id, list, title, owner, status, note, issue_id, meeting_id FROM list_items
                WHERE village_code = \(bind: village.rawValue) AND year = \(bind: year) ORDER BY list, id
                """).all(decoding: ListItem.self, keyDecodingStrategy: .convertFromSnakeCase)
            return (target, items)
        }
    }

    // MARK: Figures

    /// The ledger figures of a division for a year as of `asOf` (its last day, or today while it runs: an issue due
    /// next month is not overdue yet), and the issues finished by the days they took.
    func figures(_ division: DivisionCode, year: Int, asOf: String) async throws -> (LedgerFigures, daysToClose: [Int: Int]) {
        let first = "\(year)-01-01", last = "\(year)-12-31"
        return try await database.read { sql in
            struct Row: Decodable { let state: IssueState; let raisedOn: String; let deadline: String?; let finishedOn: String?; let referred: Int }
            let rows = try await sql.raw("""
                SELECT i.state, i.raised_on, i.deadline, i.finished_on,
                       (SELECT count(*) FROM issue_events e WHERE e.issue_id = i.id AND e.to_state = 'referred') AS referred
                FROM issues i WHERE \(division.covers("i.village_code")) AND i.raised_on BETWEEN \(bind: first) AND \(bind: last)
                """).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
            var figures = LedgerFigures()
            var days: [Int: Int] = [:]
            for row in rows {
                figures.collected += 1
                if row.referred > 0 { figures.referredToMeeting += 1 }
                let finishedByThen = row.finishedOn.map { $0 <= asOf } ?? false
                switch row.state {
                // Solved at the meeting it was referred to is no longer "on the spot": it counts as finished (closed).
                case .solved where finishedByThen && row.referred == 0: figures.solvedOnTheSpot += 1
                case .solved where finishedByThen, .closed where finishedByThen: figures.closed += 1
                case .rejected where finishedByThen: figures.rejected += 1
                default:
                    figures.open += 1
                    if IssueState.isOverdue(deadline: row.deadline, finishedOn: row.finishedOn, on: asOf) { figures.overdue += 1 }
                }
                if finishedByThen, let finished = row.finishedOn, row.state != .rejected,
                   let start = Timestamp.date(row.raisedOn + "T00:00:00.000Z"), let end = Timestamp.date(finished + "T00:00:00.000Z") {
                    days[Int((end.timeIntervalSince(start) / 86_400).rounded()), default: 0] += 1
                }
            }
            figures.medianDaysToClose = LedgerFigures.median(days)
            struct Outcome: Decodable { let kind: String; let n: Int }
            for outcome in try await sql.raw("""
                SELECT o.kind, count(*) AS n FROM meeting_outcomes o JOIN meetings m ON m.id = o.meeting_id
                WHERE \(division.covers("m.village_code")) AND m.held_on BETWEEN \(bind: first) AND \(bind: last) GROUP BY o.kind
                """).all(decoding: Outcome.self) {
                if outcome.kind == "idea" { figures.ideas = outcome.n } else { figures.decisions = outcome.n }
            }
            for meeting in try await sql.raw("""
                SELECT kind, count(*) AS n FROM meetings WHERE \(division.covers("village_code")) AND held_on BETWEEN \(bind: first) AND \(bind: last) GROUP BY kind
                """).all(decoding: Outcome.self) {
                figures.meetings[meeting.kind] = meeting.n
            }
            figures.grids = try await sql.raw("SELECT count(*) AS n FROM grids WHERE \(division.covers("village_code"))").first(decodingColumn: "n", as: Int.self) ?? 0
            figures.householdsInGrids = try await sql.raw("""
                SELECT count(*) AS n FROM grid_households gh JOIN grids g ON g.id = gh.grid_id WHERE \(division.covers("g.village_code"))
                """).first(decodingColumn: "n", as: Int.self) ?? 0
            return (figures, days)
        }
    }

    /// Removes every governance record of a village (demo refresh only; the audit log keeps its entries).
    public static func clearVillage(_ village: DivisionCode, in sql: any SQLDatabase) async throws {
        let code = village.rawValue
        try await sql.raw("DELETE FROM list_items WHERE village_code = \(bind: code)").run()
        try await sql.raw("DELETE FROM list_targets WHERE village_code = \(bind: code)").run()
        try await sql.raw("DELETE FROM issue_events WHERE issue_id IN (SELECT id FROM issues WHERE village_code = \(bind: code))").run()
        try await sql.raw("DELETE FROM issues WHERE village_code = \(bind: code)").run()
        let meetings: SQLQueryString = "SELECT id FROM meetings WHERE village_code = \(bind: code)"
        try await sql.raw("DELETE FROM meeting_outcomes WHERE meeting_id IN (\(meetings))").run()
        try await sql.raw("DELETE FROM meeting_attendees WHERE meeting_id IN (\(meetings))").run()
        try await sql.raw("DELETE FROM meetings WHERE village_code = \(bind: code)").run()
        let grids: SQLQueryString = "SELECT id FROM grids WHERE village_code = \(bind: code)"
        try await sql.raw("DELETE FROM grid_households WHERE grid_id IN (\(grids))").run()
        try await sql.raw("DELETE FROM grid_party_members WHERE grid_id IN (\(grids))").run()
        try await sql.raw("DELETE FROM grids WHERE village_code = \(bind: code)").run()
    }

    // MARK: Helpers

    private struct IssueEventWithIssue: Decodable {
        let issueId: Int
        let event: IssueEvent

        init(from decoder: any Decoder) throws {
            struct Key: Decodable { let issueId: Int }
            issueId = try Key(from: decoder).issueId
            event = try IssueEvent(from: decoder)
        }
    }

    static let issueColumns: SQLQueryString = """
        i.id, i.village_code, i.title, i.source, i.raised_by, i.category, i.raised_on, i.state, i.owner, i.deadline, i.finished_on, i.result,
        i.household_id, h.number AS household_number
        """

    static func issueRow(_ id: Int, in sql: any SQLDatabase) async throws -> IssueRow? {
        try await sql.raw("SELECT \(issueColumns) FROM issues i LEFT JOIN households h ON h.id = i.household_id WHERE i.id = \(bind: id)")
            .first(decoding: IssueRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    static func meetingVillage(_ id: Int, in sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT village_code FROM meetings WHERE id = \(bind: id)").first(decodingColumn: "village_code", as: String.self)
    }

    static func gridVillage(_ id: Int, in sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT village_code FROM grids WHERE id = \(bind: id)").first(decodingColumn: "village_code", as: String.self)
    }

    /// Writes an idea or decision, refusing it without text, a decision without an owner, or a deadline that is no day
    /// (an empty one is none): the one place outcomes are written, whether with their meeting or later.
    private static func insertOutcome(meeting: Int, kind: MeetingOutcomeKind, text: String, owner: String?, deadline: String?, in sql: any SQLDatabase) async throws {
        var problems: [FieldIssue] = []
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(FieldIssue(field: "text", message: LocalizedText(zh: "请填写内容", en: "Write it down")))
        }
        if kind == .decision && (owner ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append(FieldIssue(field: "owner", message: LocalizedText(zh: "决定须有责任人", en: "A decision needs an owner")))
        }
        let deadline = deadline?.isEmpty == true ? nil : deadline
        if let deadline, !Day.isValid(deadline) {
            problems.append(FieldIssue.notADay("deadline"))
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await sql.raw("""
            INSERT INTO meeting_outcomes (meeting_id, kind, text, owner, deadline)
            VALUES (\(bind: meeting), \(bind: kind.rawValue), \(bind: text), \(bind: owner), \(bind: deadline))
            """).run()
    }

    /// The household, grid and meeting an issue names must exist in its village.
    private static func checkLinks(_ draft: IssueDraft, village: DivisionCode, problems: inout [FieldIssue], in sql: any SQLDatabase) async throws {
        for (reference, id, field) in [(VillageReference.household, draft.householdID, "householdID"), (.grid, draft.gridID, "gridID"),
                                        (.meeting, draft.meetingID, "meetingID")] {
            if let id, let problem = try await reference.problem([id], in: village, field: field, sql: sql) { problems.append(problem) }
        }
    }
}
