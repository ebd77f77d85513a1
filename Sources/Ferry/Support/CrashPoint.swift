#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Test instrumentation for the crash-safety tests: with `FERRY_CRASH_AT=<point>` in the environment
/// the process dies at that point as abruptly as `kill -9` (no cleanup, no flush).
enum CrashPoint {
    private static let target: String? = {
        guard let value = getenv("FERRY_CRASH_AT") else { return nil }
        return String(cString: value)
    }()

    /// `FERRY_CRASH_AT=<point>:crash` crashes there instead, as a fault of Ferry's own would (SIGSEGV).
    static func reach(_ point: String) {
        guard let target, target.hasPrefix(point) else { return }
        if target == point { _exit(137) }
        if target == point + ":crash" {
            raise(SIGSEGV)
            _exit(139)
        }
    }
}
