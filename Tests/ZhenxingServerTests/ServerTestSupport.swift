import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ZhenxingDemo
import ZhenxingServer
import ZhenxingStore
import ZhenxingTestSupport

/// Runs `body` against the application on a fresh database holding the demo village.
func withDemoApp(
    _ engine: Database.Engine, _ body: @escaping @Sendable (any TestClientProtocol, Database) async throws -> Void
) async throws {
    try await TestDatabases.with(engine) { database in
        try await LiangshuiquanDemo.load(into: database)
        let app = try await buildApplication(settings: AppSettings(), database: database)
        try await app.test(.router) { client in try await body(client, database) }
    }
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    /// GET a path.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }

    /// POST a URL-encoded form.
    func postForm(_ uri: String, _ fields: [(String, String)]) async throws -> TestResponse {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await execute(
            uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body))
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
