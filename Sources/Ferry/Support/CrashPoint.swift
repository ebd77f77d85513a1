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

    static func reach(_ point: String) {
        guard let target, target == point else { return }
        _exit(137)
    }
}
