import ArgumentParser
import Foundation
import Hummingbird
import Metrics
import Prometheus
import ZhenxingServer
import ZhenxingStore

/// Runs the web server until SIGINT or SIGTERM, then drains requests and closes the database.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (运行网站服务).")

    @Option(help: "Address to listen on (监听地址). Default: 127.0.0.1")
    var host: String?

    @Option(help: "Port to listen on (端口). Default: 8080")
    var port: Int?

    @Flag(help: "Create or refresh the demo village first (先载入示范村).")
    var demo = false

    @Option(help: "Use templates from this folder instead of the bundled ones (开发用模板目录).")
    var templates: String?

    @Flag(help: "Mark cookies Secure: set when served behind HTTPS (通过 HTTPS 访问时启用). Env: ZHENXING_SECURE_COOKIES=1")
    var secureCookies = false

    @OptionGroup var data: DataOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = AppSettings(
            host: host ?? environment["ZHENXING_HOST"] ?? "127.0.0.1",
            port: port ?? environment["ZHENXING_PORT"].flatMap(Int.init) ?? 8080,
            templatesDirectory: templates,
            secureCookies: secureCookies || environment["ZHENXING_SECURE_COOKIES"] == "1",
            workDirectory: URL(fileURLWithPath: data.dataDirectory ?? environment["ZHENXING_DATA"] ?? "data").appendingPathComponent("work"))
        guard (1...65535).contains(settings.port) else { throw CommandFailure(message: "port \(settings.port) is out of range") }
        try await data.withDatabase { database, logger in
            if demo {
                try await Demo.load(into: database)
            } else {
                try await Migrator(database: database).checkCompatible()
            }
            if try await UserRepository(database: database).count() == 0 {
                throw CommandFailure(message: """
                    no users yet: create the administrator first with `zhenxing user add --admin --username NAME --name 姓名` \
                    (还没有用户：请先用 zhenxing user add --admin 创建管理员)
                    """)
            }
            let expired = try await SessionRepository(database: database).purge(now: Date())
            if expired > 0 { logger.info("removed \(expired) expired sessions") }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let figures = FiguresQuery(database: database, today: { settings.today })
            let app = try await buildApplication(
                settings: settings, database: database, metrics: registry, logger: logger,
                services: [FiguresWarmUp(figures: figures, thisYear: { settings.thisYear }, logger: logger), SignInMover(database: database, logger: logger)])
            logger.info("serving \(database.location) on http://\(settings.host):\(settings.port)")
            // The services (warm-up, sign-ins, imports) end with the server, before the database closes.
            var failure: (any Error)?
            do {
                try await app.runService()
            } catch {
                failure = error
            }
            if let failure {
                if "\(failure)".contains("Address already in use") {
                    throw CommandFailure(message: "port \(settings.port) on \(settings.host) is already in use")
                }
                throw failure
            }
        }
    }
}
