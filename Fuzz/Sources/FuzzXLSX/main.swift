import FuzzSupport
import ZhenxingExchange

// libFuzzer entry for XLSXReader: the input is an xlsx (zip) file; the first sheet is read, then up to two
// others by name, the way `zhenxing import --sheet` and the import page read an upload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXLSX(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = Fuzz.file(start, count, suffix: "xlsx")
    var names: [String] = []
    Fuzz.readAll {
        let reader = try XLSXReader(url: url)
        names = reader.sheetNames
        return reader
    }
    for name in names.dropFirst().prefix(2) {
        Fuzz.readAll { try XLSXReader(url: url, sheet: name) }
    }
    return 0
}
