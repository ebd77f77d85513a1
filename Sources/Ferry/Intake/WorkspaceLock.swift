#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Ferry process works in a workspace at a time: a second one would run recovery over the
/// first one's files in hand. Held as an exclusive `flock` on `.ferry/lock` until the process ends.
public final class WorkspaceLock: Sendable {
    public struct Busy: Error, CustomStringConvertible {
        public var holder: String
        public var description: String {
            "another Ferry process (\(holder)) is working in this workspace; wait for it to finish, or stop it first"
        }
    }

    private let descriptor: Int32

    public init(workspace: Workspace) throws {
        try Workspace.makeFolder(workspace.root + "/.ferry")
        let path = workspace.root + "/.ferry/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DeliveryError(operation: "open", path: path, code: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.note(in: fd)
            close(fd)
            throw Busy(holder: holder)
        }
        let note = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The Ferry process working in the workspace (`pid 1234`), or nil when there is none.
    public static func holder(of workspace: Workspace) -> String? {
        let fd = open(workspace.root + "/.ferry/lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return note(in: fd)
    }

    /// What the holder wrote into the lock file.
    private static func note(in fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 63, 0) }
        let text = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmingWhitespace()
        return text.isEmpty ? "unknown" : text
    }
}
