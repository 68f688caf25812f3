import Testing
@testable import ZhenxingExchange

/// CSV cells that a spreadsheet would run as formulas are written as text (issue 15, defect 7).
@Suite struct FormulaInjectionTests {
    @Test func csvCellsThatWouldBeFormulasComeOutAsText() {
        #expect(CSVWriter.inert("=HYPERLINK(\"http://evil.example\",\"点我\")") == "'=HYPERLINK(\"http://evil.example\",\"点我\")")
        #expect(CSVWriter.inert("+1+2") == "'+1+2" && CSVWriter.inert("@SUM(A1)") == "'@SUM(A1)" && CSVWriter.inert("\tx") == "'\tx")
        #expect(CSVWriter.inert("-1,234.50") == "-1,234.50" && CSVWriter.inert("-5") == "-5" && CSVWriter.inert("张三") == "张三")
    }
}
