import FuzzSupport
import ZhenxingExchange

// libFuzzer entry for CSVReader: the input is a CSV file, read with the encoding detected and again as GB18030
// (iconv, chunk carry-over), the way `zhenxing import` and the import page read an upload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = Fuzz.file(start, count, suffix: "csv")
    Fuzz.readAll { try CSVReader(url: url) }
    Fuzz.readAll { try CSVReader(url: url, encoding: .gb18030) }
    return 0
}
