import SQLKit

/// The monitoring procedures (识别纳入 and 风险消除), step by step: each step of a warning recorded once per round (a
/// clearance refused may be proposed again later: a new round), with its day, who did it and what it found; and
/// the deadlines of the steps, the notice's shortest objection window, the months before clearance and the
/// assistance plan's deadline as dated parameters (defaults of the 2021 guidance; a province's own rows win).
enum M0021_AddMonitoringSteps {
    static let migration = Migration(version: 21, name: "AddMonitoringSteps") { dialect in
        var statements: [SQLQueryString] = [
            """
            CREATE TABLE monitoring_steps (
                \(dialect.idColumn),
                warning_id BIGINT NOT NULL REFERENCES monitoring_warnings (id),
                household_id BIGINT NOT NULL REFERENCES households (id),
                procedure TEXT NOT NULL CHECK (procedure IN ('entry', 'clearance')),
                round INTEGER NOT NULL CHECK (round BETWEEN 1 AND 100),
                step TEXT NOT NULL CHECK (step IN ('proposal', 'home_check', 'undertaking', 'appraisal', 'notice', 'township_review', 'decision')),
                day TEXT NOT NULL,
                end_day TEXT,
                person TEXT NOT NULL,
                attendance INTEGER CHECK (attendance IS NULL OR attendance BETWEEN 1 AND 1000),
                objections INTEGER CHECK (objections IS NULL OR objections BETWEEN 0 AND 10000),
                result TEXT,
                category TEXT,
                risk_types TEXT NOT NULL,
                detail TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                CHECK (end_day IS NULL OR end_day >= day),
                CHECK (procedure = 'clearance' OR round = 1),
                UNIQUE (warning_id, procedure, round, step)
            )
            """,
            "CREATE INDEX monitoring_steps_by_household ON monitoring_steps (household_id)",
        ]
        let defaults: [(String, Int, String)] = [
            ("deadline_home_check", 5, "默认期限：预警后 5 个工作日内入户核实"),
            ("deadline_undertaking", 7, "默认期限：预警后 7 个工作日内签订承诺授权书"),
            ("deadline_appraisal", 10, "默认期限：预警后 10 个工作日内村民代表评议"),
            ("deadline_notice", 12, "默认期限：预警后 12 个工作日内公示"),
            ("deadline_township_review", 18, "默认期限：预警后 18 个工作日内乡镇审核"),
            ("deadline_decision", 20, "默认期限：预警后 20 个工作日内县级审定"),
            ("notice_working_days", 5, "公示期不少于 5 个工作日"),
            ("clearance_months", 6, "收入持续稳定超过监测标准半年以上方可提出风险消除"),
            ("deadline_plan", 10, "默认期限：纳入监测后 10 个工作日内落实帮扶计划"),
        ]
        for (rule, value, source) in defaults {
            statements.append("""
                INSERT INTO monitoring_rule_parameters (scope, year, rule, value, source, updated_at)
                VALUES ('*', 2021, \(literal: rule), \(literal: value), \(literal: source + "（各省按本省规定调整）"), '2026-01-01T00:00:00.000Z')
                """)
        }
        return statements
    }
}
