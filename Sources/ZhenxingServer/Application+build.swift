import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import ZhenxingDomain
import ZhenxingStore

/// Builds the whole web application — pages, API, health and metrics — over an open database.
/// The one composition root: `zhenxing serve` and the tests both call it.
public func buildApplication(
    settings: AppSettings, database: Database, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "zhenxing"), services: [any Service] = []
) async throws -> some ApplicationProtocol {
    let (router, _, owned) = try await buildRouter(settings: settings, database: database, metrics: metrics, logger: logger)
    return Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "zhenxing"),
        services: owned + services,
        logger: logger)
}

/// The router with every middleware and route, the list of guarded routes with their access rules, and the services
/// the routes need running (the imports).
func buildRouter(
    settings: AppSettings, database: Database, metrics: PrometheusCollectorRegistry, logger: Logger
) async throws -> (Router<AppRequestContext>, [RouteSpec], [any Service]) {
    let renderer = try PageRenderer.load(directory: settings.templatesDirectory)
    let sessions = SessionRepository(database: database)
    let tokens = APITokenRepository(database: database)
    let users = UserRepository(database: database)
    let divisions = DivisionRepository(database: database)
    let profiles = VillageProfileRepository(database: database)

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: try StaticFilesMiddleware(folder: Resources.path("public") + "/static"))
    router.add(middleware: LanguageMiddleware(secureCookies: settings.secureCookies))
    router.add(middleware: ErrorMiddleware(renderer: renderer))
    router.add(middleware: NoNULMiddleware())
    router.add(middleware: AuthMiddleware(sessions: sessions, tokens: tokens, settings: settings))
    router.add(middleware: IdempotencyMiddleware(keys: RequestKeyRepository(database: database)))

    OperationsRoutes(database: database, metrics: metrics).register(on: router)
    let registry = RegistryRepository(database: database)
    let governance = GovernanceRepository(database: database)
    let records = RecordLocator(registry: registry, governance: governance, helpers: HelperRepository(database: database),
                                party: PartyRepository(database: database), visits: VisitRepository(database: database),
                                community: CommunityRepository(database: database))
    let routes = GuardedRouter(router, records: records)
    let decoy = try await Secrets.hashPassword(Secrets.token(), cost: settings.bcryptCost)
    SignInPages(users: users, divisions: divisions, sessions: sessions, throttle: SignInThrottle(database: database), renderer: renderer,
                settings: settings, decoyHash: decoy).register(on: routes)
    let figures = FiguresQuery(database: database, today: { settings.today })
    let exits = VillageExitRepository(database: database, figures: figures)
    DivisionPages(divisions: divisions, figures: figures, renderer: renderer, settings: settings,
                  registry: registry, exits: exits, monitoring: MonitoringRepository(database: database)).register(on: routes)
    VillageProfilePages(divisions: divisions, profiles: profiles, renderer: renderer).register(on: routes)
    UserAdminPages(users: users, sessions: sessions, divisions: divisions, renderer: renderer, settings: settings).register(on: routes)
    AuditPages(log: AuditLog(database: database), renderer: renderer).register(on: routes)
    TokenPages(tokens: tokens, renderer: renderer).register(on: routes)
    HouseholdPages(registry: registry, divisions: divisions, audit: AuditLog(database: database), governance: governance,
                   visits: VisitRepository(database: database), plans: PlanRepository(database: database),
                   helpers: HelperRepository(database: database), party: PartyRepository(database: database), community: CommunityRepository(database: database),
                   monitoring: MonitoringRepository(database: database), records: records, renderer: renderer, settings: settings).register(on: routes)
    HouseholdEditPages(registry: registry, profiles: profiles, records: records, renderer: renderer, settings: settings).register(on: routes)
    AssessmentPages(registry: registry, renderer: renderer, settings: settings).register(on: routes)
    RegistryListPages(registry: registry, divisions: divisions, audit: AuditLog(database: database), renderer: renderer, settings: settings)
        .register(on: routes)
    PersonPages(people: PersonRepository(database: database), registry: registry, renderer: renderer, settings: settings).register(on: routes)
    ParameterPages(parameters: PolicyParameterRepository(database: database), renderer: renderer).register(on: routes)
    MonitoringPages(monitoring: MonitoringRepository(database: database), divisions: divisions, audit: AuditLog(database: database), renderer: renderer,
                    settings: settings).register(on: routes)
    GovernancePages(governance: governance, registry: registry, visits: VisitRepository(database: database), divisions: divisions, users: users, records: records,
                    renderer: renderer, settings: settings).register(on: routes)
    MyWorkPages(work: WorkRepository(database: database), figures: figures, visits: VisitRepository(database: database), governance: governance,
                monitoring: MonitoringRepository(database: database), helpers: HelperRepository(database: database), divisions: divisions,
                renderer: renderer, settings: settings).register(on: routes)
    HelperPages(helpers: HelperRepository(database: database), visits: VisitRepository(database: database), divisions: divisions, renderer: renderer,
                settings: settings).register(on: routes)
    PartyPages(party: PartyRepository(database: database), registry: registry, divisions: divisions, renderer: renderer,
               settings: settings).register(on: routes)
    MeasurePages(plans: PlanRepository(database: database), figures: figures, divisions: divisions, renderer: renderer, settings: settings).register(on: routes)
    CommunityPages(community: CommunityRepository(database: database), figures: figures, registry: registry, divisions: divisions, renderer: renderer,
                   settings: settings).register(on: routes)
    DashboardPages(figures: figures, divisions: divisions, renderer: renderer, settings: settings,
                   monitoring: MonitoringRepository(database: database)).register(on: routes)
    let imports = ImportJobs(folder: settings.workDirectory)
    ImportPages(database: database, divisions: divisions, jobs: imports, renderer: renderer,
                settings: settings).register(on: routes)
    try APIHandler(
        divisions: divisions, profiles: profiles, figures: figures, exits: exits, registry: registry,
        parameters: PolicyParameterRepository(database: database), people: PersonRepository(database: database), governance: governance,
        records: records, settings: settings
    ).register(on: router)
    return (router, routes.routes, [imports])
}

/// `/healthz` (is the database answering?) and `/metrics` (Prometheus text).
struct OperationsRoutes: Sendable {
    let database: Database
    let metrics: PrometheusCollectorRegistry

    func register(on router: Router<AppRequestContext>) {
        let info = metrics.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "zhenxing", metricName: "build", unitName: "info",
                helpText: "Always 1; the labels tell the version and the database engine."),
            labels: [("version", ZhenxingVersion.current), ("engine", database.engine.rawValue)])
        info.set(to: 1)
        router.get("/healthz") { _, context -> Response in
            let ok: Bool
            do {
                try await database.ping()
                ok = true
            } catch {
                context.logger.error("health check failed: \(error)")
                ok = false
            }
            let body = #"{"status":"\#(ok ? "ok" : "unavailable")","database":"\#(database.engine.rawValue)"}"#
            return Response(
                status: ok ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        // Counts of requests by route and status are not for the public: an administrator's session or API token.
        router.get("/metrics") { _, context -> Response in
            guard let identity = context.identity else { throw AppError.signInRequired }
            guard identity.role == .administrator else { throw AppError.forbidden }
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

/// The version this build reports.
public enum ZhenxingVersion {
    /// Semantic version of the product.
    public static let current = "0.1.0"
}

/// A bare Hummingbird application answering `GET /` with a short text and nothing else: no middleware, templates or
/// database. The floor `scripts/bench pages` measures the real pages against, served by the same binary.
public func buildFloorApplication(host: String, port: Int) -> some ApplicationProtocol {
    let router = Router()
    router.get("/") { _, _ in "hello" }
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "zhenxing-floor"),
                       logger: Logger(label: "zhenxing-floor"))
}
