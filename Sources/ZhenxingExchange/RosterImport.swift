import Foundation
import SQLKit
import ZhenxingDomain
import ZhenxingStore

/// Imports a village's household roster from xlsx or CSV in two passes over the file:
/// the first checks every row (domain rules, duplicates in the file, IDs registered elsewhere)
/// keeping only ID keys in memory; the second writes, in one transaction, either everything (when
/// the file is clean) or the households without problems. Households are matched by their number
/// and people by their ID number, so importing the same file again changes nothing.
public enum RosterImport {
    /// What to do when some rows have problems.
    public enum Mode: String, Sendable, CaseIterable {
        /// Import nothing until the file is clean.
        case allOrNothing = "all"
        /// Import the households without problems; the others come back as a file to fix.
        case validOnly = "valid"
    }

    /// How to read and write a file.
    public struct Options: Sendable {
        /// The village the roster belongs to, or a township or county whose villages the 村代码 column names.
        public var division: DivisionCode
        /// All or the valid set.
        public var mode: Mode
        /// The date memberships of newly registered people start, `YYYY-MM-DD`.
        public var asOf: String
        /// The xlsx sheet (default: the first).
        public var sheet: String?
        /// The CSV encoding (default: detected).
        public var encoding: TextEncoding?
        /// Headers the user mapped to a field (or to nil: ignore).
        public var mapping: [String: RosterField?]
        /// Check only.
        public var dryRun: Bool

        /// Creates options.
        public init(division: DivisionCode, mode: Mode = .allOrNothing, asOf: String, sheet: String? = nil, encoding: TextEncoding? = nil,
                    mapping: [String: RosterField?] = [:], dryRun: Bool = false) {
            self.division = division
            self.mode = mode
            self.asOf = asOf
            self.sheet = sheet
            self.encoding = encoding
            self.mapping = mapping
            self.dryRun = dryRun
        }
    }

    /// Where an import is.
    public enum Phase: String, Sendable, Codable {
        /// Reading and checking rows.
        case checking
        /// Writing households.
        case writing
        /// Finished.
        case done
    }

    /// Progress, reported every thousand rows or so.
    public struct Progress: Sendable, Hashable, Codable {
        /// The phase.
        public var phase: Phase
        /// Data rows read.
        public var rowsRead: Int
        /// Rows checked (including against the database).
        public var rowsChecked: Int
        /// Rows written.
        public var rowsWritten: Int
        /// Fraction of the file read in the current pass, 0…1.
        public var fraction: Double

        /// Nothing done yet.
        public static let start = Progress(phase: .checking, rowsRead: 0, rowsChecked: 0, rowsWritten: 0, fraction: 0)

        /// Creates progress.
        public init(phase: Phase, rowsRead: Int, rowsChecked: Int, rowsWritten: Int, fraction: Double) {
            self.phase = phase
            self.rowsRead = rowsRead
            self.rowsChecked = rowsChecked
            self.rowsWritten = rowsWritten
            self.fraction = fraction
        }
    }

    /// Records added, updated and left unchanged.
    public struct Counts: Sendable, Hashable, Codable {
        /// New records.
        public var added = 0
        /// Records changed.
        public var updated = 0
        /// Records the file already matched.
        public var unchanged = 0
    }

    /// What an import found and did.
    public struct Report: Sendable {
        /// The sheet read.
        public var sheet: String
        /// The columns.
        public var layout: RosterLayout
        /// Data rows read (blank rows left out).
        public var rows = 0
        /// Households in the file.
        public var households = 0
        /// The first 10,000 problems.
        public var problems: [ImportProblem] = []
        /// Every problem, counted.
        public var problemCount = 0
        /// Households (village/number) left out because of their problems.
        var rejected: Set<String> = []
        /// Households left out because of their problems.
        public var rejectedHouseholds: Int { rejected.count }
        /// Households added, updated, unchanged.
        public var householdCounts = Counts()
        /// People added, updated, unchanged.
        public var peopleCounts = Counts()
        /// Whether anything was written.
        public var written = false
    }

    /// Reads the first rows of a file and finds its header: the layout, the sheet read and the workbook's sheets.
    public static func layout(of file: URL, sheet: String?, encoding: TextEncoding?, mapping: [String: RosterField?]) throws
        -> (layout: RosterLayout, sheet: String, sheets: [String]) {
        let source = try TableFile.open(file, sheet: sheet, encoding: encoding)
        var head: [TableRow] = []
        try source.rows(progress: { _ in }) { row in
            head.append(row)
            return head.count < 20
        }
        guard head.contains(where: { !$0.isBlank }) else {
            throw ExchangeError(zh: "文件中没有任何数据", en: "The file has no data")
        }
        guard let layout = RosterLayout.detect(head, mapping: mapping) else {
            throw ExchangeError(zh: "前 20 行中找不到表头：花名册需要“户编号、姓名、身份证号、与户主关系”等列名（可下载导入模板对照）",
                                en: "No header in the first 20 rows: a roster needs columns such as 户编号, 姓名, 身份证号, 与户主关系 (see the import template)")
        }
        return (layout, source.sheetName, (source as? XLSXReader)?.sheetNames ?? [])
    }

    /// Checks and (unless a dry run, or the file has problems in all-or-nothing mode) writes a roster.
    /// `rejectedRows`, when given, receives the rows of households left out, with their problems, as xlsx.
    public static func run(
        file: URL, fileName: String, options: Options, database: Database, actor: AuditActor, rejectedRows: URL? = nil,
        progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Report {
        guard try await DivisionRepository(database: database).find(options.division) != nil else {
            throw ExchangeError(zh: "区划 \(options.division) 不存在", en: "Division \(options.division) does not exist")
        }
        let villages = try await database.read { sql in try await RosterStore.villages(under: options.division, in: sql) }
        let (layout, sheetName, _) = try layout(of: file, sheet: options.sheet, encoding: options.encoding, mapping: options.mapping)
        let sheet = sheetName.isEmpty ? fileName : sheetName  // what problems name: the sheet, or the CSV file
        guard layout.missing.isEmpty else {
            throw ExchangeError(
                zh: "缺少必需的列：\(layout.missing.map(\.title.zh).joined(separator: "、"))；文件第 \(layout.headerRow) 行的列名为：\(layout.headers.filter { !$0.isEmpty }.joined(separator: "、"))",
                en: "Required columns missing: \(layout.missing.map(\.title.en).joined(separator: ", ")); the header in row \(layout.headerRow) has: \(layout.headers.filter { !$0.isEmpty }.joined(separator: ", "))")
        }
        guard options.division.level == .village || layout.column(of: .village) != nil else {
            throw ExchangeError(zh: "导入到乡镇或县时，文件需要“村代码”列，指明每户属于哪个村", en: "Importing into a township or county needs a column with each household's village code")
        }
        let reader = RosterRowReader(layout: layout, sheet: sheet, defaultVillage: options.division.level == .village ? options.division.rawValue : "")
        // SQLite has one writer: while this import holds it, other writes answer at once that it runs (ImportLock).
        let lock = try database.lockForImport(what: "\(fileName) → \(options.division)")
        return try await ImportLock.run(lock) {
            let pass = Pass(file: file, fileName: fileName, options: options, reader: reader, villages: villages, database: database, actor: actor,
                            progress: progress)
            // All or nothing (and a dry run): one pass that checks and writes in one transaction, rolled back
            // at the end if any row has a problem. The valid set: that pass first, then a second that writes
            // the households without problems and returns the others as a file.
            var report = try await pass.run(commit: !options.dryRun && options.mode == .allOrNothing, skipping: [], problemsByRow: [:], rejectedRows: nil)
            if options.mode == .validOnly && !options.dryRun {
                let rejected = report.rejected
                let problemsByRow = Dictionary(grouping: report.problems, by: \.row)
                let second = try await pass.run(commit: true, skipping: rejected, problemsByRow: problemsByRow, rejectedRows: rejectedRows)
                report.householdCounts = second.householdCounts
                report.peopleCounts = second.peopleCounts
                report.written = second.written
                if second.problemCount > 0 {  // registered elsewhere between the passes
                    report.problems += second.problems
                    report.problemCount += second.problemCount
                    report.rejected.formUnion(second.rejected)
                }
            }
            if report.written && report.rows >= 10_000 {
                try await database.analyze()  // the planner's picture of the tables, before the first query over the new rows
            }
            progress(Progress(phase: .done, rowsRead: report.rows, rowsChecked: report.rows, rowsWritten: report.written ? report.rows : 0, fraction: 1))
            return report
        }
    }

    /// Runs blocking file work on a thread of its own, off the cooperative pool.
    public static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// Two batches in flight at most between the reading thread and the writer; cancellable; and how
/// far reading has got, for progress.
final class Gate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 2)
    private let lock = NSLock()
    private var isCancelled = false
    private var read: (rows: Int, fraction: Double) = (0, 0)

    /// Rows read and the fraction of the file.
    var reading: (rows: Int, fraction: Double) {
        get { lock.withLock { read } }
        set { lock.withLock { read = newValue } }
    }

    var cancelled: Bool { lock.withLock { isCancelled } }

    /// Waits for room; false once cancelled.
    func wait() -> Bool {
        semaphore.wait()
        return !cancelled
    }

    func signal() { semaphore.signal() }

    func cancel() {
        lock.withLock { isCancelled = true }
        semaphore.signal()
        semaphore.signal()
    }
}

/// The rows of one household, in file order.
struct RosterGroup: Sendable {
    let village: String
    let number: String
    var lines: [RosterLine]

    /// Village and number: what identifies a household.
    var key: String { village + "/" + number }
}

/// Collects consecutive rows with the same household number.
struct RosterGrouper {
    private var current: RosterGroup?

    mutating func add(_ line: RosterLine) -> RosterGroup? {
        if var group = current, group.number == line.householdNumber, group.village == line.village {
            group.lines.append(line)
            current = group
            return nil
        }
        let finished = current
        current = RosterGroup(village: line.village, number: line.householdNumber, lines: [line])
        return finished
    }

    mutating func finish() -> RosterGroup? {
        defer { current = nil }
        return current
    }
}

/// What reading has found so far: problems, ID keys, households seen.
struct Checker: Sendable {
    let reader: RosterRowReader
    let villages: Set<String>
    var rows = 0
    var problems: [ImportProblem] = []
    var problemCount = 0
    var badHouseholds: Set<String> = []
    /// ID key → (row, household key).
    var ids: [UInt64: (row: Int, household: String)] = [:]
    /// Household key → its first row.
    var householdRows: [String: Int] = [:]
    private var grouper = RosterGrouper()

    init(reader: RosterRowReader, villages: Set<String>) {
        self.reader = reader
        self.villages = villages
    }

    /// Adds a row; returns the household it completed, checked.
    mutating func add(_ line: RosterLine) -> RosterGroup? {
        rows += 1
        guard let group = grouper.add(line) else { return nil }
        return check(group)
    }

    /// The last household, checked.
    mutating func finish() -> RosterGroup? {
        guard let group = grouper.finish() else { return nil }
        return check(group)
    }

    mutating func note(_ problem: ImportProblem, household: String) {
        problemCount += 1
        if problems.count < 10_000 { problems.append(problem) }
        badHouseholds.insert(household)
    }

    private mutating func check(_ group: RosterGroup) -> RosterGroup {
        let number = group.number, key = group.key
        for line in group.lines {
            for problem in line.problems { note(problem, household: key) }
            if let person = line.person {
                let idKey = RosterImport.key(person.residentID)
                if let earlier = ids[idKey] {
                    note(problem(line, .residentID, RosterRowReader.mask(person.residentID.value), LocalizedText(
                        zh: "身份证号与第 \(earlier.row) 行重复", en: "The ID number repeats row \(earlier.row)")), household: key)
                    badHouseholds.insert(earlier.household)
                } else {
                    ids[idKey] = (line.row, key)
                }
            }
        }
        guard !number.isEmpty else { return group }
        if let first = householdRows[key] {
            note(problem(group.lines[0], .householdNumber, number, LocalizedText(
                zh: "户编号 \(number) 的成员行应排在一起（第 \(first) 行已出现）", en: "The rows of household \(number) must be together (first seen in row \(first))")),
                 household: key)
            return group
        }
        householdRows[key] = group.lines[0].row
        for problem in RosterImport.householdProblems(group, reader: reader, villages: villages).problems { note(problem, household: key) }
        return group
    }

    private func problem(_ line: RosterLine, _ field: RosterField, _ value: String, _ reason: LocalizedText) -> ImportProblem {
        ImportProblem(sheet: reader.sheet, row: line.row, column: reader.column(field), value: value, reason: reason)
    }
}

/// One pass over the file: rows are read and checked on a thread of their own and handed, 500
/// households at a time, to the writer in one transaction (both cores busy). The transaction
/// commits only when asked to and, in all-or-nothing mode, when no row had a problem.
struct Pass: Sendable {
    let file: URL
    let fileName: String
    let options: RosterImport.Options
    let reader: RosterRowReader
    let villages: Set<String>
    let database: Database
    let actor: AuditActor
    let progress: @Sendable (RosterImport.Progress) -> Void

    private struct RolledBack: Error {}

    /// Reads, checks and writes; households in `skipping` go to `rejectedRows` with their problems instead.
    func run(commit: Bool, skipping: Set<String>, problemsByRow: [Int: [ImportProblem]], rejectedRows: URL?) async throws -> RosterImport.Report {
        let layout = reader.layout
        let (batches, continuation) = AsyncThrowingStream<[RosterGroup], any Error>.makeStream()
        let (finished, done) = AsyncThrowingStream<Checker, any Error>.makeStream()
        let gate = Gate()
        continuation.onTermination = { _ in gate.cancel() }
        let (file, options, reader, villages, progress) = (file, options, reader, villages, progress)
        DispatchQueue.global().async {
            do {
                let rejectedWriter = try rejectedRows.map {
                    try XLSXWriter(url: $0, sheet: reader.sheet == fileName ? "待修改" : reader.sheet)
                }
                try rejectedWriter?.append(layout.headers + ["问题"])
                var checker = Checker(reader: reader, villages: villages)
                var batch: [RosterGroup] = []
                var fraction = 0.0
                func take(_ group: RosterGroup) throws {
                    if skipping.contains(group.key) {
                        for line in group.lines {
                            let reasons = problemsByRow[line.row]?.map { "\($0.column)：\($0.reason.zh)" }.joined(separator: "；")
                            try rejectedWriter?.append(line.cells + [reasons ?? "同户其他成员有问题"])
                        }
                        return
                    }
                    // A household with a problem is not written; in all-or-nothing mode nothing will be.
                    guard !checker.badHouseholds.contains(group.key) else { return }
                    batch.append(group)
                    if batch.count == 500 {
                        guard gate.wait() else { throw CancellationError() }
                        continuation.yield(batch)
                        batch = []
                    }
                }
                let source = try TableFile.open(file, sheet: options.sheet, encoding: options.encoding)
                try source.rows(progress: { fraction = $0 }) { row in
                    guard row.number > layout.headerRow, !row.isBlank else { return true }
                    var line = reader.read(row)
                    if !skipping.isEmpty, skipping.contains(line.key) { line.cells = (0..<layout.headers.count).map(row.text) }
                    if let group = checker.add(line) { try take(group) }
                    if checker.rows % 1_000 == 0 {
                        gate.reading = (checker.rows, fraction)
                        if checker.rows % 5_000 == 0, checker.rows <= 5_000 || !commit {
                            progress(RosterImport.Progress(phase: .checking, rowsRead: checker.rows, rowsChecked: checker.rows, rowsWritten: 0, fraction: fraction))
                        }
                    }
                    return !gate.cancelled
                }
                if let group = checker.finish() { try take(group) }
                if !batch.isEmpty, gate.wait() { continuation.yield(batch) }
                try rejectedWriter?.finish()
                done.yield(checker)
                done.finish()
                continuation.finish()
            } catch {
                done.finish(throwing: error)
                continuation.finish(throwing: error)
            }
        }
        var households = RosterImport.Counts(), people = RosterImport.Counts(), written = 0
        var registered: [ImportProblem] = [], registeredBad: Set<String> = []
        let writer = Writer(asOf: options.asOf, mapped: Set(layout.fields.compactMap { $0 }), reader: reader)
        var checked: Checker?
        do {
            try await database.transaction { sql in
                for try await batch in batches {
                    let found = try await writer.write(batch, households: &households, people: &people, in: sql)
                    registered += found.problems
                    registeredBad.formUnion(found.households)
                    written += batch.reduce(0) { $0 + $1.lines.count }
                    gate.signal()
                    if commit {
                        let reading = gate.reading
                        progress(RosterImport.Progress(phase: .writing, rowsRead: reading.rows, rowsChecked: reading.rows, rowsWritten: written,
                                                       fraction: reading.fraction))
                    }
                }
                for try await result in finished { checked = result }
                guard let checked, checked.rows > 0 else {
                    throw ExchangeError(zh: "文件只有表头（第 \(layout.headerRow) 行），没有数据行", en: "The file has a header (row \(layout.headerRow)) but no data rows")
                }
                let clean = checked.problemCount + registered.count == 0
                guard commit, clean || options.mode == .validOnly else { throw RolledBack() }
                try await AuditLog.record(.importFile, entity: .roster, key: fileName, division: options.division, after: [
                    "households_added": households.added, "households_updated": households.updated, "households_unchanged": households.unchanged,
                    "people_added": people.added, "people_updated": people.updated, "people_unchanged": people.unchanged,
                    "rejected_households": checked.badHouseholds.count + skipping.count,
                ], by: actor, in: sql)
            }
        } catch is RolledBack {}
        guard let checked else { throw CancellationError() }
        var report = RosterImport.Report(sheet: reader.sheet, layout: layout, rows: checked.rows, households: checked.householdRows.count)
        report.problems = (checked.problems + registered).sorted { ($0.row, $0.column) < ($1.row, $1.column) }
        report.problemCount = checked.problemCount + registered.count
        report.rejected = checked.badHouseholds.union(registeredBad).union(skipping)
        report.householdCounts = households
        report.peopleCounts = people
        report.written = commit && (report.problemCount == 0 || options.mode == .validOnly)
        return report
    }
}

extension RosterImport {
    /// The 17 leading digits of an ID number (the 18th follows from them).
    static func key(_ id: ResidentID) -> UInt64 {
        id.value.utf8.prefix(17).reduce(0) { $0 * 10 + UInt64($1 - 48) }
    }


    /// A household's own draft and the problems of the group as a whole: one head, a consistent
    /// size and head name, the same household fields on every row that gives them.
    static func householdProblems(_ group: RosterGroup, reader: RosterRowReader, villages: Set<String>) -> (draft: HouseholdDraft?, problems: [ImportProblem]) {
        var problems: [ImportProblem] = []
        let layout = reader.layout
        func problem(_ line: RosterLine, _ field: RosterField, _ value: String, _ reason: LocalizedText) {
            problems.append(ImportProblem(sheet: reader.sheet, row: line.row, column: layout.column(of: field).map { layout.headers[$0] } ?? field.title.zh,
                                          value: value, reason: reason))
        }
        guard villages.contains(group.village), let village = try? DivisionCode(validating: group.village) else {
            problem(group.lines[0], .village, group.village, group.village.isEmpty
                ? LocalizedText(zh: "请填写村代码", en: "Give the village code")
                : LocalizedText(zh: "村代码 \(group.village) 不是本次导入范围内已登记的村", en: "\(group.village) is not a registered village within the division imported"))
            return (nil, problems)
        }
        let heads = group.lines.filter { $0.relation == .head }
        guard let head = heads.first else {
            problem(group.lines[0], .relation, group.lines[0].facts[.name] ?? "", LocalizedText(
                zh: "户编号 \(group.number) 没有“户主”行", en: "Household \(group.number) has no row for its head"))
            return (nil, problems)
        }
        for extra in heads.dropFirst() {
            problem(extra, .relation, "户主", LocalizedText(zh: "一户只能有一位户主（第 \(head.row) 行已是户主）", en: "A household has one head (row \(head.row) is the head)"))
        }
        for line in group.lines {
            if let size = line.household[.size], Int(size) != group.lines.count {
                problem(line, .size, size, LocalizedText(zh: "家庭人数为 \(size)，但本户有 \(group.lines.count) 行成员", en: "The size says \(size), but the household has \(group.lines.count) rows"))
            }
            if let headName = line.household[.headName], headName != head.facts[.name] {
                problem(line, .headName, headName, LocalizedText(zh: "户主姓名与户主行的姓名“\(head.facts[.name] ?? "")”不一致",
                                                              en: "The head's name differs from the name on the head's row, \"\(head.facts[.name] ?? "")\""))
            }
            guard line.row != head.row else { continue }
            for field in [RosterField.group, .naturalVillage, .address, .attribute, .mainCause, .otherCauses] {
                if let value = line.household[field], let headValue = head.household[field], value != headValue {
                    problem(line, field, value, LocalizedText(zh: "与户主行（第 \(head.row) 行）的“\(headValue)”不一致", en: "Differs from the head's row (row \(head.row)): \"\(headValue)\""))
                }
            }
        }
        let draft = reader.householdDraft(head, village: village, problems: &problems)
        return (draft, problems)
    }
}

/// Writes checked households: new ones in bulk, changed ones row by row, unchanged ones not at all.
struct Writer {
    let asOf: String
    let mapped: Set<RosterField>
    let reader: RosterRowReader

    /// Writes the households of `batch`, except those with a member registered in another household
    /// (or in none), which come back as problems.
    func write(_ batch: [RosterGroup], households: inout RosterImport.Counts, people: inout RosterImport.Counts, in sql: any SQLDatabase) async throws
        -> (problems: [ImportProblem], households: Set<String>) {
        let storedPeople = try await RosterStore.people(batch.flatMap { $0.lines.compactMap { $0.person?.residentID.value } }, in: sql)
        // Someone already registered must be a member of this very household.
        var problems: [ImportProblem] = []
        var refused: Set<String> = []
        for group in batch {
            for line in group.lines {
                guard let person = line.person, let stored = storedPeople[person.residentID.value] else { continue }
                let reason: LocalizedText? = switch (stored.villageCode, stored.number) {
                case (nil, _), (_, nil):
                    LocalizedText(zh: "此人已登记，但目前不属于任何户：请在人员档案中办理", en: "This person is registered but in no household: handle it in their file")
                case (group.village, group.number): nil
                case (group.village, let number?):
                    LocalizedText(zh: "此人已是本村第 \(number) 户的成员：户内变动请先在农户档案中办理迁出",
                                  en: "This person is already in household \(number) of this village: record the move in the household file first")
                default: LocalizedText(zh: "此人已登记在其他村的户中", en: "This person is registered in a household of another village")
                }
                guard let reason else { continue }
                problems.append(ImportProblem(sheet: reader.sheet, row: line.row, column: reader.column(.residentID), value: person.residentID.masked, reason: reason))
                refused.insert(group.key)
            }
        }
        let groups = batch.filter { !refused.contains($0.key) }

        // Households: new ones in bulk, changed ones updated; the file's columns over what is stored.
        let stored = try await RosterStore.households(groups.map { ($0.village, $0.number) }, in: sql)
        var drafts: [HouseholdDraft] = []
        var touched: Set<String> = []
        for group in groups {
            var ignored: [ImportProblem] = []
            guard let head = group.lines.first(where: { $0.relation == .head }), let village = try? DivisionCode(validating: group.village) else { continue }
            var draft = reader.householdDraft(head, village: village, problems: &ignored)
            if let existing = stored[group.key], let before = existing.draft {
                if !mapped.contains(.group) { draft.groupNumber = before.groupNumber }
                if !mapped.contains(.naturalVillage) { draft.naturalVillage = before.naturalVillage }
                if !mapped.contains(.address) { draft.address = before.address }
                if !mapped.contains(.attribute) { draft.attribute = before.attribute }
                if !mapped.contains(.mainCause) { draft.mainCause = before.mainCause }
                if !mapped.contains(.otherCauses) { draft.otherCauses = before.otherCauses }
                if draft != before {
                    touched.insert(group.key)
                    try await RosterStore.updateHousehold(existing.id, draft, in: sql)
                }
            } else {
                drafts.append(draft)
            }
        }
        let householdIDs = stored.mapValues(\.id).merging(try await RosterStore.insertHouseholds(drafts, in: sql)) { first, _ in first }

        // People: new ones in bulk, changed facts updated; memberships added or their relation corrected.
        var newPeople: [PersonDraft] = []
        var newMembers: [(id: String, household: Int, relation: Relation)] = []
        for group in groups {
            guard let householdID = householdIDs[group.key] else { continue }
            for line in group.lines {
                guard let draft = line.person, let relation = line.relation else { continue }
                guard let existing = storedPeople[draft.residentID.value] else {
                    people.added += 1
                    newPeople.append(draft)
                    newMembers.append((draft.residentID.value, householdID, relation))
                    if stored[group.key] != nil { touched.insert(group.key) }
                    continue
                }
                let facts = merge(existing.facts, draft.facts)
                if facts != existing.facts {
                    people.updated += 1
                    touched.insert(group.key)
                    let workChanged = facts.work(since: asOf) != existing.facts.work(since: asOf)
                    try await RosterStore.updatePerson(existing.id, facts, workSince: workChanged ? asOf : nil, in: sql)
                } else {
                    people.unchanged += 1
                }
                if existing.relation != relation.rawValue {
                    touched.insert(group.key)
                    try await RosterStore.setRelation(person: existing.id, relation, in: sql)
                }
            }
        }
        let personIDs = try await RosterStore.insertPeople(newPeople, since: asOf, in: sql)
        try await RosterStore.addMembers(newMembers.compactMap { member in personIDs[member.id].map { ($0, member.household, member.relation) } },
                                         from: asOf, reason: "导入", in: sql)
        for group in groups where householdIDs[group.key] != nil {
            if stored[group.key] == nil {
                households.added += 1
            } else if touched.contains(group.key) {
                households.updated += 1
            } else {
                households.unchanged += 1
            }
        }
        return (problems, refused)
    }

    /// The stored facts with the columns the file has taken from the file.
    private func merge(_ stored: PersonFacts, _ file: PersonFacts) -> PersonFacts {
        var facts = stored
        facts.name = file.name.trimmingCharacters(in: .whitespaces)
        let texts: [(RosterField, WritableKeyPath<PersonFacts, String>)] = [
            (.ethnicity, \.ethnicity), (.education, \.education), (.inSchool, \.inSchool), (.health, \.health), (.labour, \.labour),
            (.employment, \.employment), (.phone, \.phone),
        ]
        for (field, path) in texts where mapped.contains(field) { facts[keyPath: path] = file[keyPath: path] }
        let flags: [(RosterField, WritableKeyPath<PersonFacts, Bool>)] = [
            (.medicalInsurance, \.medicalInsurance), (.pensionInsurance, \.pensionInsurance), (.partyMember, \.partyMember),
        ]
        for (field, path) in flags where mapped.contains(field) { facts[keyPath: path] = file[keyPath: path] }
        if mapped.contains(.monthsWorked) { facts.monthsWorked = file.monthsWorked }
        return facts
    }
}
