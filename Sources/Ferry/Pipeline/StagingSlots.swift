import Synchronization

/// The staging folders one process gives the units it works on at the same time (`<pid>-<slot>`, one
/// per worker at work): made once and emptied after each unit rather than made and removed per file
/// (removing a folder frees a block, which costs a discard on many SSD-backed file systems).
final class StagingSlots: Sendable {
    private let free = Mutex<(returned: [Int], next: Int)>(([], 0))

    func acquire() -> Int {
        free.withLock { slots in
            if let slot = slots.returned.popLast() { return slot }
            slots.next += 1
            return slots.next - 1
        }
    }

    func release(_ slot: Int) {
        free.withLock { $0.returned.append(slot) }
    }
}
