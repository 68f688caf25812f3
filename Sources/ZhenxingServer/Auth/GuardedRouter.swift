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
    /// Holders of the permission for the village of the record named by `:id`;
    /// others get 404, as if it did not exist.
    case record(Permission, RecordKind)
}

/// Records whose village decides access.
enum RecordKind: Sendable, Hashable, CaseIterable {
    case household, person, issue, meeting, grid, helper, branch, visit, photo, activity, project, nomination
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
    let records: RecordLocator
    private(set) var routes: [RouteSpec] = []

    /// `records` finds the village of a record and whether a caller may act on it.
    init(_ router: Router<AppRequestContext>, records: RecordLocator) {
        self.router = router
        self.records = records
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access,
        use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        routes.append(RouteSpec(method: method, path: path, access: access))
        let records = self.records
        router.on(RouterPath(path), method: method) { request, context in
            try await Self.check(access, context, records: records)
            return try await handler(request, context)
        }
    }

    /// Throws 401 for an anonymous caller of a protected route, 403 for a caller without the right.
    static func check(_ access: Access, _ context: AppRequestContext, records: RecordLocator) async throws {
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
        case .record(let permission, let kind):
            let notFound = AppError.notFound(LocalizedText(zh: "找不到这条记录", en: "No such record"))
            guard let id = context.parameters.get("id", as: Int.self), let village = try await records.village(of: kind, id),
                  identity.covers(village) else { throw notFound }
            guard try await records.allows(identity, permission, kind, id, in: village) else { throw AppError.forbidden }
        }
    }
}

extension RequestScope {
    /// The API caller; throws unless they hold `permission` for `division`.
    @discardableResult
    static func authorize(_ permission: Permission, in division: DivisionCode) throws -> Identity {
        guard let identity else { throw AppError.signInRequired }
        guard identity.can(permission, in: division) else { throw AppError.forbidden }
        return identity
    }
}
