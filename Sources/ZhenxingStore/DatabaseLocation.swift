import Foundation

/// Where the records live: an SQLite file (the default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file at this path.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresLocation)

    /// The default location inside a data folder: `DIR/zhenxing.sqlite`.
    public static func inDataDirectory(_ directory: String) -> DatabaseLocation {
        .sqlite(path: URL(fileURLWithPath: directory).appendingPathComponent("zhenxing.sqlite").path)
    }

    /// Chooses the location from a `--database` URL when given, else the data folder's SQLite file.
    /// Accepts `postgres://user:pass@host:port/db[?sslmode=disable|prefer|require]` and `sqlite:PATH`.
    public static func resolve(url: String?, dataDirectory: String) throws(StoreError) -> DatabaseLocation {
        guard let url, !url.isEmpty else { return inDataDirectory(dataDirectory) }
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw .badDatabaseURL("sqlite: needs a file path, e.g. sqlite:data/zhenxing.sqlite") }
            return .sqlite(path: path)
        }
        return .postgres(try PostgresLocation(url: url))
    }

    /// The location without its password, safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }
}

/// The parts of a PostgreSQL URL.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// TLS use towards the server.
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Role to connect as.
    public var username: String
    /// Its password, if any.
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS use; loopback hosts default to `disable`, others to `prefer`.
    public var tls: TLSMode

    /// Parses `postgres://user:pass@host:port/db`; the error says which part is wrong.
    public init(url text: String) throws(StoreError) {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme else {
            throw .badDatabaseURL("not a URL; expected postgres://user:password@host:port/database")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw .badDatabaseURL("unknown scheme '\(scheme)'; use postgres://… or sqlite:PATH")
        }
        guard let host = parts.host, !host.isEmpty else { throw .badDatabaseURL("the host is missing") }
        guard let user = parts.user, !user.isEmpty else { throw .badDatabaseURL("the user name is missing") }
        let name = parts.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !name.isEmpty else { throw .badDatabaseURL("the database name is missing (…/DATABASE)") }
        if let port = parts.port, !(1...65535).contains(port) { throw .badDatabaseURL("port \(port) is out of range") }
        let isLoopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        let mode = parts.queryItems?.last { ["sslmode", "tls", "tlsmode"].contains($0.name) }?.value
        let tls: TLSMode
        switch mode {
        case nil: tls = isLoopback ? .disable : .prefer
        case "disable", "false": tls = .disable
        case "prefer", "allow", "true": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        case let other?: throw .badDatabaseURL("unknown sslmode '\(other)'")
        }
        self.host = host
        self.port = parts.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = parts.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = name
        self.tls = tls
    }

    /// The URL without its password, safe for logs.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}
