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

    static func isMarker(_ name: String) -> Bool {
        markerSuffixes.contains { name.hasSuffix($0) }
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

/// Remembers each inbox file's size and modification time and when Ferry first saw them.
final class ReadinessTracker {
    private struct Sighting {
        var size: Int64
        var modified: Double
        var firstSeen: Double
        var completenessChecked = false
        var completeness = Completeness.unknown
    }

    let policy: ReadinessPolicy
    private var sightings: [String: Sighting] = [:]

    init(policy: ReadinessPolicy) {
        self.policy = policy
    }

    /// The verdict for one file at monotonic time `now`; `changed` tells when a new sighting began.
    func verdict(for file: InboxFile, names: Set<String>, now: Double) -> (verdict: ReadinessVerdict, changed: Bool) {
        var changed = false
        if let known = sightings[file.name], known.size == file.size, known.modified == file.modified {
        } else {
            sightings[file.name] = Sighting(size: file.size, modified: file.modified, firstSeen: now)
            changed = true
        }
        guard var sighting = sightings[file.name] else { return (.settling(remaining: policy.settleSeconds), changed) }
        if policy.requireDoneMarker && !ReadinessPolicy.markerSuffixes.contains(where: { names.contains(file.name + $0) }) {
            return (.waitingForMarker, changed)
        }
        if file.size == 0 { return (.empty, changed) }
        let stableFor = now - sighting.firstSeen
        if stableFor < policy.settleSeconds { return (.settling(remaining: policy.settleSeconds - stableFor), changed) }
        if Self.isOpenForWriting(file.path) { return (.inUse, changed) }
        if !sighting.completenessChecked {
            sighting.completeness = Completeness.check(path: file.path, size: file.size)
            sighting.completenessChecked = true
            sightings[file.name] = sighting
        }
        if case .incomplete(let reason) = sighting.completeness {
            let remaining = policy.settleSeconds + policy.incompleteGraceSeconds - stableFor
            if remaining > 0 { return (.incomplete(reason, remaining: remaining), changed) }
        }
        return (.ready, changed)
    }

    /// Drops what is known about files no longer in the inbox.
    func forget(allBut names: Set<String>) {
        sightings = sightings.filter { names.contains($0.key) }
    }

    /// On Linux a read lease cannot be taken while another process has the file open for writing.
    static func isOpenForWriting(_ path: String) -> Bool {
        #if os(Linux)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
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
