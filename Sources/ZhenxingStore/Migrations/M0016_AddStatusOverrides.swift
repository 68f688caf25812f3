import SQLKit

/// `status_events.override_reason`: an exit recorded although the year's check does not support it keeps why it was
/// decided anyway, for the household file and the audit log.
enum M0016_AddStatusOverrides {
    static let migration = Migration(version: 16, name: "AddStatusOverrides") { _ in
        ["ALTER TABLE status_events ADD COLUMN override_reason TEXT"]
    }
}
