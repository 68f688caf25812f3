import Foundation
import ZhenxingStore

/// Everything the server needs to start, read once from CLI flags and `ZHENXING_*` variables.
public struct AppSettings: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on.
    public var port: Int
    /// A folder of templates to use instead of the bundled ones (development).
    public var templatesDirectory: String?
    /// Mark cookies `Secure` (set when served behind HTTPS).
    public var secureCookies: Bool
    /// bcrypt cost for new password hashes (12 in production).
    public var bcryptCost: UInt8
    /// The time, replaceable so tests can move it forward instead of waiting.
    public var clock: @Sendable () -> Date
    /// Today by the clock, `YYYY-MM-DD`.
    public var today: String { Timestamp.today(clock()) }

    /// This year by the clock.
    public var thisYear: Int { Int(today.prefix(4))! }

    /// A private folder for uploads and files being prepared for download (emptied at start).
    public var workDirectory: URL

    /// Creates settings; the defaults serve on http://127.0.0.1:8080.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, templatesDirectory: String? = nil, secureCookies: Bool = false,
        bcryptCost: UInt8 = 12, clock: @escaping @Sendable () -> Date = Date.init,
        workDirectory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("zhenxing-work-\(UUID().uuidString)")
    ) {
        self.workDirectory = workDirectory
        self.bcryptCost = bcryptCost
        self.clock = clock
        self.host = host
        self.port = port
        self.templatesDirectory = templatesDirectory
        self.secureCookies = secureCookies
    }
}
