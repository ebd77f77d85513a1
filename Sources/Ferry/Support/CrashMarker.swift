#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Leaves a mark (`.ferry/crashed`, a node's in its own folder) when the process dies of a fault of its own — a Swift runtime trap,
/// a bad memory access, an abort — so the next start can tell such a crash, which the file in hand
/// may have caused, from a stop from outside (kill -9, the OOM killer, a shutdown, a power cut), which
/// leaves no mark. The mark holds one byte per crash: the signal's number.
enum CrashMarker {
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV]

    /// In the folder of a process's own state (`Workspace.state`).
    static func path(inState folder: String) -> String { folder + "/crashed" }

    nonisolated(unsafe) private static var descriptor: Int32 = -1
    /// The actions that were in place before ours, by signal number: ours hands the signal on to them.
    nonisolated(unsafe) private static var previous: UnsafeMutablePointer<sigaction>?

    /// Installs the handlers, writing marks to `path` (once per process; later calls change nothing).
    static func install(at path: String) {
        guard previous == nil else { return }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        let saved = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        saved.initialize(repeating: sigaction(), count: 65)
        previous = saved
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var number = UInt8(truncatingIfNeeded: signal)
                _ = write(CrashMarker.descriptor, &number, 1)
                // The earlier handler (or the default: a core dump) takes over when this one returns.
                if let previous = CrashMarker.previous { sigaction(signal, previous + Int(signal), nil) }
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, saved + Int(signal))
        }
    }

    /// The signals of the crashes marked at `path` since it was last cleared.
    static func crashes(at path: String) -> [Int32] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return bytes.prefix(max(0, count)).map { Int32($0) }
    }

    /// Empties the mark (truncated, not removed: a process that installed its handlers keeps writing into it).
    static func clear(at path: String) {
        truncate(path, 0)
    }

    /// `SIGSEGV` for 11.
    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGSEGV: "SIGSEGV"
        default: "signal \(signal)"
        }
    }
}
