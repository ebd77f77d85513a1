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
            var holder = [UInt8](repeating: 0, count: 64)
            let count = holder.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 63, 0) }
            close(fd)
            let text = String(decoding: holder.prefix(max(0, count)), as: UTF8.self).trimmingWhitespace()
            throw Busy(holder: text.isEmpty ? "unknown" : text)
        }
        let note = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
