import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Random tokens, their stored hashes, and password hashing off the event loop.
public enum Secrets {
    /// A new random token: 32 bytes, base64url without padding, with a prefix that says what it is.
    public static func token(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeBytes(of: words) { prefix + base64URL($0) }
    }

    /// The SHA-256 of a token, hex: what the database keeps instead of the token.
    public static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Bytes as lowercase hexadecimal.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Bytes in the URL-safe base64 alphabet (RFC 4648 §5), without padding.
    static func base64URL(_ bytes: UnsafeRawBufferPointer) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var text: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = 0
            for offset in 0..<3 { group = group << 8 | (offset < count ? Int(bytes[index + offset]) : 0) }
            for position in 0...count { text.append(alphabet[(group >> (18 - 6 * position)) & 0x3F]) }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
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
