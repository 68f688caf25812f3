import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// Imports running or finished on this server, kept for a day: their files live in a private folder. A service of the
/// application: the imports it runs are its tasks, cancelled (their transactions roll back) and awaited when the server
/// stops.
final class ImportJobs: Service {
    enum State: Sendable {
        /// Waiting for the user to map or ignore headers.
        case mapping
        case running(RosterImport.Progress)
        case done(RosterImport.Report)
        case failed(LocalizedText)

        /// Whether the import has ended, one way or the other.
        var hasEnded: Bool {
            switch self {
            case .done, .failed: true
            case .mapping, .running: false
            }
        }
    }

    struct Job: Sendable {
        let id: String
        let division: DivisionCode
        let username: String
        let fileName: String
        let file: URL
        let started: Date
        var options: RosterImport.Options
        var layout: RosterLayout
        var sheet: String
        var sheets: [String]
        var state: State

        var problemsFile: URL { file.deletingPathExtension().appendingPathExtension("problems.xlsx") }
        var rejectedFile: URL { file.deletingPathExtension().appendingPathExtension("rejected.xlsx") }
    }

    private struct Shared {
        var jobs: [String: Job] = [:]
        /// The imports running, by job.
        var tasks: [String: Task<Void, Never>] = [:]
        /// Who waits for a job to end, by job and waiter.
        var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
        var stopped = false
    }

    let folder: URL
    private let shared = Mutex(Shared())

    init(folder: URL) {
        self.folder = folder
        // Files of an earlier run hold roster data nobody can reach any more.
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Waits for the server to stop, then cancels the imports still running and waits for them.
    func run() async throws {
        try? await gracefulShutdown()
        let running = shared.withLock { shared in
            shared.stopped = true
            return Array(shared.tasks.values)
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// Runs `work` for the job as a task of this service; refused (the job fails) once the server is stopping.
    func launch(_ id: String, _ work: @escaping @Sendable () async -> Void) {
        let started = shared.withLock { shared in
            guard !shared.stopped else { return false }
            shared.tasks[id] = Task {
                await work()
                self.shared.withLock { _ = $0.tasks.removeValue(forKey: id) }
            }
            return true
        }
        if !started {
            update(id) { $0.state = .failed(LocalizedText(zh: "服务器正在关闭，导入未开始", en: "The server is stopping; the import did not start")) }
        }
    }

    func add(_ job: Job) {
        shared.withLock { $0.jobs[job.id] = job }
        expire()
    }

    func job(_ id: String, in division: DivisionCode) -> Job? {
        shared.withLock { $0.jobs[id].flatMap { $0.division == division ? $0 : nil } }
    }

    func update(_ id: String, _ change: (inout Job) -> Void) {
        let waiting = shared.withLock { shared -> [CheckedContinuation<Void, Never>] in
            guard var job = shared.jobs[id] else { return [] }
            change(&job)
            shared.jobs[id] = job
            return job.state.hasEnded ? Array((shared.waiters.removeValue(forKey: id) ?? [:]).values) : []
        }
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once the job has ended, or after `timeout`, whichever comes first.
    func ended(_ id: String, within timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForEnd(id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Waits until the job has ended or the waiting task is cancelled. Registering and cancelling both hold the lock,
    /// so a cancellation that comes first is seen when registering.
    private func waitForEnd(_ id: String) async {
        let key = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = shared.withLock { shared in
                    guard let job = shared.jobs[id], !job.state.hasEnded, !Task.isCancelled else { return true }
                    shared.waiters[id, default: [:]][key] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            shared.withLock { $0.waiters[id]?.removeValue(forKey: key) }?.resume()
        }
    }

    func list(_ division: DivisionCode) -> [Job] {
        shared.withLock { $0.jobs.values.filter { $0.division == division }.sorted { $0.started > $1.started } }
    }

    /// Drops jobs older than a day, with their files.
    private func expire() {
        let old = shared.withLock { shared in
            let cutoff = Date().addingTimeInterval(-86_400)
            let expired = shared.jobs.values.filter { $0.started < cutoff }
            for job in expired { shared.jobs[job.id] = nil }
            return expired
        }
        for job in old {
            for file in [job.file, job.problemsFile, job.rejectedFile] { try? FileManager.default.removeItem(at: file) }
        }
    }
}

/// The roster import (upload, header mapping, progress, report) and the roster export.
struct ImportPages: Sendable {
    let database: Database
    let divisions: DivisionRepository
    let jobs: ImportJobs
    let renderer: PageRenderer
    let settings: AppSettings

    /// The largest upload accepted.
    static let uploadLimit = 512 << 20

    func register(on routes: GuardedRouter) {
        routes.add(.get, "/divisions/:code/import", .pathDivision(.writeVillage), use: form)
        routes.add(.post, "/divisions/:code/import", .pathDivision(.writeVillage), use: upload)
        routes.add(.get, "/divisions/:code/import/template.xlsx", .pathDivision(.readRecords), use: template)
        routes.add(.get, "/divisions/:code/import/:job", .pathDivision(.writeVillage), use: show)
        routes.add(.post, "/divisions/:code/import/:job/mapping", .pathDivision(.writeVillage), use: map)
        routes.add(.get, "/divisions/:code/import/:job/progress", .pathDivision(.writeVillage), use: progress)
        routes.add(.get, "/divisions/:code/import/:job/:file", .pathDivision(.writeVillage), use: download)
        routes.add(.get, "/divisions/:code/roster", .pathDivision(.readRecords), use: export)
    }

    // MARK: Upload

    typealias Option = FormModel.Option

    struct JobLink: Sendable, Encodable {
        let href: String
        let fileName: String
        let started: String
        let state: String
    }

    struct FormBody: Sendable, Encodable {
        let action: String
        let error: String?
        let modes: [Option]
        let encodings: [Option]
        let asOf: String
        let sheet: String
        let templateHref: String
        let needsVillageColumn: Bool
        let jobs: [JobLink]
        let isEmpty: Bool
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await formPage(error: nil, request: request, context: context)
    }

    private func formPage(error: LocalizedText?, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let links = jobs.list(code).map { job in
            JobLink(href: "/divisions/\(code)/import/\(job.id)", fileName: job.fileName,
                    started: Timestamp.display(Timestamp.string(job.started)), state: Self.stateTitle(job.state).text(language))
        }
        let body = FormBody(
            action: "/divisions/\(code)/import?_csrf=\(context.csrfToken)", error: error?.text(language),
            modes: RosterImport.Mode.allCases.map { Option(value: $0.rawValue, label: Self.modeTitle($0).text(language), selected: $0 == .allOrNothing) },
            encodings: [Option(value: "", label: Strings.text("import_encoding_auto", language), selected: true)]
                + TextEncoding.allCases.map { Option(value: $0.rawValue, label: $0 == .utf8 ? "UTF-8" : "GB18030 / GBK", selected: false) },
            asOf: settings.today, sheet: "", templateHref: "/divisions/\(code)/import/template.xlsx", needsVillageColumn: code.level != .village,
            jobs: links, isEmpty: links.isEmpty)
        return try renderer.page(
            "import", title: "\(chain.last?.name ?? "") · \(Strings.text("import_title", language))",
            crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [Crumb(name: Strings.text("import_title", language), href: nil)],
            body: body, request: request, context: context, status: status)
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        let id = UUID().uuidString.lowercased()
        let stored = jobs.folder.appendingPathComponent(id + ".upload")
        let form: MultipartUpload
        do {
            form = try await MultipartUpload.read(request, to: stored, limit: Self.uploadLimit, tooLarge: LocalizedText(
                zh: "文件超过 \(Self.uploadLimit >> 20) MB 上限：请拆分后分批导入", en: "The file is over the \(Self.uploadLimit >> 20) MB limit: split it and import in parts"))
        } catch let error as AppError where error.status == .badRequest {
            try? FileManager.default.removeItem(at: stored)
            return try await formPage(error: error.message, request: request, context: context, status: .badRequest)
        }
        func refuse(_ message: LocalizedText) async throws -> Response {
            try? FileManager.default.removeItem(at: stored)
            return try await formPage(error: message, request: request, context: context, status: .badRequest)
        }
        guard let fileName = form.fileName, form.fileSize > 0 else {
            return try await refuse(LocalizedText(zh: "请选择要导入的文件（文件不能为空）", en: "Choose a file to import (it must not be empty)"))
        }
        let asOf = (form.fields["asOf"] ?? "").trimmingCharacters(in: .whitespaces)
        guard Day.isValid(asOf) else { return try await refuse(LocalizedText(zh: "入户日期应为 YYYY-MM-DD", en: "The registration date must be YYYY-MM-DD")) }
        let sheet = form.fields["sheet"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        let options = RosterImport.Options(
            division: code, mode: RosterImport.Mode(rawValue: form.fields["mode"] ?? "") ?? .allOrNothing, asOf: asOf, sheet: sheet,
            encoding: form.fields["encoding"].flatMap(TextEncoding.init))
        let found: (layout: RosterLayout, sheet: String, sheets: [String])
        do {
            found = try await RosterImport.onThread { try RosterImport.layout(of: stored, sheet: sheet, encoding: options.encoding, mapping: [:]) }
        } catch let error as ExchangeError {
            return try await refuse(error.message)
        }
        let job = ImportJobs.Job(id: id, division: code, username: context.actor.username, fileName: fileName, file: stored, started: settings.clock(),
                                 options: options, layout: found.layout, sheet: found.sheet, sheets: found.sheets, state: .mapping)
        jobs.add(job)
        if found.layout.missing.isEmpty && found.layout.unmatched.isEmpty && (code.level == .village || found.layout.column(of: .village) != nil)
            && (found.sheets.count <= 1 || sheet != nil) {
            start(job, actor: context.actor)
        }
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/import/\(id)"])
    }

    /// Runs the import in the background; the job page follows its progress.
    private func start(_ job: ImportJobs.Job, actor: AuditActor) {
        jobs.update(job.id) { $0.state = .running(.start) }
        let jobs = self.jobs, database = self.database
        jobs.launch(job.id) {
            do {
                let report = try await RosterImport.run(
                    file: job.file, fileName: job.fileName, options: job.options, database: database, actor: actor, rejectedRows: job.rejectedFile
                ) { progress in
                    jobs.update(job.id) { if case .running = $0.state { $0.state = .running(progress) } }
                }
                try ProblemReport.write(report.problems, to: job.problemsFile)
                jobs.update(job.id) { $0.state = .done(report) }
            } catch let error as ExchangeError {
                jobs.update(job.id) { $0.state = .failed(error.message) }
            } catch {
                // A driver's message may quote stored values: the log gets its type, the user a plain sentence.
                Logger(label: "zhenxing.import").error("import \(job.id) failed: \(type(of: error))")
                jobs.update(job.id) { $0.state = .failed(AppError.from(error)?.message ?? (Task.isCancelled
                    ? LocalizedText(zh: "服务器关闭，导入已取消，数据库未作任何改动", en: "The server stopped: the import was cancelled and the database is unchanged")
                    : LocalizedText(zh: "导入失败，数据库未作任何改动。请重试；仍失败的，请把导入编号 \(job.id) 告诉管理员",
                                    en: "The import failed and the database is unchanged. Try again; if it fails again, give the administrator import \(job.id)"))) }
            }
            try? FileManager.default.removeItem(at: job.file)
        }
    }

    // MARK: Job page

    struct Column: Sendable, Encodable {
        let index: Int
        let header: String
        let options: [Option]
    }

    struct ProblemRow: Sendable, Encodable {
        let row: Int
        let column: String
        let value: String
        let reason: String
    }

    struct CountRow: Sendable, Encodable {
        let label: String
        let added: Int
        let updated: Int
        let unchanged: Int
    }

    struct JobBody: Sendable, Encodable {
        let fileName: String
        let sheet: String
        let sheets: String
        let sheetOptions: [Option]
        let mapping: Bool
        let mappingAction: String
        let missing: String?
        let columns: [Column]
        let running: Bool
        let progressHref: String
        let phase: String
        let fraction: String
        let rowsRead: Int
        let rowsChecked: Int
        let rowsWritten: Int
        let done: Bool
        let written: Bool
        let dryRunNote: String?
        let failed: String?
        let rows: Int
        let households: Int
        let problemCount: Int
        let problems: [ProblemRow]
        let moreProblems: Int?
        let counts: [CountRow]
        let rejectedHouseholds: Int
        let problemsHref: String?
        let rejectedHref: String?
        let againHref: String
        let householdsHref: String
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = context.language
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let job = try find(context, code)
        let base = "/divisions/\(code)/import/\(job.id)"
        var progress = RosterImport.Progress.start
        var report: RosterImport.Report?
        var failed: LocalizedText?
        switch job.state {
        case .running(let current): progress = current
        case .done(let finished): report = finished
        case .failed(let message): failed = message
        case .mapping: break
        }
        let assigned = Set(job.layout.fields.compactMap { $0 })
        let columns = job.layout.headers.enumerated().compactMap { index, header -> Column? in
            guard !header.isEmpty else { return nil }
            let current = job.layout.fields[index]
            let choices = RosterField.allCases.filter { $0 == current || !assigned.contains($0) }
            return Column(index: index, header: header, options: [Option(value: "", label: Strings.text("import_ignore", language), selected: current == nil)]
                + choices.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == current) })
        }
        var missing = job.layout.missing
        if code.level != .village && job.layout.column(of: .village) == nil { missing.append(.village) }
        let body = JobBody(
            fileName: job.fileName, sheet: job.sheet, sheets: job.sheets.joined(separator: language.listSeparator),
            sheetOptions: job.sheets.count > 1 ? job.sheets.map { Option(value: $0, label: $0, selected: $0 == job.sheet) } : [],
            mapping: { if case .mapping = job.state { true } else { false } }(), mappingAction: base + "/mapping",
            missing: missing.isEmpty ? nil : missing.map { $0.title.text(language) }.joined(separator: language.listSeparator), columns: columns,
            running: { if case .running = job.state { true } else { false } }(), progressHref: base + "/progress",
            phase: Self.phaseTitle(progress.phase).text(language), fraction: String(format: "%.3f", progress.fraction),
            rowsRead: progress.rowsRead, rowsChecked: progress.rowsChecked, rowsWritten: progress.rowsWritten,
            done: report != nil, written: report?.written ?? false,
            dryRunNote: report.map { !$0.written && $0.problemCount > 0 ? Strings.text("import_nothing_written", language) : nil } ?? nil,
            failed: failed?.text(language), rows: report?.rows ?? 0, households: report?.households ?? 0, problemCount: report?.problemCount ?? 0,
            problems: (report?.problems.prefix(200) ?? []).map {
                ProblemRow(row: $0.row, column: $0.column, value: $0.value, reason: $0.reason.text(language))
            },
            moreProblems: (report?.problemCount ?? 0) > 200 ? (report?.problemCount ?? 0) - 200 : nil,
            counts: report.map { [
                CountRow(label: Strings.text("households", language), added: $0.householdCounts.added, updated: $0.householdCounts.updated,
                         unchanged: $0.householdCounts.unchanged),
                CountRow(label: Strings.text("import_people", language), added: $0.peopleCounts.added, updated: $0.peopleCounts.updated,
                         unchanged: $0.peopleCounts.unchanged),
            ] } ?? [],
            rejectedHouseholds: report?.rejectedHouseholds ?? 0,
            problemsHref: (report?.problemCount ?? 0) > 0 ? base + "/problems.xlsx" : nil,
            rejectedHref: report.map { $0.written && $0.rejectedHouseholds > 0 } == true ? base + "/rejected.xlsx" : nil,
            againHref: "/divisions/\(code)/import", householdsHref: "/divisions/\(code)/households")
        return try renderer.page(
            "import-job", title: "\(Strings.text("import_title", language)) · \(job.fileName)",
            crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true)
                + [Crumb(name: Strings.text("import_title", language), href: "/divisions/\(code)/import"), Crumb(name: job.fileName, href: nil)],
            body: body, request: request, context: context)
    }

    @Sendable func map(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        let job = try find(context, code)
        guard case .mapping = job.state else { return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/import/\(job.id)"]) }
        let fields = try await request.decode(as: [String: String].self, context: context)
        if let sheet = fields["sheet"], sheet != job.sheet, job.sheets.contains(sheet) {
            // Another sheet has other columns: read its header and ask again.
            let found = try await RosterImport.onThread {
                try RosterImport.layout(of: job.file, sheet: sheet, encoding: nil, mapping: [:])
            }
            jobs.update(job.id) {
                $0.sheet = found.sheet
                $0.layout = found.layout
                $0.options.sheet = found.sheet
            }
            return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/import/\(job.id)"])
        }
        var mapping: [String: RosterField?] = [:]
        for (index, header) in job.layout.headers.enumerated() where !header.isEmpty {
            mapping[header] = fields["column\(index)"].flatMap(RosterField.init(rawValue:))
        }
        let chosen = mapping
        let layout = try await RosterImport.onThread {
            try RosterImport.layout(of: job.file, sheet: job.options.sheet, encoding: job.options.encoding, mapping: chosen).layout
        }
        var updated = job
        updated.options.sheet = job.sheet.isEmpty ? nil : job.sheet
        updated.layout = layout
        updated.options.mapping = mapping
        jobs.update(job.id) { $0 = updated }
        if layout.missing.isEmpty && (code.level == .village || layout.column(of: .village) != nil) {
            start(updated, actor: context.actor)
        }
        return Response(status: .seeOther, headers: [.location: "/divisions/\(code)/import/\(job.id)"])
    }

    /// The job's state as JSON; with `wait=N` (at most 60 seconds) once it has ended or N seconds have passed, for
    /// clients that would rather wait than ask again.
    @Sendable func progress(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        var job = try find(context, code)
        if let wait = request.uri.queryParameters["wait"].flatMap({ Int(String($0)) }), wait > 0, !job.state.hasEnded {
            await jobs.ended(job.id, within: .seconds(min(wait, 60)))
            job = try find(context, code)
        }
        struct Body: Encodable {
            let state: String
            let phase: String?
            let rowsRead: Int
            let rowsChecked: Int
            let rowsWritten: Int
            let fraction: Double
        }
        let body: Body = switch job.state {
        case .running(let p): Body(state: "running", phase: Self.phaseTitle(p.phase).text(context.language), rowsRead: p.rowsRead,
                                   rowsChecked: p.rowsChecked, rowsWritten: p.rowsWritten, fraction: p.fraction)
        case .mapping: Body(state: "mapping", phase: nil, rowsRead: 0, rowsChecked: 0, rowsWritten: 0, fraction: 0)
        case .done(let r): Body(state: "done", phase: nil, rowsRead: r.rows, rowsChecked: r.rows, rowsWritten: 0, fraction: 1)
        case .failed: Body(state: "failed", phase: nil, rowsRead: 0, rowsChecked: 0, rowsWritten: 0, fraction: 1)
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        let job = try find(context, code)
        let name = context.parameters.get("file") ?? ""
        guard case .done = job.state, name == "problems.xlsx" || name == "rejected.xlsx" else {
            throw AppError.notFound(LocalizedText(zh: "没有这个文件", en: "No such file"))
        }
        let file = name == "problems.xlsx" ? job.problemsFile : job.rejectedFile
        guard FileManager.default.fileExists(atPath: file.path) else { throw AppError.notFound(LocalizedText(zh: "没有这个文件", en: "No such file")) }
        let stem = (job.fileName as NSString).deletingPathExtension
        let title = name == "problems.xlsx" ? "\(stem)-问题清单.xlsx" : "\(stem)-待修改.xlsx"
        return try Response.download(file, name: title, contentType: TableFormat.xlsx.contentType, removeAfter: false)
    }

    // MARK: Template and export

    @Sendable func template(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = jobs.folder.appendingPathComponent("template-\(UUID().uuidString).xlsx")
        try RosterExport.template(to: file)
        return try Response.download(file, name: "农户花名册导入模板.xlsx", contentType: TableFormat.xlsx.contentType, removeAfter: true)
    }

    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let format = request.query("format").flatMap(TableFormat.init(rawValue:)) ?? .xlsx
        let fullIDs = request.query("ids") == "full"
        if fullIDs, context.identity?.can(.viewFullIDs, in: code) != true { throw AppError.forbidden }
        let date = request.query("date").flatMap { Day.isValid($0) ? $0 : nil } ?? settings.today
        let file = jobs.folder.appendingPathComponent("export-\(UUID().uuidString).\(format.rawValue)")
        let writer = try format.writer(to: file, sheet: "花名册", numericColumns: RosterExport.numericColumns)
        let rows = try await RosterExport.write(division: code, asOf: date, fullIDs: fullIDs, language: context.language, database: database, to: writer)
        try await AuditLog(database: database).record(.export, entity: fullIDs ? .rosterFullIds : .roster, key: "\(rows) rows as of \(date)",
                                                      division: code, by: context.actor)
        return try Response.download(file, name: "\(chain.last?.name ?? code.rawValue)-花名册-\(date).\(format.rawValue)", contentType: format.contentType,
                                     removeAfter: true)
    }

    // MARK: Helpers

    private func find(_ context: AppRequestContext, _ code: DivisionCode) throws -> ImportJobs.Job {
        guard let job = jobs.job(context.parameters.get("job") ?? "", in: code) else {
            throw AppError.notFound(LocalizedText(zh: "没有这次导入（导入记录保留一天，服务重启后清空）", en: "No such import (imports are kept for a day and cleared on restart)"))
        }
        return job
    }


    static func modeTitle(_ mode: RosterImport.Mode) -> LocalizedText {
        switch mode {
        case .allOrNothing: LocalizedText(zh: "全部无误才导入（有问题时不写入）", en: "Import only when every row is right")
        case .validOnly: LocalizedText(zh: "导入无误的户，有问题的户退回修改", en: "Import the valid households, return the rest to fix")
        }
    }

    static func phaseTitle(_ phase: RosterImport.Phase) -> LocalizedText {
        switch phase {
        case .checking: LocalizedText(zh: "正在检查", en: "Checking")
        case .writing: LocalizedText(zh: "正在写入", en: "Writing")
        case .done: LocalizedText(zh: "已完成", en: "Done")
        }
    }

    static func stateTitle(_ state: ImportJobs.State) -> LocalizedText {
        switch state {
        case .mapping: LocalizedText(zh: "待确认列", en: "Columns to confirm")
        case .running: LocalizedText(zh: "进行中", en: "Running")
        case .done(let report) where report.written: LocalizedText(zh: "已导入", en: "Imported")
        case .done: LocalizedText(zh: "有问题，未写入", en: "Problems, nothing written")
        case .failed: LocalizedText(zh: "失败", en: "Failed")
        }
    }
}
