#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Carries out a ledger's move plan. Every step can be repeated after a crash: a move whose source is
/// gone is done; a destination already linked to the source only needs the source removed.
struct MoveExecutor: Sendable {
    let ledger: Ledger

    /// Planning and executing deliveries one at a time in this process keeps two workers from
    /// picking the same free name.
    static let deliveryLock = Mutex(())

    /// The first name in `folder` free of files (`name`, then `stem-2.ext` ...) and not among the
    /// paths already planned in `taken`.
    static func freeName(in folder: String, for name: String, avoiding taken: Set<String> = []) -> String {
        let (stem, suffix) = FileMover.split(name)
        for attempt in 1...9_999 {
            let candidate = attempt == 1 ? name : "\(stem)-\(attempt)\(suffix)"
            let path = folder + "/" + candidate
            if !taken.contains(path) && access(path, F_OK) != 0 { return candidate }
        }
        return "\(stem)-\(UInt32.random(in: 10_000...UInt32.max))\(suffix)"
    }

    /// Executes the moves in order; returns them with the destinations they really got.
    func execute(_ moves: [Ledger.Move], entry: Int64, afterEach: (Int) -> Void = { _ in }) throws -> [Ledger.Move] {
        var done: [Ledger.Move] = []
        for (index, planned) in moves.enumerated() {
            var move = planned
            var sourceInfo = stat()
            guard lstat(move.source, &sourceInfo) == 0 else {
                done.append(move)  // moved before a crash
                continue
            }
            while true {
                if link(move.source, move.destination) == 0 { break }
                let code = errno
                var destinationInfo = stat()
                if code == EEXIST, lstat(move.destination, &destinationInfo) == 0 {
                    if destinationInfo.st_ino == sourceInfo.st_ino && destinationInfo.st_dev == sourceInfo.st_dev { break }
                    let folder = String(move.destination[..<(move.destination.lastIndex(of: "/") ?? move.destination.startIndex)])
                    let name = String(move.destination.split(separator: "/").last ?? "")
                    move.destination = folder + "/" + Self.freeName(in: folder, for: name)
                    try ledger.replanDestination(entry, source: move.source, destination: move.destination)
                    continue
                }
                if code == EPERM || code == EXDEV || code == ENOTSUP {
                    // No hard links here: a plain rename to a name that is still free.
                    guard rename(move.source, move.destination) == 0 else {
                        throw DeliveryError(operation: "move a file to", path: move.destination, code: errno)
                    }
                    break
                }
                throw DeliveryError(operation: "move a file to", path: move.destination, code: code)
            }
            CrashPoint.reach("linked")
            unlink(move.source)
            FileMover.syncFolder(String(move.destination[..<(move.destination.lastIndex(of: "/") ?? move.destination.startIndex)]))
            done.append(move)
            afterEach(index)
        }
        return done
    }
}
