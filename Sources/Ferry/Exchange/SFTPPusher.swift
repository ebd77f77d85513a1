#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers outbox packages to partners' SFTP servers, each package once per push entry.
///
/// A package is uploaded as `<name>.part`, its size checked on the server, renamed to `<name>` (a plain SFTP
/// rename, which OpenSSH refuses when the name exists: nothing of the partner's is overwritten), checked again,
/// and recorded as delivered with its remote path. The ledger hears of each step before the next one, so a
/// crash or a dropped connection at any point is finished on the next attempt without a second delivery:
///
/// | ledger says | on the server                  | next attempt                                        |
/// |-------------|--------------------------------|-----------------------------------------------------|
/// | nothing     | nothing                        | upload                                              |
/// | uploading   | a `.part`, maybe partial       | upload again from the start (the `.part` is truncated) |
/// | uploaded    | complete `.part`               | rename, record delivered                            |
/// | uploaded    | `<name>`, right size           | record delivered (the rename happened)              |
/// | uploaded    | neither                        | record delivered (renamed, and the partner took it) |
/// | delivered   | anything                       | nothing: never pushed twice                         |
public struct SFTPPusher: Sendable {
    public let workspace: Workspace
    public let ledger: Ledger
    public let entries: [SFTPPush]

    public init(workspace: Workspace, ledger: Ledger, entries: [SFTPPush]) {
        self.workspace = workspace
        self.ledger = ledger
        self.entries = entries
    }

    /// One pass over outbox/ for every push entry.
    public func run(log: @escaping ExchangeLog) -> ExchangeReport {
        var report = ExchangeReport()
        let packages = workspace.names(in: workspace.outbox).filter { isRegularFile(workspace.outbox + "/" + $0) }.sorted()
        for entry in entries {
            let attempts = SFTPAttempts(label: entry.name, server: entry.server, retry: entry.retry, log: log)
            for package in packages where entry.selects(package) {
                do {
                    if try ledger.push(exchange: entry.name, package: package)?.state == .delivered { continue }
                    let remote = try attempts.run("push \(package)") { connection in try deliver(package, entry: entry, over: connection) }
                    report.pushed.append("\(entry.name): outbox/\(package) -> \(entry.server.user)@\(entry.server.host):\(entry.server.port)/\(remote)")
                } catch {
                    report.failures.append("\(entry.name): outbox/\(package) not delivered: \(error)")
                    // A server that is down, or refuses the host key or login, fails every package alike: the rest wait
                    // for the next pass (one line, not one per package, and no backoff per package).
                    if let ssh = error as? SSHError, ssh.concernsTheServer { break }
                }
            }
        }
        removeDeliveredCopies(packages, report: &report)
        return report
    }

    /// Takes the package from wherever the ledger left it to delivered; returns its remote path.
    private func deliver(_ package: String, entry: SFTPPush, over connection: SFTPConnection) throws -> String {
        let local = workspace.outbox + "/" + package
        let remote = entry.server.path(package), part = remote + ".part"
        let size = try FileReader(path: local).size
        if let record = try ledger.push(exchange: entry.name, package: package), record.state == .uploaded {
            if let final = try connection.attributes(remote) {
                guard final.size == record.size else {
                    throw SSHError(.nameTaken, "deliver \(package)", "\(remote) on the server has \(final.size) bytes, not \(record.size): not ours; rename or remove it on the server")
                }
                try ledger.mark(transfer: record.id, .delivered, at: .now())
                return remote
            }
            if let uploaded = try connection.attributes(part), uploaded.size == record.size {
                return try rename(part, to: remote, size: record.size, transfer: record.id, over: connection)
            }
            if try connection.attributes(part) == nil {
                try ledger.mark(transfer: record.id, .delivered, error: "renamed before a stop; already taken from the server by the partner", at: .now())
                return remote
            }
        }
        if try connection.attributes(remote) != nil {
            throw SSHError(.nameTaken, "deliver \(package)", "\(remote) exists on the server already and Ferry did not put it there: not overwritten; rename or remove it on the server")
        }
        let id = try ledger.beginPush(exchange: entry.name, package: package, remotePath: remote, size: size, at: .now())
        let sent = try connection.upload(local, to: part)
        let uploaded = try connection.attributes(part)
        guard sent == size, uploaded?.size == size else {
            throw SSHError(.sizeMismatch, "upload \(package) to \(part)", "the server holds \(uploaded?.size ?? -1) bytes of \(size)")
        }
        try ledger.mark(transfer: id, .uploaded, at: .now())
        CrashPoint.reach("push-uploaded")
        return try rename(part, to: remote, size: size, transfer: id, over: connection)
    }

    private func rename(_ part: String, to remote: String, size: Int64, transfer id: Int64, over connection: SFTPConnection) throws -> String {
        try connection.rename(part, to: remote)
        CrashPoint.reach("push-renamed")
        if let final = try connection.attributes(remote), final.size != size {
            throw SSHError(.sizeMismatch, "check \(remote)", "the server holds \(final.size) bytes of \(size) after the rename")
        }
        try ledger.mark(transfer: id, .delivered, at: .now())
        return remote
    }

    /// A package every selecting entry has delivered leaves outbox/ when those entries all say `local_copy: delete`.
    private func removeDeliveredCopies(_ packages: [String], report: inout ExchangeReport) {
        for package in packages {
            let selecting = entries.filter { $0.selects(package) }
            guard !selecting.isEmpty, selecting.allSatisfy({ $0.localCopy == .delete }) else { continue }
            let delivered = selecting.allSatisfy { (try? ledger.push(exchange: $0.name, package: package))??.state == .delivered }
            if delivered { unlinkQuietly(workspace.outbox + "/" + package) }
        }
    }

    private func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return SystemCall.lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
