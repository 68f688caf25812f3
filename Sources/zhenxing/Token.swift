import ArgumentParser
import Foundation
import ZhenxingDomain
import ZhenxingServer
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
                let token = Secrets.token(prefix: "zx_")
                do {
                    _ = try await APITokenRepository(database: database).create(
                        name: name, tokenHash: Secrets.hash(token), owner: account.identity, role: account.role, division: account.division,
                        by: .system)
                } catch let failure as ValidationFailure {
                    throw CommandFailure(message: failure.issues.map { "\($0.field): \($0.message.en)" }.joined(separator: "; "))
                }
                print(token)
            }
        }
    }
}
