#if canImport(Glibc)
import Glibc
import CLinux
#endif

/// inotify on the inbox folder: a change wakes the watcher at once instead of at the next scan.
/// Owns the inotify descriptor.
final class InboxEvents: @unchecked Sendable {
    private let descriptor: Int32

    /// nil where inotify is unavailable (the watcher then polls).
    init?(folder: String) {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM)
        guard inotify_add_watch(fd, folder, mask) >= 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
        #else
        return nil
        #endif
    }

    deinit { close(descriptor) }

    /// Blocks until something changes or `timeoutMilliseconds` pass; true when there were events.
    func wait(timeoutMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        _ = buffer.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress, $0.count) }
        return true
    }
}

/// File systems where inotify does not see writes made by other machines.
public enum FilesystemKind: Sendable, Equatable {
    case local
    case network(String)

    public static func of(_ path: String) -> FilesystemKind {
        #if os(Linux)
        switch UInt32(truncatingIfNeeded: ferry_filesystem_type(path)) {
        case 0x6969: return .network("NFS")
        case 0x517B: return .network("SMB")
        case 0xFF53_4D42: return .network("CIFS")
        case 0xFE53_4D42: return .network("SMB2")
        case 0x6573_5546: return .network("FUSE")
        case 0x0102_1997: return .network("9P")
        default: return .local
        }
        #else
        return .local
        #endif
    }
}
