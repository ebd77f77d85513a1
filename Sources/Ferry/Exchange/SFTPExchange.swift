#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The workspace's SFTP exchanges (`sftp:` in ferry.yaml) run as one pass: pulls into the inbox, pushes from the
/// outbox. One pass at a time per workspace (`.ferry/exchange.lock`), so `ferry exchange` can run beside
/// `ferry watch` or `ferry run`, whose own passes then wait their turn.
public struct SFTPExchange: Sendable {
    public let workspace: Workspace
    public let settings: SFTPSettings

    public init(workspace: Workspace, settings: SFTPSettings) {
        self.workspace = workspace
        self.settings = settings
    }

    public enum Direction: Sendable { case pull, push }

    /// Runs the entries of `directions` once; waits while another pass holds the lock.
    public func run(_ directions: Set<Direction> = [.pull, .push], log: @escaping ExchangeLog) throws -> ExchangeReport {
        var report = ExchangeReport()
        guard !settings.isEmpty else { return report }
        try Workspace.makeFolder(workspace.root + "/.ferry")
        let lockPath = workspace.root + "/.ferry/exchange.lock"
        let lock = SystemCall.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw FileSystemError(operation: "open", path: lockPath, code: errno) }
        defer { _ = SystemCall.close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileSystemError(operation: "lock", path: lockPath, code: errno) }
        }
        let ledger = try Ledger(workspace: workspace)
        if directions.contains(.pull), !settings.pull.isEmpty {
            report.merge(SFTPPuller(workspace: workspace, ledger: ledger, entries: settings.pull).run(log: log))
        }
        if directions.contains(.push), !settings.push.isEmpty {
            report.merge(SFTPPusher(workspace: workspace, ledger: ledger, entries: settings.push).run(log: log))
        }
        return report
    }
}
