import Foundation

/// A running import of an SQLite database, announced by a file beside it (`import.lock`) for as long as the import
/// holds the database's one writer — whether the import runs in the server or in `zhenxing import`, another process.
/// Every other write refuses at once while it runs (`StoreError.importRunning`, a 503 naming the import) instead of
/// waiting on SQLite's lock and failing after seconds; sessions live in a file of their own so people still sign in.
public struct ImportLock: Sendable {
    /// What the lock file says.
    public struct Info: Codable, Sendable, Equatable {
        /// What is imported (file name and division).
        public let what: String
        /// When it started, ISO-8601 UTC.
        public let started: String
        /// The process holding it.
        public let pid: Int32
        /// Tells the holder's own transactions from everyone else's.
        public let token: String
    }

    /// The token of the import the current task runs, so its own transactions pass.
    @TaskLocal public static var holding: String?

    private let url: URL
    /// What this lock announces.
    public let info: Info

    /// The lock file of the SQLite database at `path`.
    static func url(forDatabaseAt path: String) -> URL {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("import.lock")
    }

    /// Takes the lock of the SQLite database at `path`, or says which import holds it.
    public static func acquire(forDatabaseAt path: String, what: String) throws -> ImportLock {
        let url = url(forDatabaseAt: path)
        if let running = running(at: url) {
            throw StoreError.importRunning(what: running.what, since: running.started)
        }
        try? FileManager.default.removeItem(at: url)  // a stale lock of a process that is gone
        let info = Info(what: what, started: Timestamp.now(), pid: getpid(), token: UUID().uuidString)
        let data = try JSONEncoder().encode(info)
        // O_EXCL: of two imports starting at once, one gets the lock.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            let other = running(at: url)
            throw StoreError.importRunning(what: other?.what ?? what, since: other?.started ?? info.started)
        }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return ImportLock(url: url, info: info)
    }

    /// Runs `body` as the holder of `lock` (its transactions pass), then releases the lock, on every path; without a
    /// lock (PostgreSQL, whose writers do not wait for each other) just runs it.
    public static func run<T: Sendable>(_ lock: ImportLock?, _ body: () async throws -> T) async throws -> T {
        guard let lock else { return try await body() }
        defer { try? FileManager.default.removeItem(at: lock.url) }
        return try await $holding.withValue(lock.info.token) { try await body() }
    }

    /// The import running on the SQLite database at `path`, if one is; a lock whose process is gone does not count.
    public static func running(forDatabaseAt path: String) -> Info? {
        running(at: url(forDatabaseAt: path))
    }

    private static func running(at url: URL) -> Info? {
        guard let data = FileManager.default.contents(atPath: url.path), let info = try? JSONDecoder().decode(Info.self, from: data) else { return nil }
        return kill(info.pid, 0) == 0 || errno == EPERM ? info : nil
    }

    private init(url: URL, info: Info) {
        self.url = url
        self.info = info
    }
}
