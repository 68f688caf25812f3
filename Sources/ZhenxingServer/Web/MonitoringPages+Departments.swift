import Foundation
import Hummingbird
import ZhenxingDomain
import ZhenxingExchange
import ZhenxingStore

/// A department's file of warnings (部门预警) uploaded to a division: checked whole, then matched by resident ID and
/// recorded in one transaction (or only previewed); unmatched rows are listed with masked IDs, never dropped.
extension MonitoringPages {
    /// The largest department file taken (100,000 rows of a few columns fit in far less).
    static let departmentUploadLimit = 64 << 20

    struct DepartmentProblem: Sendable, Encodable {
        let row: Int
        let column: String
        let value: String
        let reason: String
    }

    struct DepartmentResultLine: Sendable, Encodable {
        let row: Int
        let residentID: String
        let household: String?
        let householdHref: String?
        let village: String?
        let outcome: String
        let unmatched: Bool
    }

    struct DepartmentBody: Sendable, Encodable {
        let heading: String
        let action: String
        let inboxHref: String
        let sources: [Option]
        let dryRun: Bool
        let error: String?
        let problems: [DepartmentProblem]
        let summary: String?
        let lines: [DepartmentResultLine]
    }

    @Sendable func departmentForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await departmentPage(source: nil, dryRun: true, error: nil, request: request, context: context)
    }

    private func departmentPage(source: DepartmentSource?, dryRun: Bool, error: LocalizedText?, problems: [ImportProblem] = [],
                                lines: [DepartmentLine]? = nil, request: Request, context: AppRequestContext,
                                status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = context.language
        let t = { (key: String) in Strings.text(key, language) }
        let (code, chain) = try await DivisionPages.resolve(context, in: divisions)
        let summary = lines.map { lines in
            let counts = DepartmentLine.tally(lines)
            return t(dryRun ? "department_preview" : "department_imported")
                .replacingOccurrences(of: "{rows}", with: String(lines.count)).replacingOccurrences(of: "{opened}", with: String(counts.opened))
                .replacingOccurrences(of: "{joined}", with: String(counts.joined))
                .replacingOccurrences(of: "{again}", with: String(counts.alreadyRecorded))
                .replacingOccurrences(of: "{unmatched}", with: String(counts.unmatched))
        }
        let body = DepartmentBody(
            heading: "\(chain.last?.name ?? "") · \(t("department_import"))",
            action: "/divisions/\(code)/monitoring/departments?_csrf=\(context.csrfToken)", inboxHref: "/divisions/\(code)/monitoring",
            sources: DepartmentSource.allCases.map { Option(value: $0.rawValue, label: $0.title.text(language), selected: $0 == source) },
            dryRun: dryRun, error: error?.text(language),
            problems: problems.map { DepartmentProblem(row: $0.row, column: $0.column, value: $0.value, reason: $0.reason.text(language)) },
            summary: summary,
            lines: (lines ?? []).map { line in
                let outcome: String, unmatched: Bool
                switch line.disposition {
                case .opensWarning: (outcome, unmatched) = (t("department_opens"), false)
                case .addsToWarning, .joinsWarningOpenedAbove: (outcome, unmatched) = (t("department_joins"), false)
                case .alreadyRecorded: (outcome, unmatched) = (t("department_again"), false)
                case .unmatched(let reason): (outcome, unmatched) = (reason.title.text(language), true)
                }
                return DepartmentResultLine(row: line.warning.row, residentID: line.warning.residentID.masked, household: line.householdNumber,
                                            householdHref: line.householdID.map { "/households/\($0)" }, village: line.villageCode,
                                            outcome: outcome, unmatched: unmatched)
            })
        return try renderer.page(
            "department-warnings", title: body.heading,
            crumbs: DivisionPages.crumbs(chain, context: context, linkLast: true) + [
                Crumb(name: t("monitoring"), href: body.inboxHref), Crumb(name: t("department_import"), href: nil),
            ],
            body: body, request: request, context: context, status: status)
    }

    @Sendable func departmentUpload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (code, _) = try await DivisionPages.resolve(context, in: divisions)
        try FileManager.default.createDirectory(at: settings.workDirectory, withIntermediateDirectories: true)
        let stored = settings.workDirectory.appendingPathComponent(UUID().uuidString.lowercased() + ".department")
        defer { try? FileManager.default.removeItem(at: stored) }
        let form: MultipartUpload
        do {
            form = try await MultipartUpload.read(request, to: stored, limit: Self.departmentUploadLimit, tooLarge: LocalizedText(
                zh: "文件超过 \(Self.departmentUploadLimit >> 20) MB 上限：请拆分后分批导入",
                en: "The file is over the \(Self.departmentUploadLimit >> 20) MB limit: split it and import in parts"))
        } catch let error as AppError where error.status == .badRequest {
            return try await departmentPage(source: nil, dryRun: true, error: error.message, request: request, context: context, status: .badRequest)
        }
        let source = form.fields["source"].flatMap(DepartmentSource.init)
        let dryRun = form.fields["dryRun"] == "1"
        func refuse(_ message: LocalizedText, problems: [ImportProblem] = []) async throws -> Response {
            try await departmentPage(source: source, dryRun: dryRun, error: message, problems: problems, request: request, context: context,
                                     status: .unprocessableContent)
        }
        guard let source else { return try await refuse(LocalizedText(zh: "请选择数据来源部门", en: "Choose the department")) }
        guard form.fileName != nil, form.fileSize > 0 else {
            return try await refuse(LocalizedText(zh: "请选择要导入的文件（文件不能为空）", en: "Choose a file to import (it must not be empty)"))
        }
        let sheet = form.fields["sheet"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        let read: (rows: [DepartmentWarning], problems: [ImportProblem])
        do {
            read = try await RosterImport.onThread {
                try WarningImport.read(try TableFile.open(stored, sheet: sheet), department: source, today: settings.today)
            }
        } catch let error as ExchangeError {
            return try await refuse(error.message)
        }
        guard read.problems.isEmpty else {
            return try await refuse(LocalizedText(zh: "文件有 \(read.problems.count) 处问题，未导入任何一行：请改正后重新上传",
                                                  en: "The file has \(read.problems.count) problems; no row was imported: correct them and upload again"),
                                    problems: read.problems)
        }
        do {
            let lines = try await monitoring.importDepartment(read.rows, into: code, today: settings.today, dryRun: dryRun, by: context.actor)
            return try await departmentPage(source: source, dryRun: dryRun, error: nil, lines: lines, request: request, context: context)
        } catch let failure as ValidationFailure {
            return try await refuse(LocalizedText(zh: failure.text(.chinese), en: failure.text(.english)))
        }
    }
}
