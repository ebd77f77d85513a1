#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Paces the progress reports of long files: one per file every `interval` seconds, so a file that
/// takes an hour says how far it is, and a short one says nothing.
public final class ProgressPacer: Sendable {
    /// How far a file is, for one report.
    public struct Report: Sendable {
        public var bytesRead: Int64
        public var size: Int64
        public var rows: Int
        public var seconds: Double

        public var percent: Int { size > 0 ? min(100, Int(bytesRead * 100 / size)) : 0 }
        public var rowsPerSecond: Int { Int(Double(rows) / max(seconds, 0.001)) }
    }

    public let interval: Double
    /// Seconds from a file's start to its first report.
    private let first: Double
    /// Per file: when it started, when it was last reported.
    private let files = Mutex<[String: (started: Double, reported: Double)]>([:])

    /// `firstAfter` (default: `interval`) is the wait for a file's first report.
    public init(interval: Double, firstAfter: Double? = nil) {
        self.interval = interval
        first = firstAfter ?? interval
    }

    public func started(_ name: String) {
        let now = Self.now()
        files.withLock { $0[name] = (now, now - interval + first) }
    }

    /// The report to give now, or nil when the last one (or the start) is less than `interval` ago.
    public func due(_ name: String, bytesRead: Int64, size: Int64, rows: Int) -> Report? {
        let now = Self.now()
        return files.withLock { files -> Report? in
            let times = files[name] ?? (now, now - interval + first)
            guard now - times.reported >= interval else {
                if files[name] == nil { files[name] = times }
                return nil
            }
            files[name] = (times.started, now)
            return Report(bytesRead: bytesRead, size: size, rows: rows, seconds: now - times.started)
        }
    }

    /// Forgets a finished unit: its file, a bundle's members (`drop.zip/x.csv`), related files (`a.csv + b.csv`).
    public func finished(_ name: String) {
        let parts = Set(name.components(separatedBy: " + "))
        files.withLock { files in
            files = files.filter { key, _ in !parts.contains(key) && !parts.contains { key.hasPrefix($0 + "/") } }
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
