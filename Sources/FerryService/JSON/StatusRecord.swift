import Ferry

/// `ferry status --json`: one `status` line.
public struct StatusRecord: Encodable, Sendable {
    public let version = JSONLine.schemaVersion
    public let type = "status"
    public var running: Bool
    /// `pid 123, ferry watch` while a Ferry process works in the workspace.
    public var holder: String?
    /// `watcher` (the running watcher's templates) or `folder` (as they load now).
    public var templatesFrom: String
    public var templates: [Template]
    public var waiting: [Waiting]
    public var inProgress: [InProgress]
    public var interrupted: [String]
    public var deliveryWaiting: [String]
    public var failed: [Failed]
    public var outboxPackages: Int
    public var lastInput: EntryRecord?
    /// The nodes sharing a PostgreSQL ledger (empty with SQLite).
    public var nodes: [Node]

    public struct Node: Encodable, Sendable {
        public var node: String
        public var host: String
        public var pid: Int64
        /// `running`, `stopped` or `recovered`.
        public var state: String
        public var startedAt: String
        public var secondsSinceHeartbeat: Double
        public var leaseSeconds: Double
        public var leaseExpired: Bool
        public var recoveredBy: String?
        public var inHand: Int
    }

    public struct Template: Encodable, Sendable {
        public var name: String
        public var status: String
        public var version: String?
        public var error: String?
    }

    public struct Waiting: Encodable, Sendable {
        public var file: String
        public var size: Int64
        public var ageSeconds: Double
    }

    public struct InProgress: Encodable, Sendable {
        public var id: Int64
        public var file: String
        public var size: Int64
        public var template: String?
        public var claimedAt: String
    }

    public struct Failed: Encodable, Sendable {
        public var file: String
        public var reason: String
        public var rejectsReport: String?
    }

    public init(_ snapshot: StatusSnapshot, root: String) {
        running = snapshot.isWorked
        holder = snapshot.holder
        templatesFrom = snapshot.templatesFromWatcher ? "watcher" : "folder"
        templates = snapshot.templates.map { Template(name: $0.name, status: $0.status, version: $0.version, error: $0.error) }
        waiting = snapshot.waiting.map { Waiting(file: FileName.display($0.name), size: $0.size, ageSeconds: ($0.age * 10).rounded() / 10) }
        inProgress = snapshot.inProgress.map {
            InProgress(id: $0.id, file: FileName.display($0.name), size: $0.size, template: $0.template, claimedAt: $0.claimedAt)
        }
        interrupted = snapshot.interrupted.map(FileName.display)
        deliveryWaiting = snapshot.deliveryWaiting.map(FileName.display)
        failed = snapshot.failed.map { Failed(file: FileName.display($0.name), reason: $0.reason, rejectsReport: $0.rejectsReport.map(FileName.display)) }
        outboxPackages = snapshot.outboxPackages
        lastInput = snapshot.lastInput.map { EntryRecord($0, root: root) }
        nodes = snapshot.nodes.map {
            Node(node: $0.node, host: $0.host, pid: $0.pid, state: $0.state, startedAt: $0.startedAt,
                 secondsSinceHeartbeat: ($0.secondsSinceHeartbeat * 10).rounded() / 10, leaseSeconds: $0.leaseSeconds,
                 leaseExpired: $0.leaseExpired, recoveredBy: $0.recoveredBy, inHand: $0.inHand)
        }
    }
}
