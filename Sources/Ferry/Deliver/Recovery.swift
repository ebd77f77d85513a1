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
        /// Inputs whose staged outputs had vanished before delivery: returned to the inbox to be
        /// processed again, or (when part was delivered) failed with a note saying what was lost.
        public var lost: [FileReport] = []
        /// Half-written staging files removed.
        public var removedPartials = 0
        /// Plans that could not be completed yet, with the reason.
        public var blocked: [String] = []
    }

    public func run() throws -> Outcome {
        let time = UTCDateTime.now()
        var outcome = try completePlans()
        // Ferry's own crash leaves a mark; a stop from outside (kill -9, the OOM killer, a power cut) does not.
        let marker = CrashMarker.path(inState: workspace.state)
        let crashes = CrashMarker.crashes(at: marker)
        for (entry, _) in try ledger.unfinished() where entry.state == .claimed || entry.state == .prepared {
            var report = FileReport(name: entry.name, template: entry.template, outcome: .retryLater)
            let work = workspace.work + "/" + entry.name
            if SystemCall.exists(work) {
                report.inputNowAt = try FileMover.moveNoReplace(work, into: workspace.inbox, name: entry.name)
                outcome.returned.append(entry.name)
            }
            if entry.state == .prepared {
                // Its processing had ended: a stop then was not its content's doing, and counts towards no quarantine.
                report.error = "Ferry stopped while this input's delivery waited for the rest of its batch (its processing had ended); returned to the inbox"
                try ledger.finish(entry.id, state: .returned, report: report, at: time)
            } else if let signal = crashes.first {
                report.error = "Ferry crashed (\(CrashMarker.name(of: signal))) while processing it; returned to the inbox"
                try ledger.finish(entry.id, state: .crashed, report: report, at: time)
            } else {
                report.error = "Ferry was stopped from outside (killed, the OOM killer, a shutdown or power cut) while processing it; returned to the inbox"
                try ledger.finish(entry.id, state: .interrupted, report: report, at: time)
            }
        }
        CrashMarker.clear(at: marker)
        let pending = try ledger.pendingSources()
        // Claimed by rename but killed before the ledger heard of it (inputs of waiting plans stay).
        for name in (SystemCall.names(in: workspace.work) ?? []).sorted() {
            let path = workspace.work + "/" + name
            guard !pending.contains(path) else { continue }
            _ = try FileMover.moveNoReplace(path, into: workspace.inbox, name: name)
            outcome.returned.append(name)
        }
        // What units were writing when the process died (a unit's folder keeps what its waiting plan needs).
        for name in SystemCall.names(in: workspace.staging) ?? [] {
            let path = workspace.staging + "/" + name
            guard !pending.contains(path) else { continue }
            removeFiles(below: path, keeping: pending)
            outcome.removedPartials += 1
        }
        return outcome
    }

    /// Completes the delivery and failure plans that are waiting (a crash, or a fault such as a full
    /// disk while moving), except for the inputs named in `busy`.
    public func completePlans(except busy: Set<String> = []) throws -> Outcome {
        let time = UTCDateTime.now()
        let executor = MoveExecutor(ledger: ledger)
        var outcome = Outcome()
        for (entry, moves) in try ledger.unfinished() where !busy.contains(entry.name) && entry.state != .claimed && entry.state != .prepared {
            do {
                let done = try MoveExecutor.deliveryLock.withLock { _ in try executor.execute(moves, entry: entry.id) }
                try close(entry, with: done, at: time)
                outcome.completed.append(entry.name)
            } catch let lost as MoveExecutor.LostStagedOutput {
                do {
                    outcome.lost.append(try settle(lost, entry: entry, moves: moves, at: time))
                } catch let error as FileSystemError {
                    outcome.blocked.append("\(entry.name): \(error)")
                }
            } catch let error as FileSystemError {
                // Still blocked (full disk, permissions): the plan waits for the next attempt.
                outcome.blocked.append("\(entry.name): \(error)")
            }
        }
        return outcome
    }

    /// Records the end of an entry whose planned moves are all made.
    private func close(_ entry: Ledger.Entry, with done: MoveExecutor.Outcome, at time: UTCDateTime) throws {
        var report = Self.report(for: entry, outcome: entry.state == .delivering ? .delivered : .failed)
        report.outputs = done.done.filter { $0.kind == .package }.map(\.destination)
        report.inputNowAt = done.done.last { $0.kind == .input }?.destination
        report.error = entry.state == .failing ? entry.error : nil
        if !done.missingInputs.isEmpty {
            let note = "the input was no longer in .ferry/work/ (removed by someone else), so it was not moved to \(entry.state == .delivering ? "archive/" : "failed/")"
            report.error = [report.error, note].compactMap { $0 }.joined(separator: "; ")
        }
        try ledger.finish(entry.id, state: entry.state == .delivering ? .done : .failed, report: report, at: time)
    }

    static func report(for entry: Ledger.Entry, outcome: FileReport.Outcome) -> FileReport {
        var report = FileReport(name: entry.name, template: entry.template, outcome: outcome)
        (report.rowsRead, report.rowsWritten, report.rowsFiltered, report.rowsRejected) =
            (entry.rowsRead, entry.rowsWritten, entry.rowsFiltered, entry.rowsRejected)
        report.seconds = entry.seconds ?? 0
        return report
    }
}
