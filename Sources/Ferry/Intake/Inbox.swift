#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Finds the inbox files that are ready to take, and claims them.
public struct Inbox: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// Names that uploaders and editors use while a file is still being written.
    public static func isInProgressName(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("~$") { return true }
        let lower = name.lowercased()
        return [".part", ".filepart", ".tmp", ".crdownload", ".partial", ".uploading"].contains { lower.hasSuffix($0) }
    }

    /// Files operating systems and editors leave in folders by themselves: thumbnail caches, folder
    /// settings, backup copies. (Their dot-file kin, `.DS_Store` and `._name`, are dot files.)
    public static func isLitter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", "icon\r"].contains(lower)
            || name.hasSuffix("~") || lower.hasSuffix(".swp")
    }

    /// Names Ferry never takes: in-progress uploads and operating-system litter.
    public static func isIgnored(_ name: String) -> Bool {
        isInProgressName(name) || isLitter(name)
    }

    /// Regular files in the inbox, sorted by name; symlinks, folders, in-progress names and done markers
    /// are left alone.
    public func files() throws -> [InboxFile] {
        // Names as bytes: a name that is not UTF-8 is listed, stat'ed and claimed like any other.
        guard let names = SystemCall.names(in: workspace.inbox) else {
            throw FileSystemError(operation: "list", path: workspace.inbox, code: errno)
        }
        var files: [InboxFile] = []
        for name in names.sorted() where !Self.isIgnored(name) && !ReadinessPolicy.isMarker(name) {
            let path = workspace.inbox + "/" + name
            var info = stat()
            guard SystemCall.lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            files.append(InboxFile(name: name, path: path, size: Int64(info.st_size), modified: modified))
        }
        return files
    }

    /// Takes a file by renaming it into the work area: atomic, so no other Ferry can take it too.
    /// Returns nil when the file is gone (another process took it first).
    public func claim(_ file: InboxFile) throws -> ClaimedFile? {
        let destination = workspace.work + "/" + file.name
        if SystemCall.exists(destination) {
            throw FileSystemError(operation: "claim (a file of that name is already being worked on)", path: destination, code: EEXIST)
        }
        guard SystemCall.rename(file.path, destination) == 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError(operation: "claim", path: file.path, code: errno)
        }
        // No fsync of the folder: a claim lost to a power cut leaves the file in the inbox, which is safe.
        return ClaimedFile(name: file.name, path: destination, size: file.size)
    }

    /// Puts a claimed file back where it came from, for a later attempt.
    @discardableResult
    public func release(_ claimed: ClaimedFile) throws -> String {
        try FileMover.moveNoReplace(claimed.path, into: workspace.inbox, name: claimed.name)
    }
}
