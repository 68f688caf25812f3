import Foundation
import Testing
@testable import ZhenxingServer

/// The template engine the pages render with: mustache as the templates use it, without reflection.
@Suite struct TemplateEngineTests {
    /// Writes `templates` (name → source) to a fresh folder and loads it.
    func library(_ templates: [String: String]) throws -> TemplateLibrary {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, source) in templates {
            try source.write(to: folder.appendingPathComponent("\(name).mustache"), atomically: true, encoding: .utf8)
        }
        return try TemplateLibrary(directory: folder.path)
    }

    func render(_ source: String, _ value: TemplateValue, partials: [String: String] = [:]) throws -> String {
        let rendered = try #require(try library(partials.merging(["page": source]) { $1 }).render(value, template: "page"))
        return String(decoding: rendered, as: UTF8.self)
    }

    @Test func valuesAreEscapedUnlessTripleBracedAndMissingOnesAreEmpty() throws {
        let value = TemplateValue.object([
            "name": .text(#"<script>alert('x')</script> & "y""#), "count": .number(-3), "yes": .flag(true),
        ])
        #expect(try render("{{name}}|{{{name}}}|{{count}}|{{yes}}|{{missing}}|{{name.deeper}}", value)
            == #"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;|<script>alert('x')</script> & "y"|-3|true||"#)
    }

    @Test func sectionsIterateListsAndReadNamesUpTheStack() throws {
        let value = TemplateValue.object([
            "t": .object(["unit": .text("户")]),
            "rows": .list([.object(["n": .number(1)]), .object(["n": .number(2), "t": .object(["unit": .text("人")])])]),
            "words": .list([.text("甲"), .text("乙")]),
            "on": .flag(true), "off": .flag(false), "none": .list([]), "blank": .text(""),
        ])
        #expect(try render("{{#rows}}{{n}}{{t.unit}};{{/rows}}{{#words}}[{{.}}]{{/words}}", value) == "1户;2人;[甲][乙]")
        #expect(try render("{{#on}}a{{/on}}{{#off}}b{{/off}}{{^off}}c{{/off}}{{^none}}d{{/none}}{{^missing}}e{{/missing}}{{^on}}f{{/on}}", value)
            == "acde")
        #expect(try render("{{#empty(none)}}g{{/empty(none)}}{{^empty(rows)}}h{{/empty(rows)}}{{#empty(blank)}}i{{/empty(blank)}}"
            + "{{#empty(missing)}}j{{/empty(missing)}}{{^empty(missing)}}k{{/empty(missing)}}", value) == "ghik")
    }

    @Test func linesHoldingOnlyATagLeaveNoBlankLines() throws {
        let value = TemplateValue.object(["rows": .list([.text("a"), .text("b")])])
        #expect(try render("<ul>\n  {{#rows}}\n  <li>{{.}}</li>\n  {{/rows}}\n</ul>\n", value) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
        // A tag that shares its line with text keeps the line.
        #expect(try render("<p>{{#rows}}{{.}}{{/rows}}</p>\n", value) == "<p>ab</p>\n")
    }

    @Test func aPageFillsItsLayoutsBlockAndPartialsShareItsValues() throws {
        let layout = "<title>{{title}}</title>\n<main>\n{{$content}}{{/content}}\n</main>\n"
        let page = "{{<layout}}{{$content}}\n<p>{{x}}</p>\n{{> row}}\n{{/content}}{{/layout}}\n"
        let value = TemplateValue.object(["title": .text("户"), "x": .number(1), "y": .text("<b>")])
        #expect(try render(page, value, partials: ["layout": layout, "row": "<td>{{y}}</td>\n"])
            == "<title>户</title>\n<main>\n<p>1</p>\n<td>&lt;b&gt;</td>\n\n</main>\n")
        // A layout rendered on its own shows its default.
        #expect(try render("{{$content}}default{{/content}}", value) == "default")
    }

    /// Why `templates` do not load; nil when they do.
    func refusal(_ templates: [String: String]) -> String? {
        do {
            _ = try library(templates)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aBrokenTemplateIsNamedWithItsLine() throws {
        #expect(refusal(["page": "<p>\n{{#rows}}\n</p>\n"]) == "page.mustache, line 4: {{#rows}} is never closed")
        #expect(refusal(["page": "a\n{{#a}}{{/b}}"]) == "page.mustache, line 2: {{/b}} closes no open {{#b}}")
        #expect(refusal(["page": "{{! a comment }}"]) == "page.mustache, line 1: the tag {{!…}} is not used by Zhenxing's templates")
        #expect(refusal(["page": "{{first(rows)}}"]) == "page.mustache, line 1: the transform in {{first(rows)}}: only empty(…) is known")
        #expect(refusal(["page": "{{> nowhere}}"]) == "page.mustache: no template nowhere.mustache")
        #expect(refusal(["page": "{{> row}}", "row": "<td>{{x}}</td>"]) == nil)
    }
}
