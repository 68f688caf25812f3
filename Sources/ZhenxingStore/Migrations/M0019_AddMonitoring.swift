import SQLKit
import ZhenxingDomain

/// Return-to-poverty monitoring (防止返贫动态监测), its first part: the working-day calendar deadlines are counted in,
/// the dated terms (categories and risk types) and rule thresholds, and the warnings with the signals that raised
/// them — one open warning per household, each signal once.
///
/// - `working_calendar`: the days that differ from their weekday — public holidays and the weekend days worked
///   instead — from the State Council's yearly schedule, seeded 2021–2026.
/// - `monitoring_terms`: the monitoring categories (监测对象类型) and risk types (风险类型) in force from a year, per
///   scope ('*' nationwide or a province's two digits), since the names and the set change with policy.
/// - `monitoring_rule_parameters`: the thresholds of the rules over the records other than the monitoring threshold
///   (kept with the policy parameters), per scope and year.
/// - `monitoring_warnings`: a household's warning, open until decided; `monitoring_signals`: what raised it — a rule
///   over an assessment (with the values and the parameter row it compared), a self-report, a visit or a
///   department's file.
enum M0019_AddMonitoring {
    static let migration = Migration(version: 19, name: "AddMonitoring") { dialect in
        var statements: [SQLQueryString] = [
            """
            CREATE TABLE working_calendar (
                day TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
                name TEXT NOT NULL,
                source TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE monitoring_terms (
                scope TEXT NOT NULL,
                year INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('category', 'risk_type')),
                code TEXT NOT NULL,
                name_zh TEXT NOT NULL,
                name_en TEXT NOT NULL,
                source TEXT NOT NULL,
                PRIMARY KEY (scope, year, kind, code)
            )
            """,
            """
            CREATE TABLE monitoring_rule_parameters (
                scope TEXT NOT NULL,
                year INTEGER NOT NULL,
                rule TEXT NOT NULL,
                value BIGINT NOT NULL CHECK (value >= 0),
                source TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (scope, year, rule)
            )
            """,
            """
            CREATE TABLE monitoring_warnings (
                \(dialect.idColumn),
                household_id BIGINT NOT NULL REFERENCES households (id),
                village_code TEXT NOT NULL REFERENCES divisions (code),
                opened_on TEXT NOT NULL,
                closed_on TEXT,
                outcome TEXT CHECK (outcome IS NULL OR outcome IN ('entered', 'not_entered')),
                version INTEGER NOT NULL,
                CHECK ((closed_on IS NULL) = (outcome IS NULL)),
                CHECK (closed_on IS NULL OR closed_on >= opened_on)
            )
            """,
            "CREATE UNIQUE INDEX monitoring_warnings_open ON monitoring_warnings (household_id) WHERE closed_on IS NULL",
            "CREATE INDEX monitoring_warnings_by_village ON monitoring_warnings (village_code, opened_on)",
            """
            CREATE TABLE monitoring_signals (
                \(dialect.idColumn),
                warning_id BIGINT NOT NULL REFERENCES monitoring_warnings (id),
                household_id BIGINT NOT NULL REFERENCES households (id),
                source TEXT NOT NULL CHECK (source IN ('rule', 'self_report', 'visit', 'department')),
                rule TEXT,
                year INTEGER,
                observed BIGINT,
                threshold BIGINT,
                parameter_scope TEXT,
                parameter_year INTEGER,
                risk_type TEXT NOT NULL,
                detail TEXT NOT NULL,
                found_on TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                CHECK ((source = 'rule') = (rule IS NOT NULL AND year IS NOT NULL))
            )
            """,
            "CREATE UNIQUE INDEX monitoring_signals_once ON monitoring_signals (household_id, rule, year) WHERE source = 'rule'",
            "CREATE INDEX monitoring_signals_by_warning ON monitoring_signals (warning_id, id)",
            """
            INSERT INTO monitoring_rule_parameters (scope, year, rule, value, source, updated_at)
            VALUES ('*', 2021, 'income_drop', 3000, '默认预警比例：人均纯收入较上年下降超过30%（各省按本省规定调整）', '2026-01-01T00:00:00.000Z')
            """,
        ]
        let terms: [(String, String, String, String)] = [
            ("category", "unstable_exited", "脱贫不稳定户", "Unstable after exit"),
            ("category", "marginal", "边缘易致贫户", "Marginal, at risk"),
            ("category", "sudden_hardship", "突发严重困难户", "Sudden severe hardship"),
            ("risk_type", "illness", "因病", "Illness"),
            ("risk_type", "disability", "因残", "Disability"),
            ("risk_type", "schooling", "因学", "Schooling costs"),
            ("risk_type", "disaster", "因灾", "Natural disaster"),
            ("risk_type", "accident", "因意外事故", "Accident"),
            ("risk_type", "employment", "因务工就业不稳", "Unstable work"),
            ("risk_type", "industry", "因产业项目失败", "Failed farm or business project"),
            ("risk_type", "housing", "因住房安全", "Unsafe housing"),
            ("risk_type", "water", "因饮水安全", "Unsafe drinking water"),
            ("risk_type", "coverage", "因综合保障不到位", "Guarantees not in place"),
            ("risk_type", "other", "其他", "Other"),
        ]
        for (kind, code, zh, en) in terms {
            statements.append("""
                INSERT INTO monitoring_terms (scope, year, kind, code, name_zh, name_en, source)
                VALUES ('*', 2021, \(literal: kind), \(literal: code), \(literal: zh), \(literal: en), '中央农办、农业农村部等《关于健全防止返贫动态监测和帮扶机制的指导意见》（2021）')
                """)
        }
        for (day, kind, name, year) in WorkingCalendarSeed.days {
            statements.append("""
                INSERT INTO working_calendar (day, kind, name, source)
                VALUES (\(literal: day), \(literal: kind), \(literal: name), \(literal: "国务院办公厅关于\(year)年部分节假日安排的通知"))
                """)
        }
        return statements
    }
}

/// The State Council's holiday schedules 2021–2026: each holiday's days off and the weekend days worked for it.
enum WorkingCalendarSeed {
    /// (name, first day off, last day off, weekend days worked), by year of the notice.
    static let schedules: [Int: [(String, String, String, [String])]] = [
        2021: [("元旦", "2021-01-01", "2021-01-03", []), ("春节", "2021-02-11", "2021-02-17", ["2021-02-07", "2021-02-20"]),
               ("清明节", "2021-04-03", "2021-04-05", []), ("劳动节", "2021-05-01", "2021-05-05", ["2021-04-25", "2021-05-08"]),
               ("端午节", "2021-06-12", "2021-06-14", []), ("中秋节", "2021-09-19", "2021-09-21", ["2021-09-18"]),
               ("国庆节", "2021-10-01", "2021-10-07", ["2021-09-26", "2021-10-09"])],
        2022: [("元旦", "2022-01-01", "2022-01-03", []), ("春节", "2022-01-31", "2022-02-06", ["2022-01-29", "2022-01-30"]),
               ("清明节", "2022-04-03", "2022-04-05", ["2022-04-02"]), ("劳动节", "2022-04-30", "2022-05-04", ["2022-04-24", "2022-05-07"]),
               ("端午节", "2022-06-03", "2022-06-05", []), ("中秋节", "2022-09-10", "2022-09-12", []),
               ("国庆节", "2022-10-01", "2022-10-07", ["2022-10-08", "2022-10-09"])],
        2023: [("元旦", "2022-12-31", "2023-01-02", []), ("春节", "2023-01-21", "2023-01-27", ["2023-01-28", "2023-01-29"]),
               ("清明节", "2023-04-05", "2023-04-05", []), ("劳动节", "2023-04-29", "2023-05-03", ["2023-04-23", "2023-05-06"]),
               ("端午节", "2023-06-22", "2023-06-24", ["2023-06-25"]), ("中秋节、国庆节", "2023-09-29", "2023-10-06", ["2023-10-07", "2023-10-08"])],
        2024: [("元旦", "2024-01-01", "2024-01-01", []), ("春节", "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"]),
               ("清明节", "2024-04-04", "2024-04-06", ["2024-04-07"]), ("劳动节", "2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"]),
               ("端午节", "2024-06-10", "2024-06-10", []), ("中秋节", "2024-09-15", "2024-09-17", ["2024-09-14"]),
               ("国庆节", "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"])],
        2025: [("元旦", "2025-01-01", "2025-01-01", []), ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
               ("清明节", "2025-04-04", "2025-04-06", []), ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
               ("端午节", "2025-05-31", "2025-06-02", []), ("国庆节、中秋节", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"])],
        2026: [("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]), ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
               ("清明节", "2026-04-04", "2026-04-06", []), ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
               ("端午节", "2026-06-19", "2026-06-21", []), ("中秋节", "2026-09-25", "2026-09-27", []),
               ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"])],
    ]

    /// Every listed day: (day, 'holiday' or 'workday', the holiday's name, the notice's year).
    static var days: [(String, String, String, Int)] {
        schedules.keys.sorted().flatMap { year in
            schedules[year]!.flatMap { name, first, last, worked in
                let off = (Day.number(first)!...Day.number(last)!).map { (Day.text($0), "holiday", name, year) }
                return off + worked.map { ($0, "workday", name + "调休上班", year) }
            }
        }
    }
}
