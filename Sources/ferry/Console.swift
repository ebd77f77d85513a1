#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Ferry

/// Prints a run for people: a live progress line on a terminal, one plain line per file otherwise.
final class Console: RunObserver {
    private let interactive = isatty(STDERR_FILENO) == 1
    private var progressShown = false
    private var fileStarted = 0.0

    func fileStarted(_ name: String, size: Int64, template: String?) {
        fileStarted = Self.seconds()
    }

    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        guard interactive else { return }
        let elapsed = max(Self.seconds() - fileStarted, 0.001)
        let percent = size > 0 ? min(100, Int(bytesRead * 100 / size)) : 0
        let line = "\(name)  \(percent)%  \(Self.megabytes(bytesRead)) of \(Self.megabytes(size))  \(Int(Double(rows) / elapsed)) rows/s"
        writeError("\r\u{1B}[K" + line)
        progressShown = true
    }

    func fileFinished(_ report: FileReport) {
        clearProgress()
        let counts = "read \(report.rowsRead), written \(report.rowsWritten), filtered \(report.rowsFiltered), rejected \(report.rowsRejected)"
        let time = Self.format(report.seconds) + " s"
        switch report.outcome {
        case .delivered:
            let outputs = report.outputs.map { Self.lastComponent($0) }.joined(separator: ", ")
            var line = "delivered  \(report.name) -> \(outputs.isEmpty ? "(no rows to deliver)" : outputs)  [\(counts)] \(time)"
            if let rejects = report.rejectsReport { line += "  rejects: \(Self.relative(rejects))" }
            print(line)
        case .failed:
            print("failed     \(report.name)  [\(counts)] \(time)")
            print(Self.indent(report.error ?? "unknown error"))
        case .duplicate:
            print("duplicate  \(report.name): archived, nothing delivered")
            print(Self.indent(report.error ?? ""))
        case .deliveryWaiting:
            print("waiting    \(report.name): complete, but not yet moved into place  [\(counts)]")
            print(Self.indent(report.error ?? "unknown error"))
        case .retryLater:
            print("retry      \(report.name): put back into the inbox  [\(counts)]")
            print(Self.indent(report.error ?? "unknown error"))
        }
    }

    func notice(_ text: String) {
        clearProgress()
        writeError("note: \(text)\n")
    }

    func error(_ text: String) {
        clearProgress()
        writeError("error: \(text)\n")
    }

    func printSummary(_ summary: RunSummary) {
        if summary.files.isEmpty {
            print("Nothing to do: the inbox has no files ready.")
            return
        }
        print("""
        Summary: \(counted(summary.files.count, "file")) (\(summary.delivered) delivered, \(summary.duplicates) duplicates, \(summary.failed) failed, \(summary.retryLater) to retry); \
        rows read \(summary.rowsRead), written \(summary.rowsWritten), filtered \(summary.rowsFiltered), rejected \(summary.rowsRejected); \
        \(Self.format(summary.seconds)) s
        """)
    }

    private func clearProgress() {
        guard progressShown else { return }
        writeError("\r\u{1B}[K")
        progressShown = false
    }

    private func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private static func megabytes(_ bytes: Int64) -> String { format(Double(bytes) / 1_000_000) + " MB" }

    private static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    private static func relative(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.suffix(2).joined(separator: "/")
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "           " + $0 }.joined(separator: "\n")
    }
}

/// "1 file", "2 files".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
