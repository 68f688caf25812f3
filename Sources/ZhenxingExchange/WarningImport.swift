import Foundation
import ZhenxingDomain

/// A department's file of warnings (部门预警: medical bills from 医保, disabilities from 残联, disaster losses, student
/// aid, unemployment) read into checked rows: the first non-blank row is the header, its columns found under the
/// names that department uses (`DepartmentSource`); every other row needs a valid resident ID, a day and what was
/// found. A problem names its row, column and reason, with the ID masked.
public enum WarningImport {
    /// The most rows one file may hold.
    public static let maximumRows = 100_000

    /// Reads `source`'s rows as `department`'s warnings on `today`, or the problems that stop them (all of them, up to 500).
    public static func read(_ source: any TableSource, department: DepartmentSource, today: String) throws -> (rows: [DepartmentWarning], problems: [ImportProblem]) {
        let sheet = source.sheetName
        var columns: (id: Int, day: Int, detail: Int, amount: Int?, headers: [String])?
        var rows: [DepartmentWarning] = [], problems: [ImportProblem] = []
        func problem(_ row: Int, _ column: String, _ value: String, _ reason: LocalizedText) {
            if problems.count < 500 { problems.append(ImportProblem(sheet: sheet, row: row, column: column, value: value, reason: reason)) }
        }
        try source.rows(progress: { _ in }) { row in
            if row.isBlank { return true }
            guard let found = columns else {
                let headers = row.cells.indices.map { row.trimmed($0) }
                let find = { (names: [String]) in headers.firstIndex { header in names.contains { $0.caseInsensitiveCompare(header) == .orderedSame } } }
                let id = find(DepartmentSource.idHeaders), day = find(department.dayHeaders), detail = find(department.detailHeaders)
                for (index, names) in [(id, DepartmentSource.idHeaders), (day, department.dayHeaders), (detail, department.detailHeaders)] where index == nil {
                    problem(row.number, names[0], "", LocalizedText(zh: "缺少此列（可用列名：\(names.joined(separator: "、"))）",
                                                                    en: "This column is missing (headers taken: \(names.joined(separator: ", ")))"))
                }
                if let id, let day, let detail { columns = (id, day, detail, find(department.amountHeaders), headers) }
                return columns != nil
            }
            guard rows.count + problems.count < maximumRows else {
                problem(row.number, "", "", LocalizedText(zh: "文件超过 \(maximumRows) 行，请分批导入", en: "More than \(maximumRows) rows: import in parts"))
                return false
            }
            let idText = row.trimmed(found.id), day = row.trimmed(found.day), detail = row.trimmed(found.detail)
            var fine = true
            let resident: ResidentID?
            do { resident = try ResidentID(validating: idText) } catch {
                resident = nil
                fine = false
                problem(row.number, found.headers[found.id], RosterRowReader.mask(idText),
                        (error as? ValidationFailure)?.issues.first?.message ?? LocalizedText(zh: "身份证号无效", en: "Not a valid resident ID"))
            }
            if let reason = DepartmentWarning.dayProblem(day, today: today) {
                fine = false
                problem(row.number, found.headers[found.day], day, reason)
            }
            if let reason = DepartmentWarning.detailProblem(detail) {
                fine = false
                problem(row.number, found.headers[found.detail], String(detail.prefix(20)), reason)
            }
            var amountFen: Int?
            if let column = found.amount, !row.trimmed(column).isEmpty {
                let text = row.trimmed(column).replacingOccurrences(of: ",", with: "")
                amountFen = FixedPoint.parse(text, scale: 2).flatMap { FieldIssue.money.contains($0) ? $0 : nil }
                if amountFen == nil {
                    fine = false
                    problem(row.number, found.headers[column], text, DepartmentWarning.badAmount)
                }
            }
            if fine, let resident {
                rows.append(DepartmentWarning(row: row.number, residentID: resident, source: department, foundOn: day, detail: detail, amountFen: amountFen))
            }
            return true
        }
        if columns == nil && problems.isEmpty {
            problem(0, "", "", LocalizedText(zh: "文件中没有表头行", en: "The file has no header row"))
        }
        return (rows, problems)
    }
}
