#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The staging folders one process gives the units it works on at the same time (`<pid>-<slot>`, one
/// per worker at work): made once and emptied after each unit rather than made and removed per file
/// (removing a folder frees a block, which costs a discard on many SSD-backed file systems). They are
/// removed when the process is done with them, unless a waiting delivery still keeps files there.
final class StagingSlots: Sendable {
    private let root: String
    private let slots = Mutex<(free: [Int], made: Int)>(([], 0))

    /// `root` is the workspace's staging folder.
    init(in root: String) {
        self.root = root
    }

    deinit {
        let made = slots.withLock { $0.made }
        for slot in 0..<made { rmdir(folder(slot)) }
    }

    /// A slot no other unit of this process uses until it is released; its folder is `folder(slot)`.
    func acquire() -> Int {
        slots.withLock { slots in
            if let slot = slots.free.popLast() { return slot }
            slots.made += 1
            return slots.made - 1
        }
    }

    func release(_ slot: Int) {
        slots.withLock { $0.free.append(slot) }
    }

    /// The slot's folder name below the staging folder.
    func subfolder(_ slot: Int) -> String { "\(getpid())-\(slot)" }

    private func folder(_ slot: Int) -> String { root + "/" + subfolder(slot) }
}
