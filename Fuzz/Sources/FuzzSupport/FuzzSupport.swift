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
}
