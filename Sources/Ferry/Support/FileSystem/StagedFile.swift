#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output written out of sight (in the workspace's staging folder) and published only when
/// complete: fsync, then an atomic move into the destination under a name no other file has.
///
/// A staged file that is never committed is deleted when it goes away.
final class StagedFile {
    let file: OutputFile
    private var committed = false

    init(in stagingFolder: String, suffix: String) throws {
        let unique = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        file = try OutputFile(creating: "\(stagingFolder)/\(unique).\(suffix)")
    }

    deinit { if !committed { unlink(file.path) } }

    /// Syncs the file and publishes it in `folder` as `name`, or `name` with -2, -3 ... before the
    /// extension when that name is taken. Returns the path it got.
    func commit(into folder: String, name: String) throws -> String {
        try file.syncAndClose()
        let destination = try FileMover.moveNoReplace(file.path, into: folder, name: name)
        committed = true
        return destination
    }

    /// Syncs and closes the file and gives up ownership: the caller moves it (or the next
    /// recovery removes it from staging). Returns its path. In a unit of a delivery batch the sync is left to
    /// the batch (`StagedFileSync`).
    func detach() throws -> String {
        if let deferred = StagedFileSync.deferred {
            try file.closeUnsynced()
            deferred.add(file.path)
        } else {
            try file.syncAndClose()
        }
        committed = true
        return file.path
    }

    func discard() {
        unlink(file.path)
        committed = true
    }
}
