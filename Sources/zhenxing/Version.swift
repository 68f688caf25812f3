import ArgumentParser
import ZhenxingServer
import ZhenxingStore

/// Prints the version and the schema version this build expects.
struct Version: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version (显示版本).")

    func run() async throws {
        print(ZhenxingVersionText.text)
    }
}

enum ZhenxingVersionText {
    static var text: String { "zhenxing \(ZhenxingVersion.current) (schema \(Migrator.latestVersion))" }
}
