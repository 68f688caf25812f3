import ArgumentParser
import Crypto
import Foundation
import ZhenxingDomain
import ZhenxingStore

/// Manages API tokens from the command line, as `/admin/tokens` does on the web: for scripts and machine clients.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens (管理 API 令牌).", subcommands: [Add.self])

    /// Creates a token that acts as a user, with the user's role in the user's division, and prints it once.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token acting as a user, with their role and division; printed once (新建 API 令牌，仅显示一次).")

        @Option(help: "The user the token acts as and who answers for it (用户名).")
        var username: String

        @Option(help: "What the token is for, 1 to 60 characters (用途).")
        var name: String = "cli"

        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                guard let (account, _) = try await UserRepository(database: database).credentials(username: username) else {
                    throw CommandFailure(message: "no user \(username)")
                }
                guard account.active else { throw CommandFailure(message: "user \(username) is disabled") }
                let token = Self.newToken()
                do {
                    _ = try await APITokenRepository(database: database).create(
                        name: name, tokenHash: Self.hash(token), owner: account.identity, role: account.role, division: account.division,
                        by: .system)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(message: failure.issues.map { "\($0.field): \($0.message.en)" }.joined(separator: "; "))
                }
                print(token)
            }
        }

        /// A new token as the web page makes it: `zx_` and 32 random bytes, base64url.
        static func newToken() -> String {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            return "zx_" + Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }

        /// The SHA-256 of a token, hex: what the database keeps and the server compares (`Secrets.hash`).
        static func hash(_ token: String) -> String {
            SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }
}
