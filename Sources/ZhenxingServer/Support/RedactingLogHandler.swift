import Foundation
import Logging

/// A log handler that passes every line through `LogRedaction` before the handler it wraps writes it: whatever a
/// line carries — an error's description with the request it failed on, a path, metadata — no session cookie,
/// bearer token, API token, query string or resident ID number reaches the log.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    /// Wraps `handler`.
    public init(_ handler: any LogHandler) {
        wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(LogRedaction.clean) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(LogRedaction.clean) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(LogRedaction.clean(event.message.description))"
        var metadata = event.metadata?.mapValues(LogRedaction.clean)
        if let error = event.error {
            // An error's description can hold the request it failed on: only its cleaned text goes on.
            metadata = (metadata ?? [:]).merging(["error": .string(LogRedaction.clean(String(describing: error)))]) { kept, _ in kept }
            event.error = nil
        }
        event.metadata = metadata
        wrapped.log(event: event)
    }
}

/// What may never be written to a log, and how it is blanked.
public enum LogRedaction {
    // Header lines first (a whole cookie or authorization header goes), then tokens wherever they stand, then
    // query strings after a path, then anything that looks like an ID number (18 or 15 digits, not inside a longer run).
    private static let rules: [(NSRegularExpression, String)] = [
        (#"(?i)(cookie|authorization|set-cookie|x-csrf-token)(["']?\s*[:=]\s*)[^\n,\]}]*"#, "$1$2[redacted]"),
        (#"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"#, "Bearer [redacted]"),
        (#"(?i)(zx_session|_csrf|password)=[^;&\s"]*"#, "$1=[redacted]"),
        (#"zx_(?!session)[A-Za-z0-9_-]{8,}"#, "zx_[redacted]"),
        (#"(/[^\s?"']*)\?[^\s"']*"#, "$1?[redacted]"),
        (#"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"#, "[id]"),
        (#"(?<![0-9])[0-9]{15}(?![0-9])"#, "[id]"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// `text` with every secret blanked.
    public static func clean(_ text: String) -> String {
        guard mayHoldSecrets(text) else { return text }
        var text = text
        for (pattern, template) in rules {
            text = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    /// False when no rule can match `text`: every rule needs a `:`, `=` or `?`, a `zx_`, a "bearer" in any case, or a
    /// run of 15 digits. The access log's line (`GET /households/41 200 1.2 ms`) and a request id cost one scan of
    /// their bytes instead of seven regular expressions.
    static func mayHoldSecrets(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var digits = 0
        for (index, byte) in bytes.enumerated() {
            digits = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? digits + 1 : 0
            switch byte {
            case UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"): return true
            case UInt8(ascii: "_") where index >= 2 && bytes[index - 2] == UInt8(ascii: "z") && bytes[index - 1] == UInt8(ascii: "x"):
                return true
            case UInt8(ascii: "b"), UInt8(ascii: "B"):
                if bytes[index...].prefix(6).map({ $0 | 0x20 }).elementsEqual("bearer".utf8) { return true }
            default:
                if digits >= 15 { return true }
            }
        }
        return false
    }

    /// A metadata value with every string in it blanked.
    static func clean(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(clean(text))
        case .stringConvertible(let convertible): .string(clean(convertible.description))
        case .array(let values): .array(values.map(clean))
        case .dictionary(let values): .dictionary(values.mapValues(clean))
        }
    }
}
