import Hummingbird
import ZhenxingDomain

/// The per-request state every handler sees: the request id (from Hummingbird) and the language.
public struct AppRequestContext: RequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The language the user reads, zh-Hans unless they switched.
    public var language: Language = .chinese
    /// Forms and JSON, chosen by content type.
    public var requestDecoder: some RequestDecoder { AppRequestDecoder() }

    /// Creates a context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Values the OpenAPI handlers need but cannot get from a context they are not given.
enum RequestScope {
    /// The language of the current request.
    @TaskLocal static var language: Language = .chinese
}
