#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes a file, ignoring a file that is already gone.
func unlinkQuietly(_ path: String) {
    _ = unlink(path)
}
