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
    /// The node this process is, when several share the workspace through a PostgreSQL ledger; nil alone.
    public let node: String?
    /// This process's own state: `.ferry/`, or `.ferry/nodes/<node>/` for a node (its work area, staging and locks).
    public let state: String
    /// Claimed inputs being worked on; a crash leaves them here, and the next start returns them.
    public var work: String { state + "/work" }
    /// Outputs being written; never visible in outbox/ until complete. A unit in hand writes into a
    /// folder below it (`staging(subfolder:)`).
    public private(set) var staging: String

    public init(root: String, node: String? = nil) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
        self.node = node
        state = self.root + "/.ferry" + (node.map { "/nodes/" + $0 } ?? "")
        staging = state + "/staging"
    }

    /// The same workspace as node `node` works in it (its own work area and staging).
    public func asNode(_ node: String) -> Workspace {
        Workspace(root: root, node: node)
    }

    /// This workspace with outputs staged in `<state>/staging/<subfolder>/`: whatever one input unit writes
    /// there (packages, deflated parts, rejects, key spills) can be removed at once when it fails.
    func staging(subfolder: String) -> Workspace {
        var unit = self
        unit.staging = state + "/staging/" + subfolder
        return unit
    }

    /// Creates missing folders, and checks that they are on one file system.
    /// The names in one of the workspace's folders as the file system has them (see `FileName`), unsorted;
    /// empty when it cannot be read.
    public func names(in folder: String) -> [String] {
        SystemCall.names(in: folder) ?? []
    }

    public func prepare() throws {
        for folder in [inbox, outbox, archive, failed, reports, work, staging] {
            try Self.makeFolder(folder)
        }
        try checkOneFileSystem()
    }

    /// Ferry moves inputs and packages between these folders by rename, which cannot cross file systems
    /// (EXDEV): a folder mounted from elsewhere would leave inputs in `.ferry/work/` for good.
    public func checkOneFileSystem() throws(SplitFileSystems) {
        func device(_ path: String) -> UInt64? {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_dev) : nil
        }
        guard let home = device(work) else { return }
        let named = [("inbox/", inbox), ("outbox/", outbox), ("archive/", archive), ("failed/", failed), ("reports/", reports),
                     (".ferry/staging/", staging)]
        let apart = named.filter { device($0.1).map { $0 != home } ?? false }
        guard apart.isEmpty else {
            throw SplitFileSystems(folders: apart.map { "\($0.0) (\(Self.realPath($0.1)))" }, reference: Self.realPath(work))
        }
    }

    /// Workspace folders on different file systems.
    public struct SplitFileSystems: Error, CustomStringConvertible {
        public var folders: [String]
        public var reference: String
        public var description: String {
            "\(folders.joined(separator: ", ")) \(folders.count == 1 ? "is" : "are") on another file system than .ferry/work/ (\(reference)): "
                + "Ferry moves inputs and packages between the workspace's folders by rename, which cannot cross file systems. "
                + "Put every workspace folder on one file system (a plain folder there, or a bind mount of one), or mount the whole workspace elsewhere."
        }
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
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
        throw FileSystemError(operation: "create folder", path: path, code: errno)
    }
}
