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
