import Foundation
import HTTPTypes
import HummingbirdTesting

/// A form as a page renders it: where it posts and the fields it would send as they stand (hidden values, typed
/// defaults, the selected or first option of each list). Tests submit what the page shows instead of typing the
/// address and fields again, so a form pointing at a broken address fails its test.
struct RenderedForm {
    let action: String
    /// "post", or "get" for a form that asks for a page or a file.
    let method: String
    var fields: [(String, String)]

    /// The forms of `html` with `method` (POST unless told) in page order.
    static func all(in html: String, method: String = "post") -> [RenderedForm] {
        html.matches(of: #/<form\b([^>]*)>(.*?)</form>/#.dotMatchesNewlines()).compactMap { match in
            let attributes = String(match.output.1)
            guard attributes.contains(#"method="\#(method)""#), let action = attribute("action", in: attributes) else { return nil }
            let body = String(match.output.2)
            var fields: [(String, String)] = []
            for input in body.matches(of: #/<input\b([^>]*)>/#) {
                let tag = String(input.output.1)
                guard let name = attribute("name", in: tag) else { continue }
                let type = attribute("type", in: tag) ?? "text"
                if ["checkbox", "radio"].contains(type) && !tag.contains(" checked") { continue }
                fields.append((name, attribute("value", in: tag) ?? ""))
            }
            for select in body.matches(of: #/<select\b([^>]*)>(.*?)</select>/#.dotMatchesNewlines()) {
                guard let name = attribute("name", in: String(select.output.1)) else { continue }
                let options = String(select.output.2).matches(of: #/<option\b([^>]*)>/#).map { String($0.output.1) }
                let chosen = options.first { $0.contains(" selected") } ?? options.first
                fields.append((name, chosen.flatMap { attribute("value", in: $0) } ?? ""))
            }
            for area in body.matches(of: #/<textarea\b([^>]*)>(.*?)</textarea>/#.dotMatchesNewlines()) {
                if let name = attribute("name", in: String(area.output.1)) { fields.append((name, unescape(String(area.output.2)))) }
            }
            return RenderedForm(action: unescape(action), method: method, fields: fields)
        }
    }

    /// The value of field `name`.
    subscript(name: String) -> String? {
        get { fields.first { $0.0 == name }?.1 }
        set {
            fields.removeAll { $0.0 == name }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        guard let match = tag.firstMatch(of: try! Regex(#"\b\#(name)="([^"]*)""#)) else { return nil }
        return match.output[1].substring.map { unescape(String($0)) }
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension Browser {
    /// Submits a rendered form as the browser would: a POST with its CSRF field, a GET with its fields as the query.
    mutating func submit(_ form: RenderedForm, headers: HTTPFields = [:]) async throws -> TestResponse {
        guard form.method == "post" else {
            var query = URLComponents()
            query.queryItems = form.fields.map { URLQueryItem(name: $0.0, value: $0.1) }
            return try await get(form.action + "?" + (query.percentEncodedQuery ?? ""))
        }
        return try await postForm(form.action, form.fields.filter { $0.0 != "_csrf" }, csrf: form["_csrf"], headers: headers)
    }
}

extension Browser {
    /// The pages reachable by links from `start` on this site, breadth first, at most `limit` (GET only; xlsx files
    /// and the language switch are left out): each address with its answer.
    mutating func crawl(from start: [String], limit: Int) async throws -> [(path: String, response: TestResponse)] {
        var queue = start, seen = Set(start), pages: [(path: String, response: TestResponse)] = []
        while !queue.isEmpty, pages.count < limit {
            let path = queue.removeFirst()
            let response = try await get(path)
            pages.append((path, response))
            guard response.headers[.contentType]?.hasPrefix("text/html") == true else { continue }
            for match in response.text.matches(of: #/href="(/[^"#]*)"/#) {
                let link = String(match.output.1).replacingOccurrences(of: "&amp;", with: "&")
                guard !link.hasPrefix("/static/"), !link.contains("lang="), !link.contains("format=xlsx"), seen.insert(link).inserted else { continue }
                queue.append(link)
            }
        }
        return pages
    }
}
