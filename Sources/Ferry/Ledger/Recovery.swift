import Foundation

/// Runs at every start, before anything new is taken: finishes what a crashed or killed run left
/// half done, using the ledger's plans, and removes what can only be half-written.
public struct Recovery: Sendable {
    public let workspace: Workspace
    public let ledger: Ledger

    public init(workspace: Workspace, ledger: Ledger) {
        self.workspace = workspace
        self.ledger = ledger
    }

    /// What recovery did, for the log.
    public struct Outcome: Sendable, Equatable {
        /// Inputs returned to the inbox (processing had not reached delivery).
        public var returned: [String] = []
        /// Inputs whose planned moves were completed (delivery or failure was under way).
        public var completed: [String] = []
        /// Half-written staging files removed.
        public var removedPartials = 0
    }

    public func run() throws -> Outcome {
        var outcome = Outcome()
        let time = UTCDateTime.now()
        let executor = MoveExecutor(ledger: ledger)
        for (entry, moves) in try ledger.unfinished() {
            var report = FileReport(name: entry.name, template: entry.template, outcome: .delivered)
            (report.rowsRead, report.rowsWritten, report.rowsFiltered, report.rowsRejected) =
                (entry.rowsRead, entry.rowsWritten, entry.rowsFiltered, entry.rowsRejected)
            switch entry.state {
            case .delivering, .failing:
                let done = try executor.execute(moves, entry: entry.id)
                report.outputs = done.filter { $0.kind == .package }.map(\.destination)
                report.inputNowAt = done.last { $0.kind == .input }?.destination
                report.error = entry.error
                report.outcome = entry.state == .delivering ? .delivered : .failed
                try ledger.finish(entry.id, state: entry.state == .delivering ? .done : .failed, report: report, at: time)
                outcome.completed.append(entry.name)
            default:
                let work = workspace.work + "/" + entry.name
                if FileManager.default.fileExists(atPath: work) {
                    report.inputNowAt = try FileMover.moveNoReplace(work, into: workspace.inbox, name: entry.name)
                    outcome.returned.append(entry.name)
                }
                report.outcome = .retryLater
                report.error = "interrupted (the process crashed or was killed); returned to the inbox"
                try ledger.finish(entry.id, state: .interrupted, report: report, at: time)
            }
        }
        // Claimed by rename but killed before the ledger heard of it.
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: workspace.work)) ?? []).sorted() {
            _ = try FileMover.moveNoReplace(workspace.work + "/" + name, into: workspace.inbox, name: name)
            outcome.returned.append(name)
        }
        let pending = try ledger.pendingSources()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workspace.staging)) ?? [] {
            let path = workspace.staging + "/" + name
            guard !pending.contains(path) else { continue }
            try? FileManager.default.removeItem(atPath: path)
            outcome.removedPartials += 1
        }
        return outcome
    }
}
