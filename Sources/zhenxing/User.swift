import ArgumentParser
import Foundation
import ZhenxingDomain
import ZhenxingServer
import ZhenxingStore

/// Manages users from the command line: the first administrator is created here, never with a default password.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage users (管理用户).", subcommands: [Add.self, List.self])

    /// Adds a user; the password is asked for on the terminal, or read from standard input.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (新增用户).")

        @Flag(help: "Make the user a nationwide administrator (系统管理员).")
        var admin = false

        @Option(help: "User name (用户名).")
        var username: String

        @Option(help: "Name shown in the UI (姓名).")
        var name: String

        @Option(help: "Role when not --admin: officer, village_cadre, grid_leader, viewer (角色).")
        var role: String?

        @Option(help: "12-digit division code the user works in (所属区划代码).")
        var division: String?

        @Option(help: "Unit (单位).")
        var unit: String = ""

        @Flag(help: "Read the password from standard input instead of asking (从标准输入读取密码).")
        var passwordStdin = false

        @OptionGroup var data: DataOptions

        func run() async throws {
            let chosen: Role
            if admin {
                chosen = .administrator
            } else if let text = role, let parsed = Role(rawValue: text) {
                chosen = parsed
            } else {
                throw CommandFailure(message: "give --admin or --role officer|village_cadre|grid_leader|viewer")
            }
            let code = try division.map { try divisionCode($0, option: "--division") }
            let password = try Self.readPassword(fromStdin: passwordStdin)
            let problems = PasswordRules.problems(password, username: username)
            guard problems.isEmpty else {
                throw CommandFailure(message: "password refused: " + problems.map(\.en).joined(separator: "; "))
            }
            let draft = UserDraft(username: username, displayName: name, unit: unit, role: chosen, division: code)
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                do {
                    let account = try await UserRepository(database: database)
                        .create(draft, passwordHash: try await Passwords.hash(password), by: .system)
                    print("user \(account.username) (\(account.role.rawValue)) created")
                } catch let failure as ValidationFailure {
                    throw CommandFailure(message: failure.issues.map { "\($0.field): \($0.message.en)" }.joined(separator: "; "))
                }
            }
        }

        /// Asks twice on a terminal without echo; reads one line when piped.
        static func readPassword(fromStdin: Bool) throws -> String {
            if fromStdin || isatty(STDIN_FILENO) == 0 {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CommandFailure(message: "no password on standard input")
                }
                return line
            }
            guard let first = getpass("Password (密码): ").map({ String(cString: $0) }),
                  let second = getpass("Again (再次输入): ").map({ String(cString: $0) }) else {
                throw CommandFailure(message: "no password given")
            }
            guard first == second else { throw CommandFailure(message: "the two passwords differ") }
            return first
        }
    }

    /// Lists users.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (列出用户).")

        @OptionGroup var data: DataOptions

        func run() async throws {
            try await data.withDatabase { database, _ in
                try await Migrator(database: database).checkCompatible()
                for account in try await UserRepository(database: database).list(in: nil) {
                    print([account.username, account.role.rawValue, account.division?.rawValue ?? "*",
                           account.active ? "active" : "disabled", account.displayName].joined(separator: "\t"))
                }
            }
        }
    }
}
