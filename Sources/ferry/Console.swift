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
    /// On a terminal the progress line is redrawn ten times a second; otherwise a long file prints a
    /// progress line every `progressEvery` seconds.
    private let pacer: ProgressPacer

    init(progressEvery: Double = 10) {
        pacer = interactive ? ProgressPacer(interval: 0.1, firstAfter: 0) : ProgressPacer(interval: progressEvery)
    }

    func fileStarted(_ name: String, size: Int64, template: String?) {
        pacer.started(name)
    }

    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        guard let report = pacer.due(name, bytesRead: bytesRead, size: size, rows: rows) else { return }
        if interactive {
            let line = "\(FileName.display(name))  \(report.percent)%  \(Self.megabytes(bytesRead)) of \(Self.megabytes(size))  \(report.rowsPerSecond) rows/s"
            writeError("\r\u{1B}[K" + line)
            progressShown = true
        } else {
            print("progress   \(FileName.display(name)): \(report.percent)%, \(Self.megabytes(bytesRead)) of \(Self.megabytes(size)), \(rows) rows, "
                  + "\(report.rowsPerSecond) rows/s, \(Int(report.seconds)) s")
            fflush(nil)
        }
    }

    func fileFinished(_ report: FileReport) {
        pacer.finished(report.name)
        let shown = FileName.display(report.name)
        clearProgress()
        let counts = "read \(report.rowsRead), written \(report.rowsWritten), filtered \(report.rowsFiltered), rejected \(report.rowsRejected)"
        let time = Self.format(report.seconds) + " s"
        switch report.outcome {
        case .delivered:
            let outputs = report.outputs.map { Self.lastComponent($0) }.joined(separator: ", ")
            var line = "delivered  \(shown) -> \(outputs.isEmpty ? "(no rows to deliver)" : outputs)  [\(counts)] \(time)"
            if let rejects = report.rejectsReport { line += "  rejects: \(Self.relative(rejects))" }
            print(line)
        case .failed:
            print("failed     \(shown)  [\(counts)] \(time)")
            print(Self.indent(report.error ?? "unknown error"))
        case .duplicate:
            print("duplicate  \(shown): archived, nothing delivered")
            print(Self.indent(report.error ?? ""))
        case .deliveryWaiting:
            print("waiting    \(shown): complete, but not yet moved into place  [\(counts)]")
            print(Self.indent(report.error ?? "unknown error"))
        case .retryLater:
            print("retry      \(shown): put back into the inbox  [\(counts)]")
            print(Self.indent(report.error ?? "unknown error"))
        }
    }

    func notice(_ text: String) {
        clearProgress()
        writeError("note: \(text)\n")
    }

    func warning(_ text: String) {
        clearProgress()
        writeError("warning: \(text)\n")
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

    private static func megabytes(_ bytes: Int64) -> String { format(Double(bytes) / 1_000_000) + " MB" }

    private static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func lastComponent(_ path: String) -> String {
        FileName.display(String(path.split(separator: "/").last ?? Substring(path)))
    }

    private static func relative(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return FileName.display(parts.suffix(2).joined(separator: "/"))
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "           " + $0 }.joined(separator: "\n")
    }
}

/// "1 file", "2 files".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
