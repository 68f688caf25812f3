import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
import ZhenxingDemo
import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

/// The demo users' passwords of one test, by user name.
typealias Passwords = [String: String]

/// A clock tests move forward instead of waiting.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    /// A clock standing at `start` (default: 2027-01-15 08:00 UTC).
    init(at start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { now = Mutex(start) }
    func read() -> Date { now.withLock { $0 } }
    func advance(by seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

/// Sends a JSON body (or none) with the session's CSRF token, as the pages' scripts and API clients do.
func json(_ browser: inout Browser, _ method: HTTPRequest.Method, _ path: String, _ body: String?,
          headers extra: HTTPFields = [:]) async throws -> TestResponse {
    var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: browser.csrf]
    headers.append(contentsOf: extra)
    return try await browser.send(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
}

/// Runs `body` against the application on a fresh database holding the demo village and its
/// users (bcrypt cost 4 to keep tests fast), signed in as `username` unless it is nil.
func withDemoApp(
    _ engine: Database.Engine, as username: String? = "lsq.secretary", clock: TestClock = TestClock(),
    _ body: @escaping @Sendable (Browser, Database, Passwords) async throws -> Void
) async throws {
    // The demo is loaded once per engine and run, and copied for each test.
    try await TestDatabases.withCopy(of: "demo", engine, prepare: { database in
        let credentials = try await LiangshuiquanDemo.load(
            into: database, password: ZhenxingServer.Passwords.random, hash: { try await ZhenxingServer.Passwords.hash($0, cost: 4) })
        return Dictionary(uniqueKeysWithValues: credentials.map { ($0.user.username, $0.password) })
    }) { database, passwords in
        let settings = AppSettings(bcryptCost: 4, clock: { clock.read() })
        var quiet = Logger(label: "zhenxing-test")
        quiet.logLevel = .warning
        let app = try await buildApplication(settings: settings, database: database, logger: quiet)
        try await app.test(.router) { client in
            var browser = try await Browser.anonymous(client)
            if let username {
                browser = try await browser.signIn(username, passwords[username]!)
            }
            try await body(browser, database, passwords)
        }
    }
}

/// A test client that keeps its cookies and CSRF token like a browser.
struct Browser: Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String]
    var csrf: String

    /// A visitor who has opened the sign-in page.
    static func anonymous(_ client: any TestClientProtocol) async throws -> Browser {
        var browser = Browser(client: client, cookies: [:], csrf: "")
        let page = try await browser.get("/signin")
        browser.csrf = try #require(Self.csrf(in: page.text))
        return browser
    }

    /// Signs in and returns the browser holding the session.
    func signIn(_ username: String, _ password: String) async throws -> Browser {
        var browser = self
        let response = try await browser.postForm("/signin", [("username", username), ("password", password), ("next", "/")])
        guard response.status == .seeOther, browser.cookies["zx_session"] != nil else {
            throw SignInFailed(status: response.status)
        }
        let page = try await browser.get("/account")
        browser.csrf = try #require(Self.csrf(in: page.text))
        return browser
    }

    struct SignInFailed: Error { let status: HTTPResponse.Status }

    /// GET a path.
    @discardableResult
    mutating func get(_ uri: String) async throws -> TestResponse {
        try await send(.get, uri, headers: [:], body: nil)
    }

    /// POST a URL-encoded form with the CSRF token added (unless `csrf` says otherwise).
    @discardableResult
    mutating func postForm(_ uri: String, _ fields: [(String, String)], csrf: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        let all = [("_csrf", csrf ?? self.csrf)] + fields
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(.post, uri, headers: headers, body: ByteBuffer(string: body))
    }

    /// Sends JSON with the CSRF header, as the web page's scripts would.
    @discardableResult
    mutating func sendJSON(_ method: HTTPRequest.Method, _ uri: String, _ json: some Encodable) async throws -> TestResponse {
        try await send(method, uri, headers: [.contentType: "application/json", HTTPField.Name("X-CSRF-Token")!: csrf],
                       body: ByteBuffer(bytes: try JSONEncoder().encode(json)))
    }

    mutating func send(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return response
    }

    /// The CSRF token a page's forms carry.
    static func csrf(in html: String) -> String? {
        html.firstMatch(of: #/name="_csrf" value="([^"]+)"/#).map { String($0.output.1) }
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String { String(buffer: body) }
}
