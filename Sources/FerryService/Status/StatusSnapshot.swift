import Ferry
import Foundation

/// What a workspace holds right now, read from its folders and ledger: what `ferry status` prints,
/// `ferry status --json` writes, the status page shows and the metrics' gauges count.
public struct StatusSnapshot: Sendable, Equatable {
    /// The Ferry process working here (`pid 123, ferry watch`), if any.
    public var holder: String?
    public var templates: [TemplateState] = []
    /// The running watcher's templates (true) or the templates as they load now.
    public var templatesFromWatcher = false
    public var watcherStartedAt: String?
    public var templatesReloadedAt: String?
    public var waiting: [WaitingFile] = []
    /// Claimed while a Ferry process works here.
    public var inProgress: [InProgressFile] = []
    /// Claimed, but no Ferry process works here: it stopped on them; the next start puts them back.
    public var interrupted: [String] = []
    /// Complete, not yet moved into place.
    public var deliveryWaiting: [String] = []
    public var failed: [FailedFile] = []
    public var outboxPackages = 0
    public var lastInput: Ledger.Entry?
    /// The nodes sharing the ledger (PostgreSQL), with their leases; empty with the SQLite ledger.
    public var nodes: [Ledger.NodeStatus] = []

    /// A Ferry process works on the workspace: the one holding it, or a node whose lease is alive.
    public var isWorked: Bool { holder != nil || nodes.contains { $0.state == "running" && !$0.leaseExpired } }

    public struct TemplateState: Sendable, Equatable {
        public var name: String
        /// `active`, `last-good`, `disabled` (watcher) or `loads`, `broken` (no watcher).
        public var status: String
        public var version: String?
        public var loadedAt: String?
        public var error: String?
    }

    public struct WaitingFile: Sendable, Equatable {
        public var name: String
        public var size: Int64
        /// Seconds since its last change.
        public var age: Double
    }

    public struct InProgressFile: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var size: Int64
        public var template: String?
        public var claimedAt: String
    }

    public struct FailedFile: Sendable, Equatable {
        public var name: String
        /// The failure note's reason (without its header and the "to try again" line).
        public var reason: String
        /// `failed/<name>.rejects.csv` when one lies beside it.
        public var rejectsReport: String?
        public var modified: Double
    }

    public init() {}

    /// Reads the workspace. Never creates anything: a workspace without a ledger has no history yet.
    public static func read(_ workspace: Workspace, templatesFolder: String?, now: Double = Date().timeIntervalSince1970) throws -> StatusSnapshot {
        var snapshot = StatusSnapshot()
        let ledger = Ledger.exists(in: workspace) ? try Ledger(workspace: workspace) : nil
        snapshot.holder = WorkspaceLock.holder(of: workspace)
        snapshot.readTemplates(workspace, folder: templatesFolder)
        snapshot.waiting = try Inbox(workspace: workspace).files().map {
            WaitingFile(name: $0.name, size: $0.size, age: max(0, now - $0.modified))
        }
        snapshot.nodes = try ledger?.nodes() ?? []
        let unfinished = try ledger?.unfinished().map(\.entry) ?? []
        let claimed = unfinished.filter { $0.state == .claimed || $0.state == .prepared }
        // With nodes, a live node recovers what a dead one held: it is in progress until then.
        if !snapshot.isWorked {
            snapshot.interrupted = claimed.map(\.name)
        } else {
            snapshot.inProgress = claimed.map { InProgressFile(id: $0.id, name: $0.name, size: $0.size, template: $0.template, claimedAt: $0.claimedAt) }
        }
        snapshot.deliveryWaiting = unfinished.filter { $0.state == .delivering || $0.state == .failing }.map(\.name)
        snapshot.failed = FailedFolder(workspace: workspace).inputs()
        snapshot.outboxPackages = workspace.names(in: workspace.outbox).filter { !$0.hasPrefix(".") }.count
        snapshot.lastInput = try ledger?.history(limit: 1).first
        return snapshot
    }

    private mutating func readTemplates(_ workspace: Workspace, folder: String?) {
        if let service = ServiceState.current(workspace) {
            templatesFromWatcher = true
            watcherStartedAt = service.startedAt
            templatesReloadedAt = service.reloadedAt
            templates = service.flows.map { TemplateState(name: $0.name, status: $0.status, version: $0.version, loadedAt: $0.loadedAt, error: $0.error) }
            return
        }
        guard let folder, let loaded = try? TemplateLoader().loadEach(in: folder) else { return }
        templates = loaded.templates.map { TemplateState(name: $0.name, status: "loads", version: String($0.contentHash.prefix(8))) }
            + loaded.broken.map { TemplateState(name: $0.name, status: "broken", error: $0.error.description) }
        templates.sort { $0.name < $1.name }
    }
}
