#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file through its own descriptor, closed when the source goes away.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let displayName: String
    public private(set) var bytesConsumed: Int64 = 0
    /// The file's size when it was opened (for progress).
    public let size: Int64

    public init(path: String, displayName: String) throws {
        let fd = SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError(.io, InputLocation(file: displayName), "cannot open: \(SystemCall.describe(errno))")
        }
        var info = stat()
        self.size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        self.descriptor = fd
        self.displayName = displayName
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = SystemCall.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                bytesConsumed += Int64(count)
                return count
            }
            if errno == EINTR { continue }
            throw InputError(.io, InputLocation(file: displayName, byteOffset: bytesConsumed),
                             "read failed: \(SystemCall.describe(errno))")
        }
    }
}
