import SQLKit

/// Every roll-up selects a division's households by `village_code LIKE '<prefix>%'`. SQLite answers that from the
/// primary index once LIKE is case-sensitive (set on every connection); PostgreSQL needs an index with
/// `text_pattern_ops` unless the database's collation is C.
enum M0012_AddVillagePrefixIndex {
    static let migration = Migration(version: 12, name: "AddVillagePrefixIndex") { dialect in
        dialect.engine == .postgres ? ["CREATE INDEX households_by_village_prefix ON households (village_code text_pattern_ops)"] : []
    }
}
