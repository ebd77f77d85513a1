import Ferry

/// `ferry history --json`: one `entry` line per ledger entry, newest first.
public struct EntryRecord: Encodable, Sendable {
    public let version = JSONLine.schemaVersion
    public let type = "entry"
    public var id: Int64
    public var file: String
    public var size: Int64
    public var sha256: String
    public var template: String?
    /// claimed, delivering, failing, done, failed, duplicate, returned, ...: the ledger's states.
    public var state: String
    public var rowsRead: Int
    public var rowsWritten: Int
    public var rowsFiltered: Int
    public var rowsRejected: Int
    public var outputs: [String]
    public var inputNowAt: String?
    public var error: String?
    public var claimedAt: String
    public var finishedAt: String?
    public var seconds: Double?

    public init(_ entry: Ledger.Entry, root: String) {
        id = entry.id
        file = FileName.display(entry.name)
        size = entry.size
        sha256 = entry.digest
        template = entry.template
        state = entry.state.rawValue
        rowsRead = entry.rowsRead
        rowsWritten = entry.rowsWritten
        rowsFiltered = entry.rowsFiltered
        rowsRejected = entry.rowsRejected
        outputs = entry.outputs.map { WorkspacePath.relative($0, root: root) }
        inputNowAt = entry.inputNowAt.map { WorkspacePath.relative($0, root: root) }
        error = entry.error
        claimedAt = entry.claimedAt
        finishedAt = entry.finishedAt
        seconds = entry.seconds
    }
}

/// `ferry explain --json`: the same sentences `ferry explain` prints, most important first.
public struct ExplanationRecord: Encodable, Sendable {
    public let version = JSONLine.schemaVersion
    public let type = "explanation"
    public var file: String
    public var inInbox: Bool
    public var reasons: [String]

    public init(file: String, inInbox: Bool, reasons: [String]) {
        self.file = FileName.display(file)
        self.inInbox = inInbox
        self.reasons = reasons
    }
}
