/// What became of one input.
public struct FileReport: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// Outputs are in outbox/, the input in archive/.
        case delivered
        /// The input is in failed/ with its reason beside it.
        case failed
        /// A fault outside the input (disk full, permissions): the input went back to the inbox.
        case retryLater = "retry-later"
        /// The same content was delivered before: archived, no new outputs.
        case duplicate
        /// Outputs are complete but could not be moved into place (disk full, permissions); the
        /// ledger keeps the plan and the next attempt completes it.
        case deliveryWaiting = "delivery-waiting"
    }

    public var name: String
    public var template: String?
    public var outcome: Outcome
    public var rowsRead = 0
    public var rowsWritten = 0
    public var rowsFiltered = 0
    public var rowsRejected = 0
    /// Paths of delivered outputs (packages in outbox/).
    public var outputs: [String] = []
    /// Path of the rejects report, when rows were rejected.
    public var rejectsReport: String?
    /// Where the input ended up.
    public var inputNowAt: String?
    /// Why it failed, for people.
    public var error: String?
    /// Bundle members no template takes, left out of the outputs.
    public var ignoredMembers: [String] = []
    public var seconds: Double = 0

    public init(name: String, template: String?, outcome: Outcome) {
        self.name = name
        self.template = template
        self.outcome = outcome
    }
}

/// Totals of one `ferry run`.
public struct RunSummary: Sendable, Equatable {
    public var files: [FileReport] = []
    public var seconds: Double = 0
    /// Files found in the work area after a crash and returned to the inbox.
    public var recovered: [String] = []
    /// Deliveries planned by an earlier run that still cannot be completed.
    public var blockedDeliveries = 0

    public var delivered: Int { files.filter { $0.outcome == .delivered }.count }
    public var failed: Int { files.filter { $0.outcome == .failed }.count }
    public var duplicates: Int { files.filter { $0.outcome == .duplicate }.count }
    public var retryLater: Int { files.filter { $0.outcome == .retryLater || $0.outcome == .deliveryWaiting }.count }
    public var rowsRead: Int { files.reduce(0) { $0 + $1.rowsRead } }
    public var rowsWritten: Int { files.reduce(0) { $0 + $1.rowsWritten } }
    public var rowsFiltered: Int { files.reduce(0) { $0 + $1.rowsFiltered } }
    public var rowsRejected: Int { files.reduce(0) { $0 + $1.rowsRejected } }
    /// True when every input was delivered.
    public var succeeded: Bool { failed == 0 && retryLater == 0 && blockedDeliveries == 0 }
}
