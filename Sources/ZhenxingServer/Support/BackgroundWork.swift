import Logging
import ServiceLifecycle
import ZhenxingStore

/// Counts the figures the dashboards show ahead of the first visitor, then waits for the server to stop. A service of
/// the application: stopping the server cancels the count, and the database closes only after it has ended.
public struct FiguresWarmUp: Service {
    let figures: FiguresQuery
    let thisYear: @Sendable () -> Int
    let logger: Logger

    /// Creates the warm-up over the figures of the server.
    public init(figures: FiguresQuery, thisYear: @escaping @Sendable () -> Int, logger: Logger) {
        self.figures = figures
        self.thisYear = thisYear
        self.logger = logger
    }

    public func run() async throws {
        let started = ContinuousClock.now
        do {
            let made = try await cancelWhenGracefulShutdown { try await figures.warm(thisYear: thisYear()) }
            logger.info("figures of \(made) division-years ready in \(ContinuousClock.now - started)")
        } catch is CancellationError {
        } catch {
            logger.warning("figures not prepared ahead: \(type(of: error))")
        }
        // A service that returns stops the server: this one has nothing more to do until then.
        try? await gracefulShutdown()
    }
}

/// Moves sign-ins recorded while an import held the records' writer to the audit log, every minute and once more
/// when the server stops.
public struct SignInMover: Service {
    let database: Database
    let logger: Logger

    /// Creates the mover over the server's database.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            do {
                try await AuditLog.moveSignIns(in: database)
            } catch {
                logger.warning("sign-in entries not moved to the audit log yet: \(type(of: error))")
            }
        } while (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }) != nil
    }
}
