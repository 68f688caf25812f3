import Hummingbird
import ZhenxingDomain

/// Who may call a route.
enum Access: Sendable, Hashable {
    /// Anyone, signed in or not.
    case anyone
    /// Any signed-in user.
    case signedIn
    /// Holders of the permission for the division named by the route's `:code`.
    case pathDivision(Permission)
    /// Holders of the permission anywhere (the handler then limits what it shows to their division).
    case ownDivision(Permission)
}

/// One route and who may call it: the data the authorisation tests read.
struct RouteSpec: Sendable, Hashable {
    let method: HTTPRequest.Method
    let path: String
    let access: Access
}

/// Registers routes with their access rule, checked before the handler runs; keeps the list.
final class GuardedRouter {
    let router: Router<AppRequestContext>
    private(set) var routes: [RouteSpec] = []

    init(_ router: Router<AppRequestContext>) {
        self.router = router
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access,
        use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        routes.append(RouteSpec(method: method, path: path, access: access))
        router.on(RouterPath(path), method: method) { request, context in
            try Self.check(access, context)
            return try await handler(request, context)
        }
    }

    /// Throws 401 for an anonymous caller of a protected route, 403 for a caller without the right.
    static func check(_ access: Access, _ context: AppRequestContext) throws {
        if case .anyone = access { return }
        guard let identity = context.identity else { throw AppError.signInRequired }
        switch access {
        case .anyone, .signedIn:
            return
        case .ownDivision(let permission):
            guard identity.holds(permission) else { throw AppError.forbidden }
        case .pathDivision(let permission):
            let code = try DivisionPages.code(context)
            guard identity.can(permission, in: code) else { throw AppError.forbidden }
        }
    }
}

extension RequestScope {
    /// Throws unless the API caller holds `permission` for `division`.
    static func authorize(_ permission: Permission, in division: DivisionCode) throws {
        guard let identity else { throw AppError.signInRequired }
        guard identity.can(permission, in: division) else { throw AppError.forbidden }
    }
}
