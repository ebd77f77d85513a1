#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Synchronization

/// Test instrumentation for the crash-safety tests: with `FERRY_CRASH_AT=<point>` in the environment
/// the process dies at that point as abruptly as `kill -9` (no cleanup, no flush); `<point>#<n>` dies the
/// n-th time the point is reached (inside a batch of files).
enum CrashPoint {
    private static let target: String? = {
        guard let value = getenv("FERRY_CRASH_AT") else { return nil }
        return String(cString: value)
    }()
    private static let reached = Mutex<[String: Int]>([:])

    /// `FERRY_CRASH_AT=<point>:crash` crashes there instead, as a fault of Ferry's own would (SIGSEGV).
    static func reach(_ point: String) {
        guard let target, target.hasPrefix(point) else { return }
        var rest = target.dropFirst(point.count)
        var occurrence = 1
        if rest.first == "#" {
            let digits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            occurrence = Int(digits) ?? 1
            rest = rest.dropFirst(1 + digits.count)
        }
        guard rest.isEmpty || rest == ":crash" else { return }
        let count = reached.withLock { counts in
            let count = (counts[point] ?? 0) + 1
            counts[point] = count
            return count
        }
        guard count == occurrence else { return }
        if rest.isEmpty { _exit(137) }
        raise(SIGSEGV)
        _exit(139)
    }
}
