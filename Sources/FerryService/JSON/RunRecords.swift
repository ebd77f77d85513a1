import Ferry

/// `ferry run --json`: a `file` line per input as it finishes, a `summary` line at the end.
public struct FileRecord: Encodable, Sendable {
    public let version = JSONLine.schemaVersion
    public let type = "file"
    public var file: String
    public var template: String?
    /// delivered, failed, duplicate, retry-later, delivery-waiting
    public var outcome: String
    public var rowsRead: Int
    public var rowsWritten: Int
    public var rowsFiltered: Int
    public var rowsRejected: Int
    public var outputs: [String]
    public var rejectsReport: String?
    public var inputNowAt: String?
    public var error: String?
    public var ignoredMembers: [String]
    public var seconds: Double

    /// Paths inside the workspace are given relative to its root.
    public init(_ report: FileReport, root: String) {
        file = FileName.display(report.name)
        template = report.template
        outcome = report.outcome.rawValue
        rowsRead = report.rowsRead
        rowsWritten = report.rowsWritten
        rowsFiltered = report.rowsFiltered
        rowsRejected = report.rowsRejected
        outputs = report.outputs.map { WorkspacePath.relative($0, root: root) }
        rejectsReport = report.rejectsReport.map { WorkspacePath.relative($0, root: root) }
        inputNowAt = report.inputNowAt.map { WorkspacePath.relative($0, root: root) }
        error = report.error
        ignoredMembers = report.ignoredMembers.map(FileName.display)
        seconds = report.seconds
    }
}

public struct SummaryRecord: Encodable, Sendable {
    public let version = JSONLine.schemaVersion
    public let type = "summary"
    public var files: Int
    public var delivered: Int
    public var duplicates: Int
    public var failed: Int
    /// Put back into the inbox, or complete but not yet moved into place.
    public var retryLater: Int
    /// Deliveries planned by an earlier run that still cannot be completed.
    public var blockedDeliveries: Int
    public var rowsRead: Int
    public var rowsWritten: Int
    public var rowsFiltered: Int
    public var rowsRejected: Int
    /// Found in the work area after a crash and put back into the inbox.
    public var recovered: [String]
    public var seconds: Double
    /// `ferry run --dry-run`: the scratch folder holding the would-be outputs.
    public var dryRunFolder: String?

    public init(_ summary: RunSummary, dryRunFolder: String? = nil) {
        files = summary.files.count
        delivered = summary.delivered
        duplicates = summary.duplicates
        failed = summary.failed
        retryLater = summary.retryLater
        blockedDeliveries = summary.blockedDeliveries
        rowsRead = summary.rowsRead
        rowsWritten = summary.rowsWritten
        rowsFiltered = summary.rowsFiltered
        rowsRejected = summary.rowsRejected
        recovered = summary.recovered.map(FileName.display)
        seconds = summary.seconds
        self.dryRunFolder = dryRunFolder
    }
}

/// Paths as a script in the workspace's root would use them.
enum WorkspacePath {
    static func relative(_ path: String, root: String) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        let shown = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
        return FileName.display(shown)
    }
}
