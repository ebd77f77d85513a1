#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `ferry ledger rebuild`: a new ledger for a workspace whose ledger was lost or damaged. Every input in
/// archive/ becomes a `done` entry with its content digest (so the same content dropped again is a
/// duplicate, as before), every input in failed/ a `failed` one; packages still in outbox/ and reports
/// are linked to their input by the input's name in theirs. A damaged ledger is kept beside the new one.
public struct LedgerRebuild: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    public struct Summary: Sendable {
        public var archived = 0
        public var failed = 0
        /// Where the damaged ledger was put, if there was one.
        public var setAside: String?
    }

    /// With `empty`, the new ledger starts with no history (content delivered before is delivered again).
    public func run(empty: Bool, at time: UTCDateTime = .now()) throws -> Summary {
        let lock = try WorkspaceLock(workspace: workspace)
        defer { withExtendedLifetime(lock) {} }
        var summary = Summary()
        let path = workspace.root + "/.ferry/ledger.sqlite3"
        do {
            // The shared ledger (PostgreSQL) is rebuilt into an empty database the same way; it is never damaged here.
            let existing = try Ledger(workspace: workspace, createAnyway: true)
            let entries = try existing.count()
            if entries > 0 { throw LedgerError.healthy(path: existing.path, entries: entries) }
        } catch LedgerError.damaged {
            let aside = path + ".damaged-" + time.compact
            for suffix in ["", "-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
                guard rename(path + suffix, aside + suffix) == 0 else {
                    throw FileSystemError(operation: "set aside the damaged ledger as", path: aside + suffix, code: errno)
                }
            }
            summary.setAside = aside
        }
        let ledger = try Ledger(workspace: workspace, createAnyway: true)
        guard !empty else { return summary }
        let outputs = Self.visible(workspace.outbox).map { workspace.outbox + "/" + $0 } + Self.visible(workspace.reports).map { workspace.reports + "/" + $0 }
        var found: [Ledger.FoundInput] = []
        let note = "entry rebuilt by `ferry ledger rebuild` on \(time.iso8601) from the file found in"
        for day in Self.visible(workspace.archive).sorted() {
            for name in Self.visible(workspace.archive + "/" + day).sorted() {
                found.append(try input(workspace.archive + "/" + day + "/" + name, state: .done, outputs: outputs, note: note + " archive/"))
            }
        }
        summary.archived = found.count
        let notes = [".error.txt", ".rejects.csv"]
        for name in Self.visible(workspace.failed).sorted() where !notes.contains(where: name.hasSuffix) {
            found.append(try input(workspace.failed + "/" + name, state: .failed, outputs: [],
                                   note: note + " failed/; the reason is in \(name).error.txt"))
        }
        summary.failed = found.count - summary.archived
        try ledger.record(found: found)
        return summary
    }

    private func input(_ path: String, state: Ledger.State, outputs: [String], note: String) throws -> Ledger.FoundInput {
        var info = stat()
        guard SystemCall.withPath(path, { stat($0, &info) }) == 0 else { throw FileSystemError(operation: "read", path: path, code: errno) }
        let name = String(path.split(separator: "/").last ?? "")
        let marker = "-" + FileMover.split(name).stem + "-"
        // Output names are `<target>-<input stem>-<UTC time>...`.
        let own = outputs.filter { output in
            let file = output.split(separator: "/").last.map(String.init) ?? ""
            guard let range = file.range(of: marker) else { return false }
            return file[range.upperBound...].prefix(8).allSatisfy(\.isNumber)
        }
        return Ledger.FoundInput(name: name, size: Int64(info.st_size), digest: try SHA256.file(path, displayName: name), state: state,
                                 path: path, outputs: own, note: note, time: UTCDateTime(secondsSince1970: Int(info.st_ctim.tv_sec)))
    }

    private static func visible(_ folder: String) -> [String] {
        (SystemCall.names(in: folder) ?? []).filter { !$0.hasPrefix(".") }
    }
}
