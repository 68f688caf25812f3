import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Random tokens, their stored hashes, and password hashing off the event loop.
enum Secrets {
    /// A new random token: 32 bytes, base64url, with a prefix that says what it is.
    static func token(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// The SHA-256 of a token, hex: what the database keeps instead of the token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A bcrypt hash of a password, computed on the thread pool (cost 12 takes ~0.25 s).
    static func hashPassword(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password against a bcrypt hash on the thread pool.
    static func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// Password hashing for the command line and the demo loader, the same as the server's.
public enum Passwords {
    /// The production bcrypt cost.
    public static let cost: UInt8 = 12

    /// A bcrypt hash of `password`, computed off the calling thread.
    public static func hash(_ password: String, cost: UInt8 = cost) async throws -> String {
        try await Secrets.hashPassword(password, cost: cost)
    }

    /// A random password that meets `PasswordRules`: 12 letters and digits, at least one of each.
    public static func random() -> String {
        let letters = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"), digits = Array("23456789")
        var generator = SystemRandomNumberGenerator()
        let body = (0..<10).map { _ in (letters + digits).randomElement(using: &generator)! }
        return String(body) + String(letters.randomElement(using: &generator)!) + String(digits.randomElement(using: &generator)!)
    }
}
