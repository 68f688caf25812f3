import ZhenxingDomain

/// Failures the store reports in words a user can act on; driver errors never pass through raw.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--database` value or `ZHENXING_DATABASE_URL` could not be understood.
    case badDatabaseURL(String)
    /// The database could not be opened or reached; the text names the cause.
    case unavailable(String)
    /// The database was written by a newer Zhenxing than this one.
    case schemaTooNew(database: Int, code: Int)
    /// The database has migrations still to run.
    case schemaTooOld(database: Int, code: Int)
    /// A record was changed by someone else since the editor read it.
    case staleVersion(expected: Int, current: Int)
    /// The record asked for does not exist.
    case notFound(String)
    /// Another request with the same `Idempotency-Key` wrote first.
    case repeatedRequest
    /// A record with the same unique key was stored meanwhile (two requests for one new household number).
    case duplicate
    /// An import holds the SQLite writer: `what` it imports, started `since` (ISO-8601 UTC).
    case importRunning(what: String, since: String)
    /// A backup cannot be written or restored; the text says why (a bad checksum, a newer schema, a database not empty).
    case backup(String)

    /// A one-line English description for logs and the CLI.
    public var description: String {
        switch self {
        case .badDatabaseURL(let reason): "invalid database URL: \(reason)"
        case .unavailable(let reason): "database unavailable: \(reason)"
        case .schemaTooNew(let database, let code):
            "the database is at schema version \(database) but this zhenxing knows only up to \(code); use a newer zhenxing"
        case .schemaTooOld(let database, let code):
            "the database is at schema version \(database), this zhenxing needs \(code); run `zhenxing migrate` first"
        case .staleVersion(let expected, let current):
            "the record changed since it was read (version \(expected), now \(current))"
        case .notFound(let what): "not found: \(what)"
        case .repeatedRequest: "a request with the same idempotency key was already made"
        case .duplicate: "a record with the same key was stored meanwhile"
        case .importRunning(let what, let since): "an import of \(what) has been running since \(since); try again when it is done"
        case .backup(let reason): "backup: \(reason)"
        }
    }
}
