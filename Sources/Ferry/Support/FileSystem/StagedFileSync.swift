import Foundation
#if canImport(CLinux)
import CLinux
#endif

/// Staged files closed without their sync while `deferred` is set (a unit of `ferry run`'s delivery batch), synced together
/// before the batch's plan: on Linux by one `syncfs` of the file system that holds them (which also writes whatever
/// else waits on that file system), where one `fsync` per new file would cost a journal commit each; elsewhere file by file.
final class StagedFileSync: @unchecked Sendable {
    @TaskLocal static var deferred: StagedFileSync?

    private let lock = NSLock()
    private var paths: [String] = []

    func add(_ path: String) {
        lock.withLock { paths.append(path) }
    }

    /// Syncs every file added since the last call; a file removed meanwhile (its unit failed) is skipped. When a sync
    /// fails, the files not yet synced stay listed (the next call syncs them again).
    func syncAll() throws {
        let paths = lock.withLock { self.paths }
        guard let first = paths.first else { return }
        var synced = paths.count
        defer { lock.withLock { self.paths.removeFirst(synced) } }
        #if canImport(CLinux)
        let folder = open(String(first[..<(first.lastIndex(of: "/") ?? first.startIndex)]), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            defer { close(folder) }
            if ferry_syncfs(folder) == 0 { return }
        }
        #endif
        synced = 0
        for path in paths {
            try OutputFile.sync(path: path)
            synced += 1
        }
    }
}
