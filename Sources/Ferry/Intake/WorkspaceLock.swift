#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may work in a workspace at the same time.
///
/// One *owner* (`run`, `watch`, `ledger rebuild`) at a time, held as an exclusive `flock` on `.ferry/lock`:
/// a second owner would run recovery over the first one's files in hand. *Guests* (`replay`) work beside
/// the owner: each holds a shared `flock` on `.ferry/guests.lock` while it has entries and files in hand,
/// and never recovers anything. The owner recovers (returns claimed files, completes plans, clears
/// staging) only while it holds that lock exclusively, so it never touches a guest's files; a guest
/// killed midway releases its lock, and the owner's next recovery closes what it left.
public final class WorkspaceLock: Sendable {
    public struct Busy: Error, CustomStringConvertible {
        public var holder: String
        public var description: String {
            "another Ferry process (\(holder)) is working in this workspace; wait for it to finish, or stop it first"
        }
    }

    public enum Role: Sendable {
        case owner
        case guest
    }

    private let descriptor: Int32

    public init(workspace: Workspace, role: Role = .owner) throws {
        try Workspace.makeFolder(workspace.state)
        switch role {
        case .owner:
            let path = Self.ownerPath(workspace)
            let fd = try Self.openLockFile(path)
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let holder = Self.note(fd)
                close(fd)
                throw Busy(holder: holder ?? "unknown")
            }
            let note = Array("pid \(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            descriptor = fd
        case .guest:
            let fd = try Self.openLockFile(Self.guestsPath(workspace))
            // Waits only while an owner recovers, which is short.
            guard flock(fd, LOCK_SH) == 0 else {
                let code = errno
                close(fd)
                throw FileSystemError(operation: "lock", path: Self.guestsPath(workspace), code: code)
            }
            descriptor = fd
        }
    }

    deinit { close(descriptor) }

    /// For the owner: runs `body` while no guest is at work. With `wait`, waits for the guests to finish
    /// (calling `waiting` once first); without, returns nil at once when one is at work.
    public static func withoutGuests<T>(_ workspace: Workspace, wait: Bool, waiting: () -> Void = {}, _ body: () throws -> T) throws -> T? {
        let path = guestsPath(workspace)
        let fd = try openLockFile(path)
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard wait else { return nil }
            waiting()
            guard flock(fd, LOCK_EX) == 0 else { throw FileSystemError(operation: "lock", path: path, code: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The owner at work in the workspace (`pid 1234`), or nil when there is none.
    public static func holder(of workspace: Workspace) -> String? {
        let fd = open(ownerPath(workspace), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else {
            flock(fd, LOCK_UN)
            return nil
        }
        return note(fd) ?? "unknown"
    }

    // A node's own (`Workspace.state`): nodes share the workspace, each owns its work area.
    private static func ownerPath(_ workspace: Workspace) -> String { workspace.state + "/lock" }
    private static func guestsPath(_ workspace: Workspace) -> String { workspace.state + "/guests.lock" }

    private static func openLockFile(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        return fd
    }

    /// What the owner wrote into its lock file.
    private static func note(_ fd: Int32) -> String? {
        var holder = [UInt8](repeating: 0, count: 64)
        let count = holder.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 63, 0) }
        let text = String(decoding: holder.prefix(max(0, count)), as: UTF8.self).trimmingWhitespace()
        return text.isEmpty ? nil : text
    }
}
