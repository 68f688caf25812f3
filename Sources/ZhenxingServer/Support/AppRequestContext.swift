import Hummingbird
import ZhenxingDomain
import ZhenxingStore

/// The per-request state every handler sees: the request id (from Hummingbird) and the language.
public struct AppRequestContext: RequestContext {
    /// Hummingbird's core storage.
    public var coreContext: CoreRequestContextStorage
    /// The language the user reads, zh-Hans unless they switched.
    public var language: Language = .chinese
    /// Who is calling, once the auth middleware found out; nil for anonymous requests.
    public var identity: Identity?
    /// True when the caller used an API token rather than a session.
    public var usesToken = false
    /// The hash of the session token, for signing out.
    public var sessionTokenHash: String?
    /// The CSRF token forms on this page must carry.
    public var csrfToken = ""
    /// Forms and JSON, chosen by content type.
    public var requestDecoder: some RequestDecoder { AppRequestDecoder() }

    /// Creates a context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The client's address, for the audit log and sign-in throttling.
    public let remoteAddress: String

    /// Who acts, for the audit log.
    var actor: AuditActor {
        // A call made with an API token names the token, so its use can be told from the owner's own.
        let name = identity.map { identity in identity.tokenID.map { "\(identity.username) (token \($0))" } ?? identity.username }
        return AuditActor(userID: identity?.userID, username: name ?? "anonymous", address: remoteAddress, requestID: id)
    }
}

/// Values the OpenAPI handlers need but cannot get from a context they are not given.
enum RequestScope {
    /// The language of the current request.
    @TaskLocal static var language: Language = .chinese
    /// Who is calling.
    @TaskLocal static var identity: Identity?
    /// Who acts, for the audit log.
    @TaskLocal static var actor = AuditActor.system
}
