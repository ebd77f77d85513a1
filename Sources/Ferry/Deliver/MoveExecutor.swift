#if canImport(Glibc)
import Glibc
import CLinux
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Carries out a ledger's move plan, recording each move's progress so that every step can be repeated
/// after a crash and a completed move is never made twice.
///
/// A move is one atomic rename that never replaces (`renameat2` with `RENAME_NOREPLACE`), between a
/// ledger mark `moving` before it and `done` after it. So recovery can tell: a `moving` or `done` move
/// whose source is gone was made (its package may since have been taken by the importer: it is not
/// delivered again); a `planned` move whose source and destination are both gone lost its file
/// (`LostStagedOutput`), which is never mistaken for a delivery.
struct MoveExecutor: Sendable {
    let ledger: Ledger

    /// A staged output of the plan (package, report, note) is gone and was never moved: someone
    /// removed it from `.ferry/staging/`. Delivering the rest would archive the input without it.
    struct LostStagedOutput: Error, CustomStringConvertible {
        var move: Ledger.Move
        /// Its place in the plan: the moves from here on were not made.
        var index: Int
        /// The moves of the plan that were made before.
        var done: [Ledger.Move]
        var description: String { "the staged \(move.kind.rawValue) \(move.source) is gone: it was removed before it could be delivered" }
    }

    /// What the plan's moves came to.
    struct Outcome {
        /// The moves made (now or before), with the destinations they really got.
        var done: [Ledger.Move] = []
        /// Input moves whose input was no longer in the work area (removed by someone else).
        var missingInputs: [Ledger.Move] = []
    }

    /// Planning and executing deliveries one at a time in this process keeps two workers from
    /// picking the same free name.
    static let deliveryLock = Mutex(())

    /// The first name in `folder` free of files (`name`, then `stem-2.ext` ...) and not among the
    /// paths already planned in `taken`; within `maxBytes` (see `FileName.fitted`), so that a name
    /// with a note's suffix added still fits.
    static func freeName(in folder: String, for name: String, avoiding taken: Set<String> = [],
                         maxBytes: Int = FileName.maxBytes) -> String {
        let (stem, suffix) = FileMover.split(name)
        for attempt in 1...9_999 {
            let candidate = FileName.fitted(attempt == 1 ? name : "\(stem)-\(attempt)\(suffix)", maxBytes: maxBytes)
            let path = folder + "/" + candidate
            if !taken.contains(path) && !SystemCall.exists(path) { return candidate }
        }
        return FileName.fitted("\(stem)-\(UInt32.random(in: 10_000...UInt32.max))\(suffix)", maxBytes: maxBytes)
    }

    /// Executes the moves in order, skipping those done before.
    func execute(_ moves: [Ledger.Move], entry: Int64, afterEach: (Int) -> Void = { _ in }) throws -> Outcome {
        var outcome = Outcome()
        for (index, planned) in moves.enumerated() {
            var move = planned
            var sourceInfo = stat()
            let sourceExists = SystemCall.lstat(move.source, &sourceInfo) == 0
            if move.state == .done || (move.state == .moving && !sourceExists) {
                if move.state == .moving { try ledger.mark(entry, move: index, .done) }
                outcome.done.append(move)
                continue
            }
            guard sourceExists else {
                if SystemCall.exists(move.destination) {
                    // Moved before a power cut took the ledger's mark.
                    try ledger.mark(entry, move: index, .done)
                    outcome.done.append(move)
                } else if move.kind == .input {
                    outcome.missingInputs.append(move)
                } else {
                    throw LostStagedOutput(move: move, index: index, done: outcome.done)
                }
                continue
            }
            try ledger.mark(entry, move: index, .moving)
            do {
                move.destination = try place(move, sourceInfo: sourceInfo) { renamed in
                    try ledger.mark(entry, move: index, .moving, destination: renamed)
                }
            } catch {
                try? ledger.mark(entry, move: index, .planned)
                throw error
            }
            CrashPoint.reach("linked")
            try ledger.mark(entry, move: index, .done)
            move.state = .done
            outcome.done.append(move)
            afterEach(index)
        }
        return outcome
    }

    /// Renames the move's source to its destination (or, when that name is taken, to a free variant it
    /// reports through `replan` first); returns the destination it got.
    /// With `syncing: false` the caller syncs the destination's folder (once for many renames into it).
    private func place(_ move: Ledger.Move, sourceInfo: stat, syncing: Bool = true, replan: (String) throws -> Void) throws -> String {
        var destination = move.destination
        let folder = Self.folder(of: destination)
        var createdFolder = false
        while true {
            if SystemCall.renameNoReplace(move.source, destination) == 0 {
                if syncing { FileMover.syncFolder(folder) }
                return destination
            }
            let code = errno
            switch code {
            case EEXIST:
                destination = folder + "/" + Self.freeName(in: folder, for: Self.lastComponent(of: destination))
                try replan(destination)
            case ENOENT where !createdFolder:
                // The folder went away while the plan waited (an archive day deleted by hand): made again.
                try Workspace.makeFolder(folder)
                createdFolder = true
            case EINVAL, ENOSYS, ENOTSUP:
                return try linkThenUnlink(move, to: destination, sourceInfo: sourceInfo, replan: replan)
            case EXDEV:
                throw FileSystemError(operation: "move a file across file systems to", path: destination, code: code)
            default:
                throw FileSystemError(operation: "move a file to", path: destination, code: code)
            }
        }
    }

    /// For file systems without `RENAME_NOREPLACE`: a hard link claims the name, then the source is
    /// removed. A source with a second link left by a crash in between was linked already.
    private func linkThenUnlink(_ move: Ledger.Move, to planned: String, sourceInfo: stat, replan: (String) throws -> Void) throws -> String {
        var destination = planned
        let folder = Self.folder(of: destination)
        if move.state == .moving && sourceInfo.st_nlink > 1 {
            SystemCall.unlink(move.source)
            return destination
        }
        while SystemCall.link(move.source, destination) != 0 {
            let code = errno
            var destinationInfo = stat()
            if code == EEXIST, SystemCall.lstat(destination, &destinationInfo) == 0 {
                if destinationInfo.st_ino == sourceInfo.st_ino && destinationInfo.st_dev == sourceInfo.st_dev { break }
                destination = folder + "/" + Self.freeName(in: folder, for: Self.lastComponent(of: destination))
                try replan(destination)
                continue
            }
            if code == EPERM || code == ENOTSUP {
                // No hard links either: a plain rename to a name that is still free.
                guard SystemCall.rename(move.source, destination) == 0 else {
                    throw FileSystemError(operation: "move a file to", path: destination, code: errno)
                }
                FileMover.syncFolder(folder)
                return destination
            }
            throw FileSystemError(operation: "move a file to", path: destination, code: code)
        }
        SystemCall.unlink(move.source)
        FileMover.syncFolder(folder)
        return destination
    }

    /// One delivery plan of a batch (`executeTogether`), and how far it got.
    struct BatchPlan {
        var entry: Int64
        /// The plan's moves, their states and destinations kept up to date.
        var moves: [Ledger.Move]
        var outcome = Outcome()
        /// The plan met something other than a planned rename of a file in place (a move made before, a
        /// missing file, a rename that failed): the rest is `execute`'s, which knows every case.
        var setAside = false
    }

    /// Executes the plans of a batch together, in rounds: the first move of every plan, then the second ...,
    /// so each plan keeps its order (packages before the input). A round's `moving` marks go in one transaction,
    /// then its renames, then one sync of each folder it renamed into, then its `done` marks in one
    /// transaction: a `done` mark is never recorded before its rename is on disk, as in `execute`.
    func executeTogether(_ plans: inout [BatchPlan], afterRound: (Int) -> Void = { _ in }) throws {
        let rounds = plans.map(\.moves.count).max() ?? 0
        for round in 0..<rounds {
            var renames: [(plan: Int, source: stat)] = []
            for index in plans.indices where !plans[index].setAside && round < plans[index].moves.count {
                var info = stat()
                guard plans[index].moves[round].state == .planned, SystemCall.lstat(plans[index].moves[round].source, &info) == 0 else {
                    plans[index].setAside = true
                    continue
                }
                renames.append((index, info))
            }
            guard !renames.isEmpty else { continue }
            try ledger.inOneTransaction(durable: false) {
                for (index, _) in renames { try ledger.mark(plans[index].entry, move: round, .moving) }
            }
            var renamed: [Int] = [], folders: [String] = []
            for (index, info) in renames {
                let entry = plans[index].entry
                do {
                    plans[index].moves[round].destination = try place(plans[index].moves[round], sourceInfo: info, syncing: false) { renamed in
                        try ledger.mark(entry, move: round, .moving, destination: renamed)
                    }
                } catch {
                    try ledger.mark(entry, move: round, .planned)
                    plans[index].setAside = true
                    continue
                }
                CrashPoint.reach("linked")
                renamed.append(index)
                let folder = Self.folder(of: plans[index].moves[round].destination)
                if !folders.contains(folder) { folders.append(folder) }
            }
            for folder in folders { FileMover.syncFolder(folder) }
            try ledger.inOneTransaction(durable: false) {
                for index in renamed { try ledger.mark(plans[index].entry, move: round, .done) }
            }
            for index in renamed {
                plans[index].moves[round].state = .done
                plans[index].outcome.done.append(plans[index].moves[round])
            }
            afterRound(round)
        }
    }

    static func folder(of path: String) -> String {
        String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    }

    private static func lastComponent(of path: String) -> String {
        String(path.split(separator: "/").last ?? "")
    }
}
