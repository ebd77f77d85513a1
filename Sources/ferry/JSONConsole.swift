#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Ferry
import FerryService

/// `ferry run --json`: a `file` line per input as it finishes on standard output (JSON Lines); notices
/// and errors stay on standard error, as text.
final class JSONConsole: RunObserver {
    private let root: String
    private let text = Console(progressEvery: .infinity)

    init(root: String) { self.root = root }

    func fileStarted(_ name: String, size: Int64, template: String?) {}
    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {}

    func fileFinished(_ report: FileReport) {
        print(JSONLine.encode(FileRecord(report, root: root)))
        fflush(nil)
    }

    func notice(_ text: String) { self.text.notice(text) }
    func error(_ text: String) { self.text.error(text) }

    func printSummary(_ summary: RunSummary, dryRunFolder: String? = nil) {
        print(JSONLine.encode(SummaryRecord(summary, dryRunFolder: dryRunFolder)))
    }
}

/// Two observers of one `ferry run`: what is shown, and the metrics.
final class RunObserverPair: RunObserver {
    private let first: RunObserver
    private let second: RunObserver

    init(_ first: RunObserver, _ second: RunObserver) {
        self.first = first
        self.second = second
    }

    func fileStarted(_ name: String, size: Int64, template: String?) {
        first.fileStarted(name, size: size, template: template)
        second.fileStarted(name, size: size, template: template)
    }

    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        first.progress(name, bytesRead: bytesRead, size: size, rows: rows)
        second.progress(name, bytesRead: bytesRead, size: size, rows: rows)
    }

    func fileFinished(_ report: FileReport) {
        first.fileFinished(report)
        second.fileFinished(report)
    }

    func notice(_ text: String) {
        first.notice(text)
        second.notice(text)
    }
}
