#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Recovery {
    /// Settles a plan one of whose staged outputs vanished before it was moved (someone emptied
    /// `.ferry/staging/`): an input is never archived without its package.
    ///
    /// - Nothing was delivered yet: the rest of the staged outputs is dropped and the input goes back
    ///   to the inbox, to be processed again (`returned`).
    /// - A package was delivered already: delivering it again could duplicate it, so the input goes to
    ///   failed/ with a note naming what was delivered and what was lost (`failed`).
    /// - A failure plan lost its note or rejects report: a new note is written from the ledger.
    func settle(_ lost: MoveExecutor.LostStagedOutput, entry: Ledger.Entry, moves: [Ledger.Move], at time: UTCDateTime) throws -> FileReport {
        let open = Array(moves[lost.index...])
        let inputs = open.filter { $0.kind == .input && access($0.source, F_OK) == 0 }
            .map { (name: Self.lastComponent($0.source), path: $0.source) }
        if entry.state == .failing {
            return try fail(entry, inputs: inputs, discarding: open, rejects: open.first { $0.kind == .report && access($0.source, F_OK) == 0 }?.source,
                            error: (entry.error ?? "failed") + "\n\n(The first note was removed from .ferry/staging/ before it was moved here; this one was written again from the ledger.)",
                            at: time)
        }
        let delivered = lost.done.filter { $0.kind == .package }
        guard delivered.isEmpty else {
            let names = delivered.map { Self.lastComponent($0.destination) }.joined(separator: ", ")
            let error = """
                only part of this input was delivered: \(names) reached outbox/, but its staged \(lost.move.kind.rawValue) \
                (\(Self.lastComponent(lost.move.destination))) was removed from .ferry/staging/ before it could be moved, so it was never delivered
                """
            return try fail(entry, inputs: inputs, discarding: open, rejects: nil, error: error, at: time,
                            hint: "Check what the target system imported from \(names). To deliver this input again in full, put it back into inbox/ and run `ferry run --force`.")
        }
        for move in open where move.kind != .input { unlinkQuietly(move.source) }
        var report = Self.report(for: entry, outcome: .retryLater)
        for input in inputs { report.inputNowAt = try FileMover.moveNoReplace(input.path, into: workspace.inbox, name: input.name) }
        report.error = """
            its staged \(lost.move.kind.rawValue) was removed from .ferry/staging/ before it was delivered: nothing of it was delivered, \
            and the input went back to the inbox to be processed again
            """
        try ledger.finish(entry.id, state: .returned, report: report, at: time)
        return report
    }

    /// Sends the inputs to failed/ with a note, through a new plan; the staged outputs of the old one go.
    private func fail(_ entry: Ledger.Entry, inputs: [(name: String, path: String)], discarding open: [Ledger.Move], rejects: String?,
                      error: String, at time: UTCDateTime, hint: String? = nil) throws -> FileReport {
        for move in open where move.kind != .input && move.source != rejects { unlinkQuietly(move.source) }
        var report = Self.report(for: entry, outcome: .failed)
        report.error = error
        let notes = try inputs.map { input in
            try FailureNote.stage(FailureNote.text(file: input.name, template: nil, error: error, at: time, hint: hint ?? FailureNote.tryAgain),
                                  stagingFolder: workspace.staging)
        }
        let moves = FailurePlan.moves(inputs: inputs, notes: notes, rejectsPath: rejects, failedFolder: workspace.failed)
        try ledger.plan(entry.id, state: .failing, moves: moves, report: report)
        let done = try MoveExecutor.deliveryLock.withLock { _ in try MoveExecutor(ledger: ledger).execute(moves, entry: entry.id) }
        report.inputNowAt = done.done.last { $0.kind == .input }?.destination
        try ledger.finish(entry.id, state: .failed, report: report, at: time)
        return report
    }

    static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? "")
    }
}
