#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The folders Ferry works in: inbox/ (drops), outbox/ (packages), archive/ (done inputs),
/// failed/ (inputs with a reason beside them), reports/ (rejected rows) and .ferry/ (its own state).
public struct Workspace: Sendable {
    public let root: String
    public var inbox: String { root + "/inbox" }
    public var outbox: String { root + "/outbox" }
    public var archive: String { root + "/archive" }
    public var failed: String { root + "/failed" }
    public var reports: String { root + "/reports" }
    /// Claimed inputs being worked on; a crash leaves them here, and the next start returns them.
    public var work: String { root + "/.ferry/work" }
    /// Outputs being written; never visible in outbox/ until complete.
    public var staging: String { root + "/.ferry/staging" }

    public init(root: String) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
    }

    /// Creates missing folders.
    public func prepare() throws {
        for folder in [inbox, outbox, archive, failed, reports, work, staging] {
            try Self.makeFolder(folder)
        }
    }

    /// For commands that only read (status, history, explain): a missing workspace is a typo in
    /// `--root`, not a new workspace to create.
    public func checkExists() throws(Missing) {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Missing(root: root, reason: "the folder does not exist")
        }
        guard access(inbox, F_OK) == 0 || access(root + "/.ferry", F_OK) == 0 else {
            throw Missing(root: root, reason: "it has neither inbox/ nor .ferry/")
        }
    }

    /// A read-only command pointed at a folder that is not a workspace.
    public struct Missing: Error, CustomStringConvertible {
        public var root: String
        public var reason: String
        public var description: String {
            "no Ferry workspace at \(root): \(reason) (check --root; `ferry run` or `ferry watch` creates a workspace)"
        }
    }

    /// `mkdir -p`.
    static func makeFolder(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            try makeFolder((path as NSString).deletingLastPathComponent)
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        throw DeliveryError(operation: "create folder", path: path, code: errno)
    }
}
