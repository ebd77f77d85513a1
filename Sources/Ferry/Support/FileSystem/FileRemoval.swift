#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Removes a file, ignoring a file that is already gone.
func unlinkQuietly(_ path: String) {
    SystemCall.unlink(path)
}

/// Removes `folder` and everything below it except the paths in `keeping` (and the folders holding them).
func removeFiles(below folder: String, keeping: Set<String>) {
    var info = stat()
    guard SystemCall.lstat(folder, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in SystemCall.names(in: folder) ?? [] {
            removeFiles(below: folder + "/" + name, keeping: keeping)
        }
        _ = SystemCall.withPath(folder) { rmdir($0) }
    } else if !keeping.contains(folder) {
        SystemCall.unlink(folder)
    }
}

/// Empties `folder` except for the paths in `keeping` (and the folders holding them); the folder stays.
func removeFiles(in folder: String, keeping: Set<String>) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        removeFiles(below: folder + "/" + name, keeping: keeping)
    }
}
