#if canImport(Glibc)
import Glibc
import CLinux
#elseif canImport(Darwin)
import Darwin
#endif

/// When an inbox file counts as complete.
public struct ReadinessPolicy: Sendable, Equatable {
    /// Size and modification time must not change for this long, counted from when Ferry first saw
    /// them (an uploader may keep an old mtime).
    public var settleSeconds: Double = 5
    /// Take `data.csv` only once `data.csv.done` or `data.csv.ok` exists.
    public var requireDoneMarker = false
    /// A file whose format says it is incomplete waits this much longer; then it is taken (and fails
    /// with its precise reason).
    public var incompleteGraceSeconds: Double = 60

    public init() {}

    public init(settings: WatchSettings) {
        settleSeconds = settings.settleSeconds
        requireDoneMarker = settings.doneMarker
    }

    static let markerSuffixes = [".done", ".ok"]

    /// `data.csv.done` and `data.csv.ok` are done markers, never inputs (with or without `--done-marker`).
    static func isMarker(_ name: String) -> Bool {
        markerSuffixes.contains { name.hasSuffix($0) && name.count > $0.count }
    }

    /// On Linux a read lease cannot be taken while another process has the file open for writing.
    static func isOpenForWriting(_ path: String) -> Bool {
        #if os(Linux)
        let fd = SystemCall.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if ferry_try_read_lease(fd) == 0 {
            _ = ferry_release_lease(fd)
            return false
        }
        return errno == EAGAIN
        #else
        return false
        #endif
    }
}

/// Why a file is (not yet) taken.
public enum ReadinessVerdict: Sendable, Equatable {
    case ready
    case empty
    case settling(remaining: Double)
    case waitingForMarker
    case inUse
    case incomplete(String, remaining: Double)
}
