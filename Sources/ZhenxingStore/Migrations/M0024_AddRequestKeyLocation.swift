import SQLKit

/// A kept answer remembers where a redirect led: a form sent again with its Idempotency-Key (a phone back online)
/// gets the same 303 to the same page, not a redirect to nowhere.
enum M0024_AddRequestKeyLocation {
    static let migration = Migration(version: 24, name: "AddRequestKeyLocation") { _ in
        ["ALTER TABLE request_keys ADD COLUMN location TEXT CHECK (length(location) <= 2000)"]
    }
}
