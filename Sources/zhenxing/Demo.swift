import ArgumentParser
import ZhenxingDemo
import ZhenxingStore

/// Creates or refreshes the demo village, 凉水泉村.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or refresh the demo village 凉水泉村 (创建或刷新示范村数据).")

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await data.withDatabase { database, _ in
            try await Self.load(into: database)
        }
    }

    static func load(into database: Database) async throws {
        try await Migrator(database: database).migrate()
        try await LiangshuiquanDemo.load(into: database)
        print("demo village \(LiangshuiquanDemo.villageCode) 凉水泉村 loaded into \(database.location)")
    }
}
