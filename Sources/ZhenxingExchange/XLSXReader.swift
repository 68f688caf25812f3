import Foundation
import ZhenxingDomain

/// Reads one sheet of an xlsx workbook as Excel and WPS write it, streaming: the sheet's XML is
/// inflated in chunks and scanned at the byte level (a parser per element would be 7× slower).
/// Shared strings (rich-text runs joined, phonetic runs left out) are one byte pool with offsets;
/// inline strings, numbers, booleans and formula results are read as text, and numbers with a
/// date style become `YYYY-MM-DD`. The sheet is found through workbook.xml and its relationships.
public struct XLSXReader: TableSource {
    /// The sheet read.
    public let sheetName: String
    /// Every sheet of the workbook, in order.
    public let sheetNames: [String]
    private let archive: ZIPParts
    private let sheetPath: String
    private let strings: StringPool
    private let dateStyles: Set<Int>
    private let date1904: Bool

    /// Opens the workbook and reads its shared strings; `sheet` picks a sheet by name (default: the first).
    public init(url: URL, sheet: String? = nil) throws {
        let archive = try ZIPParts(url: url)
        self.archive = archive
        let rootRelations = try Self.small(archive, "_rels/.rels").map { XMLScan.starts(of: "Relationship", in: $0) } ?? []
        let workbookPath = rootRelations.first { $0["Type"]?.hasSuffix("/officeDocument") == true }
            .flatMap { $0["Target"] }.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? "xl/workbook.xml"
        guard let workbook = try Self.small(archive, workbookPath) else {
            throw ExchangeError(zh: "xlsx 文件中缺少工作簿（workbook.xml）", en: "The xlsx file has no workbook.xml")
        }
        let folder = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relationsPath = (folder.isEmpty ? "" : folder + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "") + ".rels"
        let relations = try Self.small(archive, relationsPath).map { XMLScan.starts(of: "Relationship", in: $0) } ?? []
        func resolve(_ target: String) -> String {
            target.hasPrefix("/") ? String(target.dropFirst()) : (folder.isEmpty ? "" : folder + "/") + target
        }
        let sheets = XMLScan.starts(of: "sheet", in: workbook)
        sheetNames = sheets.compactMap { $0["name"] }
        guard let chosen = sheet.map({ name in sheets.first { $0["name"] == name } }) ?? sheets.first else {
            if let sheet {
                throw ExchangeError(zh: "工作簿中没有名为“\(sheet)”的工作表；已有：\(sheetNames.joined(separator: "、"))",
                                    en: "The workbook has no sheet named \"\(sheet)\"; it has: \(sheetNames.joined(separator: ", "))")
            }
            throw ExchangeError(zh: "工作簿中没有工作表", en: "The workbook has no sheets")
        }
        guard let target = relations.first(where: { $0["Id"] == chosen["id"] })?["Target"] else {
            throw ExchangeError(zh: "找不到工作表“\(chosen["name"] ?? "")”的数据", en: "Cannot find the data of sheet \"\(chosen["name"] ?? "")\"")
        }
        sheetName = chosen["name"] ?? ""
        sheetPath = resolve(target)
        date1904 = XMLScan.starts(of: "workbookPr", in: workbook).first?["date1904"].map { $0 == "1" || $0 == "true" } ?? false
        let stringsTarget = relations.first { $0["Type"]?.hasSuffix("/sharedStrings") == true }?["Target"].map(resolve)
        strings = try stringsTarget.map { try StringPool(archive: archive, path: $0) } ?? StringPool()
        dateStyles = try Self.small(archive, relations.first { $0["Type"]?.hasSuffix("/styles") == true }?["Target"].map(resolve) ?? "xl/styles.xml")
            .map(Self.dateStyles) ?? []
    }

    public func rows(progress: (Double) -> Void, _ body: (TableRow) throws -> Bool) throws {
        guard let entry = archive[sheetPath] else {
            throw ExchangeError(zh: "xlsx 文件中缺少工作表数据 \(sheetPath)", en: "The xlsx file lacks the sheet data \(sheetPath)")
        }
        var prefix: [UInt8]?
        var nextRow = 1
        try Self.stream(archive, entry, closing: { Array("</".utf8) + $0 + Array("row>".utf8) }, progress: progress) { segment, detected in
            prefix = prefix ?? detected
            guard let row = try parseRow(segment, prefix: prefix ?? [], next: nextRow) else { return true }
            nextRow = row.number + 1
            return try body(row)
        }
    }

    // MARK: Rows and cells

    private func parseRow(_ segment: UnsafeBufferPointer<UInt8>, prefix: [UInt8], next: Int) throws -> TableRow? {
        // The segment ends at `</row>`; its row starts at the last `<row` in it (self-closing empty rows may precede it).
        let open = Array("<".utf8) + prefix + Array("row".utf8)
        var start: Int?
        var search = 0
        while let found = Bytes.find(open, in: segment, from: search) {
            let after = segment[found + open.count]
            if after == 0x20 || after == 0x3E { start = found }
            search = found + open.count
        }
        guard let start, let tagEnd = Bytes.find([0x3E], in: segment, from: start) else { return nil }
        let attributes = XMLScan.attributes(segment, from: start + open.count, to: tagEnd)
        // Excel's rows are 1…1,048,576; any other `r` is ignored (r="9223372036854775807" would overflow the count).
        let number = attributes["r"].flatMap(Int.init).flatMap { (1...1_048_576).contains($0) ? $0 : nil } ?? next
        var cells: [[UInt8]] = []
        let cellOpen = Array("<".utf8) + prefix + [UInt8(ascii: "c")]
        let cellClose = Array("</".utf8) + prefix + Array("c>".utf8)
        var position = tagEnd + 1
        var column = 0
        while let found = Bytes.find(cellOpen, in: segment, from: position) {
            let after = segment[found + cellOpen.count]
            guard after == 0x20 || after == 0x3E || after == 0x2F else { position = found + cellOpen.count; continue }
            guard let cellTagEnd = Bytes.find([0x3E], in: segment, from: found) else { break }
            let cell = XMLScan.attributes(segment, from: found + cellOpen.count, to: cellTagEnd)
            if let reference = cell["r"] { column = Self.columnIndex(reference) ?? column }
            let selfClosing = segment[cellTagEnd - 1] == 0x2F
            let contentEnd = selfClosing ? cellTagEnd : (Bytes.find(cellClose, in: segment, from: cellTagEnd) ?? segment.count)
            position = selfClosing ? cellTagEnd + 1 : contentEnd + cellClose.count
            defer { column += 1 }
            guard !selfClosing else { continue }
            let value = cellValue(segment, from: cellTagEnd + 1, to: contentEnd, type: cell["t"], style: cell["s"].flatMap(Int.init), prefix: prefix)
            guard !value.isEmpty else { continue }
            guard column < TableLimits.columns else {
                throw ExchangeError(zh: "第 \(number) 行超过 \(TableLimits.columns) 列，这不像一份花名册", en: "Row \(number) has over \(TableLimits.columns) columns; this is not a roster")
            }
            guard value.count <= TableLimits.cellBytes else {
                throw ExchangeError(zh: "第 \(number) 行有一个超过 32 KB 的单元格", en: "Row \(number) has a cell over 32 KB")
            }
            if cells.count <= column { cells.append(contentsOf: repeatElement([], count: column + 1 - cells.count)) }
            cells[column] = value
        }
        return TableRow(number: number, cells: cells)
    }

    private func cellValue(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, type: String?, style: Int?, prefix: [UInt8]) -> [UInt8] {
        if type == "inlineStr" { return XMLScan.text(bytes, from: from, to: end) }
        let open = Array("<".utf8) + prefix + Array("v>".utf8)
        guard let start = Bytes.find(open, in: bytes, from: from, to: end),
              let close = Bytes.find([0x3C], in: bytes, from: start + open.count, to: end + 1) else { return [] }
        let raw = XMLScan.decode(bytes, from: start + open.count, to: close)
        switch type {
        case "s": return Int(String(decoding: raw, as: UTF8.self)).map(strings.string) ?? []
        case "str", "b", "e": return raw
        case "d": return Array(raw.prefix(10))
        default:
            // Only serials Excel can show as a date (up to 9999-12-31): 1e300 or nan would trap converting to Int.
            guard let style, dateStyles.contains(style), let serial = Double(String(decoding: raw, as: UTF8.self)),
                  (0..<2_958_466).contains(serial) else { return raw }
            return Array(Self.date(serial: serial, date1904: date1904).utf8)
        }
    }

    /// `AB12` → 27.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard (65...90).contains(scalar.value) else { break }
            index = index * 26 + Int(scalar.value) - 64
            letters += 1
            if letters > 4 { return nil }
        }
        return letters == 0 ? nil : index - 1
    }

    /// An Excel date serial as `YYYY-MM-DD` (days since 1899-12-30, or since 1904-01-01).
    static func date(serial: Double, date1904: Bool) -> String {
        let days = Int(serial.rounded(.down)) + (date1904 ? 1462 : 0)
        // 1899-12-30 is day -25569 counted from 1970-01-01
        return Day.text(days - 25_569)
    }

    /// The cell styles (indexes into cellXfs) whose number format shows a date.
    static func dateStyles(_ styles: [UInt8]) -> Set<Int> {
        var custom: [Int: String] = [:]
        for format in XMLScan.starts(of: "numFmt", in: styles) {
            if let id = format["numFmtId"].flatMap(Int.init), let code = format["formatCode"] { custom[id] = code }
        }
        func isDate(_ id: Int) -> Bool {
            if (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id) { return true }
            guard let code = custom[id] else { return false }
            // Leave out quoted text and [colour]/[locale] sections, then look for day or year tokens.
            var plain = "", quoted = false, bracket = false
            for character in code {
                if character == "\"" { quoted.toggle(); continue }
                if character == "[" { bracket = true; continue }
                if character == "]" { bracket = false; continue }
                if !quoted && !bracket { plain.append(character) }
            }
            return plain.lowercased().contains { $0 == "y" || $0 == "d" }
        }
        // Only the cellXfs list counts (cellStyleXfs comes first and has its own xf elements).
        guard let start = XMLScan.range(of: "cellXfs", in: styles) else { return [] }
        let xfs = XMLScan.starts(of: "xf", in: Array(styles[start]))
        return Set(xfs.enumerated().compactMap { index, xf in xf["numFmtId"].flatMap(Int.init).map(isDate) == true ? index : nil })
    }

    // MARK: Parts

    /// Reads a small part (workbook, relationships, styles) whole.
    static func small(_ archive: ZIPParts, _ path: String) throws -> [UInt8]? {
        guard let entry = archive[path] else { return nil }
        var bytes: [UInt8] = []
        try inflate(archive, entry, progress: { _ in }) { chunk in bytes.append(contentsOf: chunk); return true }
        return bytes
    }

    private struct Stop: Error {}

    /// Inflates an entry chunk by chunk, refusing to expand beyond the limits (zip bombs).
    static func inflate(_ archive: ZIPParts, _ entry: ZIPParts.Part, progress: (Double) -> Void, _ body: (Data) throws -> Bool) throws {
        // The sizes are the file's word (a ZIP64 header may claim 2^64 − 1 bytes): clamp before converting and multiplying.
        let compressed = Int64(min(entry.compressedSize, UInt64(TableLimits.expandedPartBytes)))
        let limit = min(TableLimits.expandedPartBytes, max(64 << 20, compressed * TableLimits.expansionRatio))
        let declared = max(1, Double(entry.uncompressedSize))
        let bomb = ExchangeError(zh: "xlsx 中的 \(entry.path) 解压后异常巨大（可能是压缩炸弹），已停止读取",
                                 en: "\(entry.path) in the xlsx expands abnormally (a zip bomb?); reading stopped")
        guard Int64(clamping: entry.uncompressedSize) <= limit else { throw bomb }
        var total: Int64 = 0
        do {
            try archive.read(entry) { data in
                total += Int64(data.count)
                guard total <= limit else { throw bomb }
                progress(min(1, Double(total) / declared))
                guard try body(data) else { throw Stop() }
            }
        } catch is Stop {
            return
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw ZIPParts.damaged(entry)
        }
    }

    /// Inflates an entry and calls `body` with each complete element ending in the closing tag
    /// (with the namespace prefix found on the root element), carrying partial elements across chunks.
    static func stream(
        _ archive: ZIPParts, _ entry: ZIPParts.Part, closing: ([UInt8]) -> [UInt8], progress: (Double) -> Void,
        _ body: (UnsafeBufferPointer<UInt8>, [UInt8]) throws -> Bool
    ) throws {
        var pending: [UInt8] = []
        var prefix: [UInt8]?
        var close: [UInt8] = []
        var searched = 0  // bytes of `pending` already searched for a closing tag
        try inflate(archive, entry, progress: progress) { data in
            // Only the new bytes (and a closing tag cut across chunks) need searching.
            let searchFrom = max(0, searched - close.count)
            pending.append(contentsOf: data)
            if prefix == nil {
                guard let root = XMLScan.rootPrefix(pending) else {
                    guard pending.count < 1 << 20 else {
                        throw ExchangeError(zh: "xlsx 中的 \(entry.path) 不是有效的 XML", en: "\(entry.path) in the xlsx is not valid XML")
                    }
                    return true
                }
                prefix = root
                close = closing(root)
            }
            var keepGoing = true
            let consumed: Int = try pending.withUnsafeBufferPointer { buffer in
                var start = 0
                var search = searchFrom
                while let end = Bytes.find(close, in: buffer, from: search) {
                    let segment = UnsafeBufferPointer(rebasing: buffer[start..<(end + close.count)])
                    start = end + close.count
                    search = start
                    guard try body(segment, prefix ?? []) else { keepGoing = false; break }
                }
                return start
            }
            pending.removeFirst(consumed)
            searched = pending.count
            guard pending.count < 16 << 20 else {
                throw ExchangeError(zh: "xlsx 中有一行超过 16 MB，无法读取", en: "A row in the xlsx is over 16 MB")
            }
            return keepGoing
        }
    }
}

/// Shared strings as one byte pool with offsets.
struct StringPool {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]

    init() {}

    init(archive: ZIPParts, path: String) throws {
        guard let entry = archive[path] else { return }
        var pool = StringPool()
        try XLSXReader.stream(archive, entry, closing: { Array("</".utf8) + $0 + Array("si>".utf8) }, progress: { _ in }) { segment, prefix in
            // Self-closing `<si/>` items before the last one are empty strings.
            let open = Array("<".utf8) + prefix + Array("si".utf8)
            var search = 0, last = 0
            while let found = Bytes.find(open, in: segment, from: search) {
                let after = segment[found + open.count]
                if after == 0x2F { pool.offsets.append(pool.bytes.count) }
                if after == 0x3E || after == 0x20 { last = found }
                search = found + open.count
            }
            pool.bytes.append(contentsOf: XMLScan.text(segment, from: last, to: segment.count))
            pool.offsets.append(pool.bytes.count)
            return true
        }
        self = pool
    }

    func string(_ index: Int) -> [UInt8] {
        guard index >= 0, index + 1 < offsets.count else { return [] }
        return Array(bytes[offsets[index]..<offsets[index + 1]])
    }
}

/// Just enough XML for xlsx parts: start tags with their attributes, text of `<t>` elements, entities.
enum XMLScan {
    /// The attributes of every start tag whose local name is `name`, keyed by local attribute name.
    static func starts(of name: String, in bytes: [UInt8]) -> [[String: String]] {
        bytes.withUnsafeBufferPointer { buffer in
            var result: [[String: String]] = []
            var index = 0
            while let open = Bytes.find([0x3C], in: buffer, from: index) {
                var nameEnd = open + 1
                while nameEnd < buffer.count, ![0x20, 0x3E, 0x2F, 0x0A, 0x0D, 0x09].contains(buffer[nameEnd]) { nameEnd += 1 }
                let tag = String(decoding: UnsafeBufferPointer(rebasing: buffer[(open + 1)..<nameEnd]), as: UTF8.self)
                index = nameEnd
                guard tag.split(separator: ":").last.map(String.init) == name else { continue }
                // No `>` left: no later tag can close either (continuing would rescan to the end for every `<name`).
                guard let close = Bytes.find([0x3E], in: buffer, from: nameEnd) else { break }
                result.append(attributes(buffer, from: nameEnd, to: close))
                index = close
            }
            return result
        }
    }

    /// The byte range of the element `name` (its content), if present.
    static func range(of name: String, in bytes: [UInt8]) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { buffer in
            for prefix in ["", "x:"] {
                if let start = Bytes.find(Array("<\(prefix)\(name)".utf8), in: buffer, from: 0),
                   let end = Bytes.find(Array("</\(prefix)\(name)>".utf8), in: buffer, from: start) {
                    return start..<end
                }
            }
            return nil
        }
    }

    /// Attributes between a tag name and its `>`.
    static func attributes(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> [String: String] {
        var result: [String: String] = [:]
        var index = from
        while index < end {
            while index < end, [0x20, 0x0A, 0x0D, 0x09, 0x2F].contains(buffer[index]) { index += 1 }
            let nameStart = index
            while index < end, buffer[index] != 0x3D, buffer[index] != 0x20 { index += 1 }
            guard index < end, buffer[index] == 0x3D, index + 1 < end else { break }
            let quote = buffer[index + 1]
            guard quote == 0x22 || quote == 0x27 else { break }
            var valueEnd = index + 2
            while valueEnd < end, buffer[valueEnd] != quote { valueEnd += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[nameStart..<index]), as: UTF8.self)
            result[name.split(separator: ":").last.map(String.init) ?? name] = String(decoding: decode(buffer, from: index + 2, to: valueEnd), as: UTF8.self)
            index = valueEnd + 1
        }
        return result
    }

    /// The text of the `<t>` elements between `from` and `end`, leaving out phonetic runs (`<rPh>`).
    static func text(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> [UInt8] {
        var result: [UInt8] = []
        var index = from
        while let open = Bytes.find([0x3C], in: buffer, from: index, to: end) {
            var nameEnd = open + 1
            while nameEnd < end, ![0x20, 0x3E, 0x2F].contains(buffer[nameEnd]) { nameEnd += 1 }
            let name = UnsafeBufferPointer(rebasing: buffer[(open + 1)..<nameEnd])
            let local = name.lastIndex(of: 0x3A).map { Array(name[($0 + 1)...]) } ?? Array(name)
            guard let tagEnd = Bytes.find([0x3E], in: buffer, from: nameEnd, to: end) else { break }
            index = tagEnd + 1
            if local == Array("rPh".utf8), buffer[tagEnd - 1] != 0x2F {
                let closing = Array("</".utf8) + Array(name) + [0x3E]
                index = (Bytes.find(closing, in: buffer, from: index, to: end) ?? end) + closing.count
            } else if local == [0x74], buffer[tagEnd - 1] != 0x2F {
                let textEnd = Bytes.find([0x3C], in: buffer, from: index, to: end) ?? end
                result.append(contentsOf: decode(buffer, from: index, to: textEnd))
                index = textEnd
            }
        }
        return result
    }

    /// Bytes with the XML entities (`&amp;` … `&#x4E2D;`) replaced.
    static func decode(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(end - from)
        var index = from
        while index < end {
            let byte = buffer[index]
            guard byte == 0x26, let semicolon = Bytes.find([0x3B], in: buffer, from: index, to: min(end, index + 12)) else {
                result.append(byte)
                index += 1
                continue
            }
            let entity = String(decoding: UnsafeBufferPointer(rebasing: buffer[(index + 1)..<semicolon]), as: UTF8.self)
            let scalar: Unicode.Scalar? = switch entity {
            case "amp": "&"
            case "lt": "<"
            case "gt": ">"
            case "quot": "\""
            case "apos": "'"
            default:
                entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init) : nil
            }
            if let scalar {
                result.append(contentsOf: Array(String(Character(scalar)).utf8))
                index = semicolon + 1
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// The namespace prefix of the root element (`x:` for `<x:worksheet>`), once the root tag has arrived.
    static func rootPrefix(_ bytes: [UInt8]) -> [UInt8]? {
        var index = 0
        while index < bytes.count {
            guard let open = bytes[index...].firstIndex(of: 0x3C), open + 1 < bytes.count else { return nil }
            let next = bytes[open + 1]
            if next == 0x3F || next == 0x21 { index = open + 1; continue }  // <?xml …?> and comments
            guard let nameEnd = bytes[open...].firstIndex(where: { $0 == 0x20 || $0 == 0x3E }) else { return nil }
            let name = bytes[(open + 1)..<nameEnd]
            guard let colon = name.firstIndex(of: 0x3A) else { return [] }
            return Array(bytes[(open + 1)...colon])
        }
        return nil
    }
}
