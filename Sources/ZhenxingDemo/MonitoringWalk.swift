import ZhenxingDomain

/// A household carried through the monitoring procedures (识别纳入, 风险消除) as a village records them: the steps in
/// order with who did each. Shared by the demo village, whose steps go through `MonitoringRepository.recordStep`, and
/// the synthetic county, which checks them with the same domain rules and writes them in bulk.
enum MonitoringWalk {
    /// Who does the steps: the work team checks and proposes, the first secretary chairs the appraisal, the village
    /// committee posts the notice, the township reviews and the county decides.
    struct Staff {
        let team: String, secretary: String, committee: String, township: String, county: String
    }

    /// The six steps of an entry that ends with the household entered under `category` and `riskTypes`.
    static func entry(_ staff: Staff, homeCheck: String, undertaking: String, appraisal: String, attendance: Int, notice: (String, String),
                      review: String, decision: String, category: String, riskTypes: [String], found: String, signer: String,
                      reason: String) -> [StepRecord] {
        [
            StepRecord(procedure: .entry, step: .homeCheck, day: homeCheck, person: staff.team, result: .confirmed, detail: found),
            StepRecord(procedure: .entry, step: .undertaking, day: undertaking, person: signer, detail: "签订承诺书和家庭经济状况核对授权书"),
            StepRecord(procedure: .entry, step: .appraisal, day: appraisal, person: staff.secretary, attendance: attendance, result: .agreed),
            StepRecord(procedure: .entry, step: .notice, day: notice.0, endDay: notice.1, person: staff.committee, objections: 0, detail: "在村务公开栏公示"),
            StepRecord(procedure: .entry, step: .townshipReview, day: review, person: staff.township, result: .agreed),
            StepRecord(procedure: .entry, step: .decision, day: decision, person: staff.county, result: .entered, category: category, riskTypes: riskTypes,
                       detail: reason),
        ]
    }

    /// The five steps of a clearance decided `result` (cleared, or cleared and kept under watch).
    static func clearance(_ staff: Staff, proposal: String, appraisal: String, attendance: Int, notice: (String, String), review: String,
                          decision: String, result: StepResult = .cleared, reason: String) -> [StepRecord] {
        [
            StepRecord(procedure: .clearance, step: .proposal, day: proposal, person: staff.team, detail: reason),
            StepRecord(procedure: .clearance, step: .appraisal, day: appraisal, person: staff.secretary, attendance: attendance, result: .agreed),
            StepRecord(procedure: .clearance, step: .notice, day: notice.0, endDay: notice.1, person: staff.committee, objections: 0),
            StepRecord(procedure: .clearance, step: .townshipReview, day: review, person: staff.township, result: .agreed),
            StepRecord(procedure: .clearance, step: .decision, day: decision, person: staff.county, result: result, detail: reason),
        ]
    }

    /// Why `steps` (one procedure's, in order, started on `start`) could not be recorded one after another on `today`,
    /// as `MonitoringRepository.recordStep` checks each against the steps before it: nothing when they can.
    static func problems(_ steps: [StepRecord], start: String, today: String, calendar: WorkingCalendar, parameters: ProcedureParameters,
                         categories: Set<String>, riskTypes: Set<String>) -> [FieldIssue] {
        guard let procedure = steps.first?.procedure else { return [] }
        var done: [StepRecord] = []
        for step in steps {
            let progress = ProcedureProgress(procedure: procedure, start: start, done: done, parameters: parameters, calendar: calendar)
            let problems = progress.problems(recording: step, today: today, calendar: calendar, parameters: parameters, categories: categories,
                                             riskTypes: riskTypes)
            guard problems.isEmpty else { return problems }
            done.append(step)
        }
        return []
    }
}
