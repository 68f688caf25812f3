import Foundation
import Hummingbird
import ZhenxingDomain

extension Request {
    /// The `?year=` asked for, `fallback` without one; 400 for a year outside `FieldIssue.years`.
    func year(or fallback: Int) throws -> Int {
        guard let text = query("year") else { return fallback }
        guard let year = Int(text), FieldIssue.years.contains(year) else { throw AppError(.badRequest, FieldIssue.yearOutOfRange().message) }
        return year
    }

    /// A query parameter, trimmed; nil when absent or blank.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters[name[...]] else { return nil }
        let text = String(value).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// Characters left as they are in a query value.
    static let queryValue = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))

    /// `path` with `extra` and the current value of each filter in `kept`: the link that pages through or exports a
    /// list as it is shown.
    func link(_ path: String, keeping kept: [String], and extra: [(name: String, value: String)] = []) -> String {
        let items = extra + kept.compactMap { name in query(name).map { (name, $0) } }
        return path + "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? "")" }
            .joined(separator: "&")
    }

    /// The link to the next page of a list: `path` with the key of the last row shown (`after`)
    /// and the current value of each filter in `kept`.
    func nextPage(_ path: String, key: (name: String, value: String), keeping kept: [String]) -> String {
        link(path, keeping: kept, and: [key])
    }
}
