import Foundation

/// A value as a template reads it: the page model, converted once per page (`TemplateTree`).
enum TemplateValue: Sendable {
    case text(String)
    case number(Int)
    case flag(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
}

/// A mustache template compiled to tokens, rendered over `TemplateValue` with no casts and no reflection.
///
/// It reads the part of mustache the pages use: `{{name}}`, `{{a.b}}`, `{{.}}`, `{{{raw}}}`, sections `{{#x}}`, inverted
/// sections `{{^x}}`, the `empty(x)` transform, partials `{{> name}}` and inheritance (`{{<layout}}` with `{{$block}}`).
/// Lines holding only a section, partial or block tag are dropped as the mustache specification says, with the rules
/// swift-mustache 2.1 applied, so the pages are the same bytes as before. Any other tag stops the start with the
/// template's name and line.
struct Template: Sendable {
    /// A dotted name, the `.` of the current value, with the transform applied to it.
    struct Name: Sendable {
        let path: [String]
        let empty: Bool
        var isCurrent: Bool { path.isEmpty }
    }

    enum Token: Sendable {
        case text([UInt8])
        case variable(Name, escaped: Bool)
        case section(Name, Template, inverted: Bool)
        case partial(String, indentation: [UInt8]?, blocks: [String: Template]?)
        /// Where a parent template lets a child replace `default`.
        case block(String, default: Template, indentation: [UInt8])
        /// A child's replacement for a parent's block (only inside `{{<parent}}`).
        case blockDefinition(String, Template)
    }

    let tokens: [Token]

    /// Compiles `source`; `name` only names the template in errors.
    init(_ source: String, name: String) throws {
        var parser = TemplateParser(bytes: Array(source.utf8), name: name)
        tokens = try parser.parse(TemplateParser.State())
    }

    fileprivate init(tokens: [Token]) { self.tokens = tokens }

    /// The names of the partials and parents this template and its sections refer to.
    var partialNames: [String] {
        tokens.flatMap { token -> [String] in
            switch token {
            case .text, .variable: return []
            case .section(_, let body, _), .blockDefinition(_, let body): return body.partialNames
            case .block(_, let body, _): return body.partialNames
            case .partial(let name, _, let blocks): return [name] + (blocks ?? [:]).values.flatMap(\.partialNames)
            }
        }
    }
}

/// A template that cannot be read, named by file and line.
struct TemplateError: Error, CustomStringConvertible {
    let description: String
}

/// The templates of a folder, by file name without `.mustache`.
struct TemplateLibrary: Sendable {
    private let templates: [String: Template]

    /// Loads every `*.mustache` file of `directory`; a template that does not parse, or names a partial that is not
    /// there, stops the load.
    init(directory: String) throws {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        var templates: [String: Template] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".mustache") {
            let name = String(file.dropLast(".mustache".count))
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            templates[name] = try Template(source, name: file)
        }
        for (name, template) in templates {
            for partial in template.partialNames where templates[partial] == nil {
                throw TemplateError(description: "\(name).mustache: no template \(partial).mustache")
            }
        }
        self.templates = templates
    }

    func has(_ name: String) -> Bool { templates[name] != nil }

    /// The UTF-8 bytes of `name` rendered over `value`; nil when there is no such template.
    func render(_ value: TemplateValue, template name: String) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var renderer = TemplateRenderer(library: templates, stack: [value])
        renderer.output.reserveCapacity(32_768)
        renderer.render(template, indentation: nil, blocks: nil)
        return renderer.output
    }
}

private struct TemplateRenderer {
    let library: [String: Template]
    var stack: [TemplateValue]
    var output: [UInt8] = []

    mutating func render(_ template: Template, indentation: [UInt8]?, blocks: [String: Template]?) {
        guard let indentation, !indentation.isEmpty else {
            for token in template.tokens { render(token, indentation: indentation, blocks: blocks) }
            return
        }
        // An indented partial: what a token renders after a line break of this template starts with the indentation.
        let start = output.count
        for token in template.tokens {
            let mark = output.count
            let afterBreak = mark > start && output[mark - 1] == UInt8(ascii: "\n")
            render(token, indentation: indentation, blocks: blocks)
            if afterBreak && output.count > mark { output.insert(contentsOf: indentation, at: mark) }
        }
    }

    mutating func render(_ token: Template.Token, indentation: [UInt8]?, blocks: [String: Template]?) {
        switch token {
        case .text(let bytes):
            output.append(contentsOf: bytes)
        case .variable(let name, let escaped):
            switch value(of: name) {
            case .text(let text): escaped ? HTML.escape(text, into: &output) : output.append(contentsOf: text.utf8)
            case .number(let number): output.append(contentsOf: String(number).utf8)
            case .flag(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .list, .object, nil: break
            }
        case .section(let name, let body, let inverted):
            let found = value(of: name)
            if inverted {
                switch found {
                case nil, .flag(false): render(body, indentation: indentation, blocks: blocks)
                case .list(let items) where items.isEmpty: render(body, indentation: indentation, blocks: blocks)
                default: break
                }
                return
            }
            switch found {
            case nil, .flag(false): break
            case .flag(true): render(body, indentation: indentation, blocks: blocks)
            case .list(let items):
                for item in items {
                    stack.append(item)
                    render(body, indentation: indentation, blocks: blocks)
                    stack.removeLast()
                }
            case .some(let value):
                stack.append(value)
                render(body, indentation: indentation, blocks: blocks)
                stack.removeLast()
            }
        case .partial(let name, let indented, let inherited):
            guard let template = library[name] else { return }
            let deeper = indented.map { (indentation ?? []) + $0 } ?? indentation
            // The outer template's replacement of a block wins over an inner one's.
            let merged = inherited.map { inner in blocks.map { $0.merging(inner) { outer, _ in outer } } ?? inner } ?? blocks
            render(template, indentation: deeper, blocks: merged)
        case .block(let name, let fallback, let indented):
            let deeper = indented.isEmpty ? indentation : (indentation ?? []) + indented
            render(blocks?[name] ?? fallback, indentation: deeper, blocks: blocks)
        case .blockDefinition:
            break
        }
    }

    /// The value a name reads: its first part from the nearest value on the stack that has it, the rest below that.
    func value(of name: Template.Name) -> TemplateValue? {
        var found: TemplateValue?
        if name.isCurrent {
            found = stack.last
        } else {
            let first = name.path[0]
            for candidate in stack.reversed() {
                if case .object(let fields) = candidate, let field = fields[first] {
                    found = field
                    break
                }
            }
            for part in name.path.dropFirst() {
                guard case .object(let fields) = found else { return nil }
                found = fields[part]
            }
        }
        guard name.empty, let value = found else { return found }
        switch value {
        case .list(let items): return .flag(items.isEmpty)
        case .object(let fields): return .flag(fields.isEmpty)
        case .text(let text): return .flag(text.isEmpty)
        case .number, .flag: return nil
        }
    }
}

/// Text made safe for HTML, in elements and in quoted attributes.
enum HTML {
    /// Appends `text` to `output` with `< > & " '` as entities.
    static func escape(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var plain = 0
            for (index, byte) in bytes.enumerated() {
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index]))
                output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                plain = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...]))
        }
    }
}

/// Reads a template's bytes into tokens, keeping swift-mustache 2.1's whitespace rules for standalone lines.
private struct TemplateParser {
    let bytes: [UInt8]
    let name: String
    var position = 0

    struct State {
        /// The open section's tag (`x` or `empty(x)`), nil at the top.
        var section: String?
        /// At the start of a line, or after a standalone tag: a tag here may be standalone.
        var newLine = true
        /// Inside `{{<parent}}`: only block definitions count.
        var inParent = false
        var parentTopLevel = false
        /// The indentation of a block definition's first line, taken off its other lines.
        var definitionIndent: ArraySlice<UInt8>?

        func entering(_ section: String, standalone: Bool) -> State {
            var state = self
            state.section = section
            state.parentTopLevel = false
            if !standalone { state.newLine = false }
            return state
        }
    }

    mutating func parse(_ start: State) throws -> [Template.Token] {
        var state = start
        var tokens: [Template.Token] = []
        var before: ArraySlice<UInt8> = []
        while position < bytes.count {
            if state.newLine {
                let blanks = readBlanks()
                if state.inParent && !state.parentTopLevel {
                    if let indent = state.definitionIndent { before = blanks.dropFirst(indent.count) } else { state.definitionIndent = blanks }
                } else {
                    before = blanks
                }
            }
            let (text, foundTag) = readText()
            if !foundTag, let lineBreak = readLineBreak() {
                tokens.append(.text(Array(before + text + lineBreak)))
                state.newLine = true
                continue
            }
            if !text.isEmpty {
                tokens.append(.text(Array(before + text)))
                before = []
                state.newLine = false
            }
            guard foundTag else { break }
            var standalone = false
            let kind = bytes[position]
            switch kind {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                position += 1
                let (tag, name) = try readName()
                standalone = isStandalone(state)
                if !standalone && !before.isEmpty { tokens.append(.text(Array(before))); before = [] }
                let body = try parse(state.entering(tag, standalone: standalone))
                tokens.append(.section(name, Template(tokens: body), inverted: kind == UInt8(ascii: "^")))
            case UInt8(ascii: "/"):
                position += 1
                let (tag, _) = try readName()
                guard tag == state.section else { throw error("{{/\(tag)}} closes no open {{#\(tag)}}") }
                if !isStandalone(state) && !before.isEmpty { tokens.append(.text(Array(before))) }
                return tokens
            case UInt8(ascii: "{"):
                if !before.isEmpty { tokens.append(.text(Array(before))); before = [] }
                position += 1
                let (_, name) = try readName()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "}") else { throw error("{{{ without }}}") }
                position += 1
                tokens.append(.variable(name, escaped: false))
            case UInt8(ascii: ">"):
                position += 1
                let partial = try readPartialName()
                if !before.isEmpty { tokens.append(.text(Array(before))) }
                standalone = isStandalone(state)
                tokens.append(.partial(partial, indentation: standalone ? Array(before) : nil, blocks: nil))
                before = []
            case UInt8(ascii: "<"):
                position += 1
                let parent = try readPartialName()
                if !before.isEmpty { tokens.append(.text(Array(before))) }
                standalone = isStandalone(state)
                var inner = state
                inner.section = parent
                inner.newLine = true
                inner.inParent = true
                inner.parentTopLevel = true
                var blocks: [String: Template] = [:]
                for token in try parse(inner) {
                    switch token {
                    case .blockDefinition(let block, let body): blocks[block] = body
                    case .text: break
                    default: throw error("inside {{<\(parent)}} only {{$block}} definitions may stand")
                    }
                }
                tokens.append(.partial(parent, indentation: Array(before), blocks: blocks))
                before = []
            case UInt8(ascii: "$"):
                position += 1
                let (block, name) = try readName()
                guard !name.empty else { throw error("a transform on the block {{$\(block)}}") }
                if state.parentTopLevel {
                    standalone = isStandalone(state)
                    let body = try parse(state.entering(block, standalone: standalone))
                    tokens.append(.blockDefinition(block, Template(tokens: body)))
                } else {
                    if !before.isEmpty { tokens.append(.text(Array(before))) }
                    standalone = isStandalone(state)
                    let body = try parse(state.entering(block, standalone: standalone))
                    tokens.append(.block(block, default: Template(tokens: body), indentation: Array(before)))
                    before = []
                }
            case UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: "%"), UInt8(ascii: "&"):
                throw error("the tag {{\(Character(Unicode.Scalar(kind)))…}} is not used by Zhenxing's templates")
            default:
                if !before.isEmpty { tokens.append(.text(Array(before))); before = [] }
                let (_, name) = try readName()
                tokens.append(.variable(name, escaped: true))
            }
            state.newLine = standalone
        }
        if let section = state.section { throw error("{{#\(section)}} is never closed") }
        return tokens
    }

    /// Spaces and tabs.
    mutating func readBlanks() -> ArraySlice<UInt8> {
        let start = position
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
        return bytes[start..<position]
    }

    /// Text up to a line break (not read) or a `{{` (read, `foundTag`).
    mutating func readText() -> (ArraySlice<UInt8>, foundTag: Bool) {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\n")) {
                return (bytes[start..<position], false)
            }
            if byte == UInt8(ascii: "{"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "{") {
                position += 2
                return (bytes[start..<position - 2], true)
            }
            position += 1
        }
        return (bytes[start..<position], false)
    }

    mutating func readLineBreak() -> ArraySlice<UInt8>? {
        guard position < bytes.count else { return nil }
        let length = bytes[position] == UInt8(ascii: "\r") ? 2 : 1
        defer { position += length }
        return bytes[position..<position + length]
    }

    /// A tag is standalone when it opens its line and only blanks follow it there; the blanks and the line break go.
    mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if position >= bytes.count { return true }
        var end = position
        while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\n") {
            position = end + 1
            return true
        }
        if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "\r"), bytes[end + 1] == UInt8(ascii: "\n") {
            position = end + 2
            return true
        }
        return false
    }

    /// A tag's name up to `}}`: its text as written, and the name with its transform.
    mutating func readName() throws -> (String, Template.Name) {
        let tag = try readTag { $0.isLetter || $0.isNumber || "._-?()*".contains($0) }
        if tag == "." { return (tag, Template.Name(path: [], empty: false)) }
        var path = tag
        var empty = false
        if let open = tag.firstIndex(of: "(") {
            guard tag[..<open] == "empty", tag.hasSuffix(")") else { throw error("the transform in {{\(tag)}}: only empty(…) is known") }
            path = String(tag[tag.index(after: open)..<tag.index(before: tag.endIndex)])
            empty = true
        }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw error("the name {{\(tag)}}") }
        return (tag, Template.Name(path: parts, empty: empty))
    }

    mutating func readPartialName() throws -> String {
        try readTag { $0.isLetter || $0.isNumber || "._-?()*/".contains($0) }
    }

    /// Blanks, the characters `allowed` takes, blanks, and `}}`.
    mutating func readTag(_ allowed: (Character) -> Bool) throws -> String {
        func skipBlanks() {
            while position < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[position]) {
                position += 1
            }
        }
        skipBlanks()
        let start = position
        while position < bytes.count, bytes[position] < 0x80, allowed(Character(Unicode.Scalar(bytes[position]))) { position += 1 }
        let tag = String(decoding: bytes[start..<position], as: UTF8.self)
        skipBlanks()
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "}"), bytes[position + 1] == UInt8(ascii: "}") else {
            throw error("a tag that does not end in }}")
        }
        position += 2
        return tag
    }

    func error(_ reason: String) -> TemplateError {
        let line = bytes[..<min(position, bytes.count)].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return TemplateError(description: "\(name), line \(line): \(reason)")
    }
}
