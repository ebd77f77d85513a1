import Foundation

/// How the watcher takes and processes files: from `ferry.yaml`'s `watch:` section, with command-line
/// flags laid over it. Every command that judges inbox files (`watch`, `explain`, `status`) reads the
/// same values, so they agree on when a file is taken.
public struct WatchSettings: Sendable, Equatable {
    /// Size and modification time must stay unchanged this long, from when Ferry first saw them.
    public var settleSeconds: Double = 5
    /// Take `data.csv` only once `data.csv.done` or `data.csv.ok` exists.
    public var doneMarker = false
    /// Files processed at the same time.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Poll instead of inotify.
    public var poll = false
    /// Seconds between full scans of the inbox.
    public var scanInterval: Double = 2
    /// Stop taking inputs while outbox/ holds more packages than this (0: no limit).
    public var maxOutbox = 1000
    /// Quarantine content in failed/ after this many crashes while processing it.
    public var maxInterruptions = 3

    public init() {}

    /// The keys of `watch:` in `ferry.yaml`.
    static let keys = ["settle", "done_marker", "workers", "poll", "scan_interval", "max_outbox", "max_interruptions"]
}
