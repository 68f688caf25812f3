import CZlib
import Foundation
import ZhenxingExchange

/// What every fuzzer checks: the readers take file URLs, so each input is written to one file per process
/// (in /dev/shm when there is one), read with `body`, and every row must keep the limits of `TableLimits`.
/// A thrown error is a fine answer to a broken file; a trap, a hang, a leak or an oversized row is a bug.
public enum Fuzz {
    nonisolated(unsafe) private static var files: [String: URL] = [:]
    nonisolated(unsafe) private static var errorTypes: Set<String> = []

    /// The input as a file named `*.suffix`, rewritten for each input.
    public static func file(_ start: UnsafeRawPointer, _ count: Int, suffix: String) -> URL {
        let url = files[suffix] ?? {
            let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
            let url = URL(fileURLWithPath: folder).appendingPathComponent("zhenxing-fuzz-\(getpid()).\(suffix)")
            files[suffix] = url
            atexit { for url in Fuzz.files.values { try? FileManager.default.removeItem(at: url) } }
            return url
        }()
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes: start, count: count)) else {
            fatalError("cannot write \(url.path)")
        }
        return url
    }

    /// Reads every row of a table, checking the limits and touching each cell as the importer does.
    public static func readAll(_ open: () throws -> any TableSource) {
        do {
            let source = try open()
            var last = -1.0
            try source.rows(progress: { fraction in
                precondition(fraction >= 0 && fraction <= 1 && !fraction.isNaN, "progress \(fraction) outside 0…1")
                last = fraction
            }) { row in
                precondition(row.cells.count <= TableLimits.columns, "row \(row.number) has \(row.cells.count) cells")
                for (index, cell) in row.cells.enumerated() {
                    precondition(cell.count <= TableLimits.cellBytes, "row \(row.number) has a cell of \(cell.count) bytes")
                    _ = row.trimmed(index)
                }
                _ = row.isBlank
                return true
            }
            _ = last
        } catch {
            // Every refusal should be an ExchangeError (it has a message in both languages); say once per other type.
            if !(error is ExchangeError), errorTypes.insert(String(reflecting: type(of: error))).inserted {
                FileHandle.standardError.write(Data("note: a reader threw \(String(reflecting: type(of: error))): \(error)\n".utf8))
            }
        }
    }

    // MARK: The open ZIPFoundation hang

    nonisolated(unsafe) private static var skipped = 0

    /// Whether ZIPFoundation 0.9.20 would inflate an entry of this zip forever: `Data.decode` loops until
    /// Z_STREAM_END and, once fread hits the end of the file, gets empty chunks and never stops (see
    /// Fuzz/known/xlsx). The readers cannot stop it, so the xlsx fuzzer skips such inputs instead of reporting the
    /// same hang again; set ZHENXING_FUZZ_KNOWN_HANGS=1 to run them anyway. Non-ZIP64 archives only.
    public static func spinsZIPFoundation(_ start: UnsafeRawPointer, _ count: Int) -> Bool {
        guard ProcessInfo.processInfo.environment["ZHENXING_FUZZ_KNOWN_HANGS"] != "1" else { return false }
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        func u16(_ at: Int) -> Int { at >= 0 && at + 2 <= count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : -1 }
        func u32(_ at: Int) -> Int { at >= 0 && at + 4 <= count ? u16(at) | u16(at + 2) << 16 : -1 }
        // The end-of-central-directory record ZIPFoundation finds: the last one, scanning back from the end.
        var eocd = count - 22
        while eocd >= max(0, count - 22 - 0xFFFF), u32(eocd) != 0x0605_4B50 { eocd -= 1 }
        guard eocd >= 0, u32(eocd) == 0x0605_4B50 else { return false }
        var entry = u32(eocd + 16)
        for _ in 0..<min(u16(eocd + 10), 64) {
            guard u32(entry) == 0x0201_4B50 else { return false }
            let local = u32(entry + 42)
            if u16(entry + 10) == 8, u32(local) == 0x0403_4B50, u16(local + 26) >= 0, u16(local + 28) >= 0 {
                let data = local + 30 + u16(local + 26) + u16(local + 28)
                if data <= count, inflateNeverEnds(UnsafeRawBufferPointer(rebasing: bytes[data...])) {
                    skipped += 1
                    if skipped == 1 {
                        atexit { FileHandle.standardError.write(Data("note: skipped \(Fuzz.skipped) inputs that hit the open ZIPFoundation inflate hang\n".utf8)) }
                    }
                    return true
                }
            }
            entry += 46 + u16(entry + 28) + u16(entry + 30) + u16(entry + 32)
        }
        return false
    }

    /// Where `inflateNeverEnds` inflates to, allocated once (a fresh 256 KB buffer per input costs more than the reading).
    nonisolated(unsafe) private static let inflated = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 18)

    /// Whether raw deflate data runs out before its end without an error (and before 64 MB of output, where the
    /// reader's zip-bomb limit would stop it).
    private static func inflateNeverEnds(_ input: UnsafeRawBufferPointer) -> Bool {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
        defer { inflateEnd(&stream) }
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        while true {
            stream.next_out = inflated.baseAddress
            stream.avail_out = UInt32(inflated.count)
            let result = inflate(&stream, Z_NO_FLUSH)
            produced += inflated.count - Int(stream.avail_out)
            if result == Z_STREAM_END || result == Z_NEED_DICT || result == Z_DATA_ERROR || result == Z_MEM_ERROR { return false }
            if produced > 64 << 20 { return false }
            if stream.avail_in == 0 && stream.avail_out != 0 { return true }
        }
    }
}
