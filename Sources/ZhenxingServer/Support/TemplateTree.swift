/// A page model as the templates read it: nested `[String: Any]` and `[Any]`, built in one pass per page. The template
/// engine answers a `{{key}}` from a dictionary with one lookup; from a struct it builds a `Mirror` of every struct on
/// its context stack and scans their fields, for every key of every row (79 % of a page's CPU in the first profile).
/// A nil field is left out, so a lookup climbs the stack past it as it does past a struct's nil field.
enum TemplateTree {
    /// The tree of `value`: strings, numbers and flags as they are, optionals unwrapped, arrays and structs converted.
    static func of(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag
        case let number as Int: return number
        case let words as [String: String]: return words
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { of($0.value) }
        case .collection, .set:
            return mirror.children.compactMap { of($0.value) }
        case .struct, .class:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label, let converted = of(child.value) { fields[label] = converted }
            }
            return fields
        case .dictionary:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                let pair = Array(Mirror(reflecting: child.value).children)
                if pair.count == 2, let key = pair[0].value as? String, let converted = of(pair[1].value) { fields[key] = converted }
            }
            return fields
        default:
            return value
        }
    }
}
