import Foundation

/// Staged files closed without their sync while `deferred` is set (a unit of `ferry run`'s delivery batch), synced together
/// before the batch's plan: the first sync commits the file system's journal for all of them, and the rest find
/// little left to do.
final class StagedFileSync: @unchecked Sendable {
    @TaskLocal static var deferred: StagedFileSync?

    private let lock = NSLock()
    private var paths: [String] = []

    func add(_ path: String) {
        lock.withLock { paths.append(path) }
    }

    /// Syncs every file added since the last call; a file removed meanwhile (its unit failed) is skipped.
    func syncAll() throws {
        let paths = lock.withLock {
            defer { self.paths = [] }
            return self.paths
        }
        for path in paths { try OutputFile.sync(path: path) }
    }
}
