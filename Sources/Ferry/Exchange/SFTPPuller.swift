#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Takes files from partners' SFTP folders into the inbox, each remote file once.
///
/// A file is taken only when it is complete on the server: names ending in `.part`, `.tmp` or `.filepart` and hidden
/// names are never taken (the upload-then-rename convention), and any other file only when its size and modification
/// time are unchanged over the entry's `settle` seconds. It is downloaded into `.ferry/pulling/`, fsynced, recorded,
/// renamed into inbox/ (never replacing a file there), and only then removed (or moved) on the server:
///
/// | ledger says | local copy                     | next pass                                           |
/// |-------------|--------------------------------|-----------------------------------------------------|
/// | nothing     | partial, in `.ferry/pulling/`  | removed; the file is downloaded again               |
/// | fetched     | complete, in `.ferry/pulling/` | renamed into inbox/                                 |
/// | fetched     | gone (renamed into inbox/)     | recorded as in the inbox                            |
/// | inboxed     | in inbox/                      | the remote file is removed if it is still the one taken |
/// | done        |                                | nothing                                             |
public struct SFTPPuller: Sendable {
    public let workspace: Workspace
    public let ledger: Ledger
    public let entries: [SFTPPull]

    public init(workspace: Workspace, ledger: Ledger, entries: [SFTPPull]) {
        self.workspace = workspace
        self.ledger = ledger
        self.entries = entries
    }

    /// Where downloads are written before they are complete: on the inbox's file system, outside the inbox.
    var pulling: String { workspace.root + "/.ferry/pulling" }

    /// One pass: finishes interrupted pulls, lists each folder twice `settle` seconds apart, takes the files that held still.
    public func run(log: @escaping ExchangeLog) -> ExchangeReport {
        var report = ExchangeReport()
        do {
            try Workspace.makeFolder(pulling)
            try Workspace.makeFolder(workspace.inbox)
        } catch {
            report.failures.append("cannot prepare \(pulling): \(error)")
            return report
        }
        let attempts = entries.map { SFTPAttempts(label: $0.name, server: $0.server, retry: $0.retry, log: log) }
        var unfinished: Set<String> = []
        for (entry, attempts) in zip(entries, attempts) {
            do {
                for transfer in try ledger.unfinishedPulls(exchange: entry.name) {
                    unfinished.insert(transfer.localPath)
                    try finish(transfer, entry: entry, attempts: attempts)
                    unfinished.remove(transfer.localPath)
                }
            } catch {
                report.failures.append("\(entry.name): cannot finish an interrupted pull: \(error)")
            }
        }
        removeStrayDownloads(keeping: unfinished)
        for (entry, attempts) in zip(entries, attempts) {
            do {
                for file in try stableFiles(entry, attempts: attempts) {
                    do {
                        if let inbox = try attempts.run("pull \(file.name)", { connection in try pull(file, entry: entry, over: connection) }) {
                            report.pulled.append("\(entry.name): \(entry.server.display)/\(file.name) -> inbox/\((inbox as NSString).lastPathComponent)")
                        }
                    } catch {
                        report.failures.append("\(entry.name): \(entry.server.path(file.name)) not pulled: \(error)")
                        if let ssh = error as? SSHError, ssh.concernsTheServer || !ssh.isRetryable { break }
                    }
                }
            } catch {
                report.failures.append("\(entry.name): \(error)")
            }
        }
        return report
    }

    /// The folder's files that may be taken and kept their size and time across `settle` seconds.
    private func stableFiles(_ entry: SFTPPull, attempts: SFTPAttempts) throws -> [RemoteFile] {
        let folder = entry.server.folder
        let first = try attempts.run("list \(folder)") { connection in try connection.list(folder) }.filter { $0.isRegular && entry.selects($0.name) }
        guard !first.isEmpty else { return [] }
        if entry.settleSeconds > 0 { Thread.sleep(forTimeInterval: entry.settleSeconds) }
        let second = try attempts.run("list \(folder)") { connection in try connection.list(folder) }
        let now = Dictionary(second.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return first.filter { now[$0.name] == $0 }.sorted { $0.name < $1.name }
    }

    /// Downloads, syncs, records and renames `file` into the inbox, then removes it on the server; nil when the file
    /// changed meanwhile (it is taken on a later pass).
    private func pull(_ file: RemoteFile, entry: SFTPPull, over connection: SFTPConnection) throws -> String? {
        let remote = entry.server.path(file.name)
        guard try connection.attributes(remote).map({ $0.size == file.size && $0.modified == file.modified }) == true else { return nil }
        let temporary = pulling + "/" + FileName.fitted("\(entry.name)-\(UUID().uuidString.prefix(8))-\(file.name)")
        var kept = false
        defer { if !kept { unlinkQuietly(temporary) } }
        let output = try OutputFile(creating: temporary)
        let received = try connection.download(remote, into: output)
        try output.syncAndClose()
        guard received == file.size, try connection.attributes(remote).map({ $0.size == file.size && $0.modified == file.modified }) == true else {
            return nil
        }
        let id = try ledger.beginPull(exchange: entry.name, localPath: temporary, remotePath: remote, size: file.size, modified: file.modified, at: .now())
        kept = true
        CrashPoint.reach("pull-fetched")
        let inbox = try moveIntoInbox(temporary, name: file.name)
        try ledger.mark(transfer: id, .inboxed, localPath: inbox, at: .now())
        CrashPoint.reach("pull-inboxed")
        try removeRemote(remote, size: file.size, modified: file.modified, entry: entry, over: connection)
        try ledger.mark(transfer: id, .done, at: .now())
        return inbox
    }

    /// Completes a pull a stop interrupted, by the table above.
    private func finish(_ transfer: Ledger.Transfer, entry: SFTPPull, attempts: SFTPAttempts) throws {
        if transfer.state == .fetched {
            var localPath: String? = nil
            if SystemCall.exists(transfer.localPath) {
                localPath = try moveIntoInbox(transfer.localPath, name: Self.remoteName(transfer.remotePath))
            }
            try ledger.mark(transfer: transfer.id, .inboxed, localPath: localPath, at: .now())
        }
        try attempts.run("finish the pull of \(transfer.remotePath)") { connection in
            try removeRemote(transfer.remotePath, size: transfer.size, modified: transfer.modified, entry: entry, over: connection)
        }
        try ledger.mark(transfer: transfer.id, .done, at: .now())
    }

    /// Removes or moves the remote file, if it is still the one taken (a new upload under the same name stays).
    private func removeRemote(_ remote: String, size: Int64, modified: Int64, entry: SFTPPull, over connection: SFTPConnection) throws {
        guard let now = try connection.attributes(remote), now.size == size, now.modified == modified else { return }
        switch entry.remote {
        case .delete:
            try connection.remove(remote)
        case .move(let folder):
            let name = Self.remoteName(remote)
            let target = folder + "/" + name
            do {
                try connection.rename(remote, to: target)
            } catch where error.kind == .remote(status: SFTPStatus.failure) {
                // The name is taken in the done folder: keep both.
                try connection.rename(remote, to: target + "." + UTCDateTime.now().compact)
            }
        }
    }

    /// Renames the complete download into inbox/ under its remote name, or `name-2`... when that is taken.
    private func moveIntoInbox(_ temporary: String, name: String) throws -> String {
        let (stem, suffix) = FileName.splitExtensions(name)
        for attempt in 1...999 {
            let destination = workspace.inbox + "/" + FileName.fitted(attempt == 1 ? name : "\(stem)-\(attempt)\(suffix)")
            if SystemCall.renameNoReplace(temporary, destination) == 0 {
                FileMover.syncFolder(workspace.inbox)
                return destination
            }
            switch errno {
            case EEXIST: continue
            case EINVAL, ENOSYS: return try FileMover.moveNoReplace(temporary, into: workspace.inbox, name: name)
            default: throw FileSystemError(operation: "move a pulled file to", path: destination, code: errno)
            }
        }
        throw FileSystemError(operation: "find a free name for", path: workspace.inbox + "/" + name, code: EEXIST)
    }

    /// Downloads a stop cut short: no ledger record points at them, so they are removed and fetched again.
    private func removeStrayDownloads(keeping: Set<String>) {
        for name in workspace.names(in: pulling) where !keeping.contains(pulling + "/" + name) {
            unlinkQuietly(pulling + "/" + name)
        }
    }

    private static func remoteName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
