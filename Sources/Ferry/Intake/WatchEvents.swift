#if canImport(Glibc)
import Glibc
import CLinux
#endif

/// What wakes the watcher: inotify on the inbox (which names changed) and on the templates folder,
/// and a wake-up pipe for requests from other threads (a reload on SIGHUP). Owns the descriptors.
final class WatchEvents: @unchecked Sendable {
    /// What happened since the last wait.
    struct Batch: Sendable {
        /// Inbox names created, written, renamed or removed.
        var inboxNames: Set<String> = []
        /// More happened than inotify could queue: only a full scan knows what.
        var overflowed = false
        var templatesChanged = false
        /// `wake()` was called.
        var woken = false
    }

    private let inotify: Int32
    private var inboxWatch: Int32 = -1
    private var templatesWatch: Int32 = -1
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// With `useInotify` false (polling), only `wake()` ends a wait early.
    init(inbox: String, templates: String?, useInotify: Bool) {
        var pipeEnds: [Int32] = [-1, -1]
        if pipe(&pipeEnds) == 0 {
            for end in pipeEnds {
                _ = fcntl(end, F_SETFL, O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            wakeRead = pipeEnds[0]
            wakeWrite = pipeEnds[1]
        }
        #if os(Linux)
        inotify = useInotify ? inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) : -1
        if inotify >= 0 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM)
            inboxWatch = inotify_add_watch(inotify, inbox, mask)
            if let templates {
                templatesWatch = inotify_add_watch(inotify, templates, mask | UInt32(IN_DELETE_SELF | IN_MOVE_SELF))
            }
        }
        #else
        inotify = -1
        #endif
    }

    deinit {
        for descriptor in [inotify, wakeRead, wakeWrite] where descriptor >= 0 { close(descriptor) }
    }

    /// True when inotify watches the inbox (otherwise only full scans see changes).
    var watchesInbox: Bool { inboxWatch >= 0 }
    /// True when inotify watches the templates folder.
    var watchesTemplates: Bool { templatesWatch >= 0 }

    /// Ends the current (or next) `wait` early. Safe from any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = SystemCall.write(wakeWrite, &byte, 1)
    }

    /// Blocks until something happens or `timeoutMilliseconds` pass.
    func wait(timeoutMilliseconds: Int32) -> Batch {
        var batch = Batch()
        var pollers = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        guard poll(&pollers, 2, timeoutMilliseconds) > 0 else { return batch }
        if pollers[1].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            while SystemCall.read(wakeRead, &drain, drain.count) > 0 {}
            batch.woken = true
        }
        if pollers[0].revents != 0 { readEvents(into: &batch) }
        return batch
    }

    /// Reads every queued inotify event: `struct inotify_event` headers (wd, mask, cookie, len) each
    /// followed by `len` bytes of NUL-padded name.
    private func readEvents(into batch: inout Batch) {
        while true {
            let count = buffer.withUnsafeMutableBytes { SystemCall.read(inotify, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                while offset + 16 <= count {
                    let watch = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + 16)..<min(count, offset + 16 + length)])
                    offset += 16 + length
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { batch.overflowed = true }
                    if watch == templatesWatch && templatesWatch >= 0 {
                        batch.templatesChanged = true
                    } else if watch == inboxWatch, length > 0 {
                        let name = FileName.decoded(nameBytes.prefix { $0 != 0 })
                        if !name.isEmpty { batch.inboxNames.insert(name) }
                    }
                }
            }
        }
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
