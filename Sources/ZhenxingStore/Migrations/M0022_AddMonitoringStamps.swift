import SQLKit

/// The figures read the monitoring tables from here on (`MonitoringFigures`), so a warning, a signal or a step written
/// below a division makes its cached figures stale, as `M0013_AddFiguresCache.sources` does for the earlier tables.
/// The working calendar, the dated lists and the rule parameters are read too but carry no village: changing them
/// leaves cached figures as they were until a record below changes.
enum M0022_AddMonitoringStamps {
    static let sources: [(table: String, villages: String)] = [
        ("monitoring_warnings", "SELECT ROW.village_code AS v"),
        ("monitoring_signals", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
        ("monitoring_steps", "SELECT village_code AS v FROM households WHERE id = ROW.household_id"),
    ]

    static let migration = Migration(version: 22, name: "AddMonitoringStamps") { dialect in
        sources.flatMap { M0013_AddFiguresCache.stampTriggers(table: $0.table, villages: $0.villages, engine: dialect.engine) }
    }
}
