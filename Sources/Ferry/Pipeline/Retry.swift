#if canImport(Glibc)
import Glibc
import CLinux
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `ferry retry`: after a fix, puts failed inputs back into the inbox for another attempt. Their old
/// failure notes and rejects reports are removed (a note always pairs with its input; the ledger keeps
/// the old reason), and the ledger records the retry, so a quarantined input's crash count starts over.
public struct Retry: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    public struct Outcome: Sendable {
        /// Inputs put back: the name in failed/ and where each is now.
        public var moved: [(name: String, now: String)] = []
        /// Inputs left where they are, and why.
        public var skipped: [(name: String, reason: String)] = []
    }

    /// Retries the named inputs of failed/ (`accounts.csv`, `failed/accounts.csv` or its note's name), or
    /// every input there when `names` is nil.
    public func run(_ names: [String]?) throws -> Outcome {
        let ledger = try Ledger(workspace: workspace)
        let pending = try ledger.unfinished().flatMap(\.moves).map(\.destination)
        var outcome = Outcome()
        for name in try names.map { $0.map(Self.inputName) } ?? inputsInFailed() {
            let path = workspace.failed + "/" + name
            var info = stat()
            guard SystemCall.lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                outcome.skipped.append((name, "failed/ has no input of that name"))
                continue
            }
            guard !pending.contains(path) else {
                outcome.skipped.append((name, "it is still being moved into failed/; try again in a moment"))
                continue
            }
            guard !SystemCall.exists(workspace.inbox + "/" + name) else {
                outcome.skipped.append((name, "the inbox already has a file named \(FileName.display(name))"))
                continue
            }
            // No-replace: a file of that name arriving in the inbox meanwhile is never overwritten.
            guard SystemCall.renameNoReplace(path, workspace.inbox + "/" + name) == 0 else {
                outcome.skipped.append((name, "cannot move it into the inbox: \(SystemCall.describe(errno))"))
                continue
            }
            for side in [".error.txt", ".rejects.csv"] { unlinkQuietly(workspace.failed + "/" + FailurePlan.noteStem(of: name) + side) }
            try ledger.retried(name: name, size: Int64(info.st_size), from: path, to: workspace.inbox + "/" + name, at: UTCDateTime.now())
            outcome.moved.append((name, workspace.inbox + "/" + name))
        }
        return outcome
    }

    /// The inputs in failed/: every file but the notes and rejects reports beside them.
    private func inputsInFailed() throws -> [String] {
        try InboxIndex.list(workspace.failed).filter { name in
            !name.hasPrefix(".") && !name.hasSuffix(".error.txt") && !name.hasSuffix(".rejects.csv")
        }.sorted()
    }

    /// `failed/x.csv`, `x.csv.error.txt` and `x.csv.rejects.csv` all name the input `x.csv`.
    static func inputName(_ given: String) -> String {
        var name = (given as NSString).lastPathComponent
        for side in [".error.txt", ".rejects.csv"] where name.hasSuffix(side) { name = String(name.dropLast(side.count)) }
        return name
    }
}
