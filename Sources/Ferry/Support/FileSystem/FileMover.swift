#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Moves that never overwrite: a taken name gets -2, -3 ... before its extension.
///
/// A hard link claims the new name atomically (it fails if the name exists), then the old name
/// is removed. On file systems without hard links it falls back to check-then-rename.
enum FileMover {
    /// Moves `path` into `folder` under `name` (or a free variant) and returns the new path.
    static func moveNoReplace(_ path: String, into folder: String, name: String) throws -> String {
        let (stem, suffix) = split(name)
        for attempt in 1...999 {
            let destination = folder + "/" + FileName.fitted(attempt == 1 ? name : "\(stem)-\(attempt)\(suffix)")
            if SystemCall.link(path, destination) == 0 {
                SystemCall.unlink(path)
                syncFolder(folder)
                return destination
            }
            switch errno {
            case EEXIST:
                continue
            case EPERM, EXDEV, ENOTSUP, EMLINK:
                if SystemCall.exists(destination) { continue }
                guard SystemCall.rename(path, destination) == 0 else {
                    throw FileSystemError(operation: "move a file to", path: destination, code: errno)
                }
                syncFolder(folder)
                return destination
            default:
                throw FileSystemError(operation: "move a file to", path: destination, code: errno)
            }
        }
        throw FileSystemError(operation: "find a free name for", path: "\(folder)/\(name)", code: EEXIST)
    }

    /// Makes a rename or link in `folder` durable.
    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// `customers-x.zip` -> (`customers-x`, `.zip`); `a.csv.gz` -> (`a`, `.csv.gz`).
    static func split(_ name: String) -> (stem: String, suffix: String) {
        FileName.splitExtensions(name)
    }
}
