#if canImport(Glibc)
import Glibc
import CLinux
#elseif canImport(Darwin)
import Darwin
#endif

/// What the watcher knows about the files in the inbox: each file's size and time, since when they have
/// not changed, and what it waits for. It is kept up to date from the names that changed (inotify) and
/// from full listings (the safety net), and time moves files on through deadlines, so the work of a scan
/// follows what changed, not how many files wait: a settled file is not stat'ed, opened or lease-checked
/// again until it is about to be taken.
final class InboxIndex {
    enum Status: Equatable {
        case settling
        case waitingForMarker
        case empty
        /// Its format says it is not whole yet; taken anyway once the grace period is over.
        case incomplete(String)
        /// Open for writing by another process when it was about to be taken.
        case inUse
        /// Its template is broken (the reason): it waits in the inbox until the template is fixed.
        case held(String)
        case ready
        /// Handed to a worker.
        case taken
    }

    struct Entry {
        var file: InboxFile
        /// Monotonic time when this size and modification time were first seen.
        var firstSeen: Double
        var generation: Int
        var status: Status = .settling
        var completeness: Completeness?
        /// Files are taken by their templates' dependency rank, then by name.
        var rank: Int
    }

    let folder: String
    let policy: ReadinessPolicy
    /// Why a file is held back (its template is broken), or nil.
    var heldReason: (String) -> String? = { _ in nil }
    /// The file's dependency rank (accounts before the quotes whose lookups need them).
    var rank: (String) -> Int = { _ in 0 }
    /// Called for every new sighting (the ledger keeps them for `ferry explain`).
    var sighted: (InboxFile) -> Void = { _ in }
    /// Whether a data file was taken before (for a marker without its file).
    var wasTaken: (String) -> Bool = { _ in false }
    /// Seconds before a file found open for writing is looked at again.
    var inUseRecheck: Double = 1

    private(set) var entries: [String: Entry] = [:]
    private var deadlines = DeadlineQueue()
    /// Ready names, ordered by (rank, name).
    private var ready: [(rank: Int, name: String)] = []
    private var nextGeneration = 0
    /// Done markers in the inbox, with when each was first seen without its data file.
    private var markers: [String: Double] = [:]
    /// Data files that were in the inbox and left it (taken, or removed), for orphan markers.
    private var departed = Set<String>()
    /// System calls made on inbox files (stat, open, unlink): tests check that a scan costs what changed.
    private(set) var probes = 0

    /// Whether a file's own format says it is whole (the decoders know; see `Completeness.check`).
    private let completeness: (_ path: String, _ size: Int64) -> Completeness

    init(folder: String, policy: ReadinessPolicy, completeness: @escaping (_ path: String, _ size: Int64) -> Completeness) {
        self.folder = folder
        self.policy = policy
        self.completeness = completeness
    }

    // MARK: What changed

    /// A full listing: new and changed files are sighted, missing ones forgotten.
    func rescan(now: Double) throws {
        let names = try Self.list(folder)
        var present = Set<String>()
        for name in names where !Inbox.isIgnored(name) {
            present.insert(name)
            look(at: name, now: now)
        }
        for name in entries.keys where !present.contains(name) { forget(name, now: now) }
        for name in markers.keys where !present.contains(name) { markers[name] = nil }
    }

    /// Looks again at the names inotify reported.
    func refresh(_ names: Set<String>, now: Double) {
        for name in names where !Inbox.isIgnored(name) { look(at: name, now: now) }
    }

    /// Moves files on whose deadlines have passed: settled, grace over, no longer in use; and removes
    /// orphan markers.
    func advance(now: Double) {
        while let due = deadlines.popDue(now: now) {
            if due.generation < 0 {
                removeIfOrphan(marker: due.name, now: now)
            } else if let entry = entries[due.name], entry.generation == due.generation, entry.status != .taken {
                evaluate(due.name, now: now)
            }
        }
    }

    /// Looks at every held file again (the templates were reloaded), and takes the new ranks.
    func templatesChanged(now: Double) {
        for (name, entry) in entries where entry.status != .taken {
            let rank = rank(name)
            if rank != entry.rank {
                removeReady(name, rank: entry.rank)
                entries[name]?.rank = rank
            }
            if case .held = entry.status { evaluate(name, now: now) } else if entry.status == .ready { evaluate(name, now: now) }
        }
    }

    // MARK: Taking files

    /// The ready name at `position` in the order files should be taken.
    func readyName(at position: Int) -> String? {
        position < ready.count ? ready[position].name : nil
    }

    func entry(_ name: String) -> Entry? { entries[name] }

    /// Confirms a ready file just before it is taken: unchanged since it settled and not open for
    /// writing. Returns it marked as taken, or nil (then it is settling or in use again).
    func take(_ name: String, now: Double) -> InboxFile? {
        guard var entry = entries[name], entry.status == .ready else { return nil }
        probes += 1
        guard let current = Self.stat(folder, name), current.size == entry.file.size, current.modified == entry.file.modified else {
            removeReady(name, rank: entry.rank)
            look(at: name, now: now)
            return nil
        }
        probes += 1
        if ReadinessPolicy.isOpenForWriting(entry.file.path) {
            removeReady(name, rank: entry.rank)
            entries[name]?.status = .inUse
            deadlines.add(now + inUseRecheck, name: name, generation: entry.generation)
            return nil
        }
        removeReady(name, rank: entry.rank)
        entry.status = .taken
        entries[name] = entry
        return entry.file
    }

    /// Keeps a ready file out of the ready list until `time` (a retry after a fault elsewhere).
    func postpone(_ name: String, until time: Double) {
        guard let entry = entries[name], entry.status == .ready else { return }
        removeReady(name, rank: entry.rank)
        entries[name]?.status = .settling
        deadlines.add(time, name: name, generation: entry.generation)
    }

    /// A worker is done with the file: if it is (back) in the inbox it is a new sighting.
    func finished(_ name: String, now: Double) {
        if entries[name]?.status == .taken { entries[name] = nil }
        departed.insert(name)
        look(at: name, now: now)
        for suffix in ReadinessPolicy.markerSuffixes where markers[name + suffix] != nil {
            deadlines.add(now + policy.settleSeconds, name: name + suffix, generation: -1)
        }
    }

    // MARK: Internals

    private func look(at name: String, now: Double) {
        probes += 1
        guard let current = Self.stat(folder, name) else {
            forget(name, now: now)
            return
        }
        if ReadinessPolicy.isMarker(name) {
            noteMarker(name, now: now)
            return
        }
        if let known = entries[name] {
            if known.status == .taken || (known.file.size == current.size && known.file.modified == current.modified) { return }
            removeReady(name, rank: known.rank)
        }
        nextGeneration += 1
        let entry = Entry(file: current, firstSeen: now, generation: nextGeneration, rank: rank(name))
        entries[name] = entry
        sighted(current)
        evaluate(name, now: now)
    }

    private func forget(_ name: String, now: Double) {
        if let known = entries.removeValue(forKey: name) {
            removeReady(name, rank: known.rank)
            departed.insert(name)
            for suffix in ReadinessPolicy.markerSuffixes where markers[name + suffix] != nil {
                deadlines.add(now + policy.settleSeconds, name: name + suffix, generation: -1)
            }
        }
        markers[name] = nil
    }

    private func noteMarker(_ name: String, now: Double) {
        let data = String(name.dropLast(ReadinessPolicy.markerSuffixes.first { name.hasSuffix($0) }?.count ?? 0))
        if markers[name] == nil {
            markers[name] = now
            if entries[data] == nil { deadlines.add(now + policy.settleSeconds, name: name, generation: -1) }
        }
        if let entry = entries[data], entry.status == .waitingForMarker { evaluate(data, now: now) }
    }

    /// A marker whose data file was taken, or left the inbox a settle period ago, has served its purpose.
    /// One whose file has not arrived yet is kept (some uploaders send the marker first).
    private func removeIfOrphan(marker name: String, now: Double) {
        guard markers[name] != nil else { return }
        let data = String(name.dropLast(ReadinessPolicy.markerSuffixes.first { name.hasSuffix($0) }?.count ?? 0))
        guard entries[data] == nil, departed.contains(data) || wasTaken(data) else { return }
        probes += 1
        SystemCall.unlink(folder + "/" + name)
        markers[name] = nil
    }

    private func evaluate(_ name: String, now: Double) {
        guard var entry = entries[name], entry.status != .taken else { return }
        removeReady(name, rank: entry.rank)
        entry.status = status(of: &entry, now: now)
        entries[name] = entry
        if entry.status == .ready { insertReady(name, rank: entry.rank) }
    }

    private func status(of entry: inout Entry, now: Double) -> Status {
        if let reason = heldReason(entry.file.name) { return .held(reason) }
        if policy.requireDoneMarker && !ReadinessPolicy.markerSuffixes.contains(where: { markers[entry.file.name + $0] != nil }) {
            return .waitingForMarker
        }
        if entry.file.size == 0 { return .empty }
        let settledAt = entry.firstSeen + policy.settleSeconds
        if now < settledAt {
            deadlines.add(settledAt, name: entry.file.name, generation: entry.generation)
            return .settling
        }
        if entry.completeness == nil {
            probes += 1
            entry.completeness = completeness(entry.file.path, entry.file.size)
        }
        if case .incomplete(let reason) = entry.completeness, now < settledAt + policy.incompleteGraceSeconds {
            deadlines.add(settledAt + policy.incompleteGraceSeconds, name: entry.file.name, generation: entry.generation)
            return .incomplete(reason)
        }
        return .ready
    }

    private func insertReady(_ name: String, rank: Int) {
        let index = position(of: (rank, name))
        if index < ready.count, ready[index].name == name { return }
        ready.insert((rank, name), at: index)
    }

    private func removeReady(_ name: String, rank: Int) {
        let index = position(of: (rank, name))
        if index < ready.count, ready[index].name == name { ready.remove(at: index) }
    }

    /// Where (rank, name) stands or would stand in `ready`.
    private func position(of key: (Int, String)) -> Int {
        var low = 0, high = ready.count
        while low < high {
            let middle = (low + high) / 2
            if (ready[middle].rank, ready[middle].name) < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A regular file's size and modification time; nil for anything else or nothing.
    static func stat(_ folder: String, _ name: String) -> InboxFile? {
        let path = folder + "/" + name
        var info = Glibc.stat()
        guard SystemCall.lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return InboxFile(name: name, path: path, size: Int64(info.st_size), modified: modified)
    }

    /// The names in a folder (readdir, without the per-name work Foundation adds; names as bytes).
    static func list(_ folder: String) throws -> [String] {
        guard let names = SystemCall.names(in: folder) else { throw FileSystemError(operation: "list", path: folder, code: errno) }
        return names
    }
}

/// Deadlines in time order (a binary heap): what to look at next, and when.
struct DeadlineQueue {
    private var heap: [(time: Double, name: String, generation: Int)] = []

    var isEmpty: Bool { heap.isEmpty }

    mutating func add(_ time: Double, name: String, generation: Int) {
        heap.append((time, name, generation))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].time < heap[parent].time else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest deadline when it is due.
    mutating func popDue(now: Double) -> (name: String, generation: Int)? {
        guard let first = heap.first, first.time <= now else { return nil }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].time < heap[smallest].time { smallest = left }
            if right < heap.count, heap[right].time < heap[smallest].time { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (first.name, first.generation)
    }
}
