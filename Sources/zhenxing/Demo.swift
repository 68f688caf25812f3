import ArgumentParser
import ZhenxingDemo
import ZhenxingServer
import ZhenxingStore

/// Creates or refreshes the demo village, 凉水泉村, with one user per role.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or refresh the demo village 凉水泉村 and its users (创建或刷新示范村数据及演示账户).")

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await data.withDatabase { database, _ in
            try await Self.load(into: database)
        }
    }

    /// Migrates, loads the demo, and prints the demo users with their new passwords.
    static func load(into database: Database) async throws {
        try await Migrator(database: database).migrate()
        let credentials = try await LiangshuiquanDemo.load(
            into: database, password: Passwords.random, hash: { try await Passwords.hash($0) })
        say("demo village \(LiangshuiquanDemo.villageCode) 凉水泉村 loaded into \(database.location)")
        say("demo users (passwords are new at every load) 演示账户（每次载入生成新密码）:")
        for credential in credentials {
            let user = credential.user
            let padded = user.username.padding(toLength: 18, withPad: " ", startingAt: 0)
            say("  \(padded) \(credential.password)   \(user.role.title.zh) / \(user.role.title.en), \(user.division?.rawValue ?? "*")")
        }
    }
}
