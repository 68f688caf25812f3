import Testing
import ZhenxingDomain

/// The ledger's rules (every request answered, closed item by item), without a database.
@Suite struct IssueRulesTests {
    let today = "2020-12-31"

    @Test func anIssueMovesOnlyAlongTheLedgersPaths() {
        // every state reaches a final one, and final states go nowhere
        for state in IssueState.allCases {
            var reached: Set<IssueState> = [state], frontier = [state]
            while let next = frontier.popLast() {
                for move in next.next where reached.insert(move).inserted { frontier.append(move) }
            }
            #expect(reached.contains { $0.isFinal }, "\(state) cannot be finished")
            #expect(state.isFinal == state.next.isEmpty)
        }
        let solved = IssueTransition(to: .closed, date: "2020-05-01", response: "已答复", result: "已修好")
        let refused = solved.problems(from: .solved, created: "2020-04-01", today: today)
        #expect(refused.map(\.field) == ["to"] && refused[0].message.zh == "“当场解决”的问题不能改为“已销号”")
        #expect(solved.problems(from: .inProgress, created: "2020-04-01", today: today).isEmpty)
    }

    @Test func eachMoveNeedsItsAnswerAndWhatItsStateRequires() {
        let assign = IssueTransition(to: .assigned, date: "2020-05-01", response: " ")
        #expect(assign.problems(from: .collected, created: "2020-05-02", today: today).map(\.field) == ["date", "response", "owner", "deadline"])
        let early = IssueTransition(to: .assigned, date: "2020-05-01", response: "交村委会办理", owner: "村委会", deadline: "2020-04-30")
        #expect(early.problems(from: .referred, created: "2020-04-01", today: today).map(\.field) == ["deadline"])
        #expect(IssueTransition(to: .rejected, date: "2020-05-01", response: "已解释").problems(from: .collected, created: "2020-04-01", today: today)
            .map(\.field) == ["result"])
    }

    @Test func datesLieBetweenTheIssueAndTodayAndABlankDeadlineIsNone() {
        // a move dated after today, or carrying a deadline before the issue was recorded, whatever the new state
        let late = IssueTransition(to: .solved, date: "2077-10-09", response: "已交村委会办理", deadline: "2016-04-01", result: "已办")
        #expect(late.problems(from: .collected, created: "2017-04-12", today: today).map(\.field) == ["date", "deadline"])
        #expect(IssueTransition(to: .solved, date: "2020-02-30", response: "好", deadline: "明天", result: "已办")
            .problems(from: .collected, created: "2017-04-12", today: today).map(\.message) == [FieldIssue.notADay("date").message, FieldIssue.notADay("deadline").message])
        // a blank deadline keeps the one set and is not a day to check; assigning still needs one
        let blank = IssueTransition(to: .assigned, date: "2020-05-01", response: "交办", owner: "村委会", deadline: "  ")
        #expect(blank.deadline == nil && blank.problems(from: .collected, created: "2020-04-01", today: today).map(\.field) == ["deadline"])
        #expect(IssueDraft(title: "路灯不亮", description: "", source: .grid, raisedBy: "网格员", category: "用电", raisedOn: "2021-01-01")
            .problems(today: today).map(\.field) == ["raisedOn"])
    }

    @Test func overdueMeansPastTheDeadlineAndNotFinishedByThatDay() {
        // due 2020-06-30: not overdue on the day, overdue after, unless finished by then
        #expect(!IssueState.isOverdue(deadline: "2020-06-30", finishedOn: nil, on: "2020-06-30"))
        #expect(IssueState.isOverdue(deadline: "2020-06-30", finishedOn: nil, on: "2020-07-01"))
        #expect(!IssueState.isOverdue(deadline: "2020-06-30", finishedOn: "2020-07-01", on: "2020-07-01"))
        // finished later than the day asked about: it was overdue then (a year's figures as of its end)
        #expect(IssueState.isOverdue(deadline: "2020-06-30", finishedOn: "2021-01-10", on: "2020-12-31"))
        #expect(!IssueState.isOverdue(deadline: nil, finishedOn: nil, on: "2030-01-01"))
    }
}
