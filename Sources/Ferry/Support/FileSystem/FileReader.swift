#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file open for reading through its own descriptor, closed when the reader goes away.
final class FileReader {
    let path: String
    private let descriptor: Int32
    /// The file's size when it was opened.
    let size: Int64

    init(path: String) throws(FileSystemError) {
        let fd = SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        var info = stat()
        self.size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        self.descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    /// Fills up to `buffer.count` bytes and returns how many; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        while true {
            let count = SystemCall.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FileSystemError(operation: "read", path: path, code: errno)
        }
    }
}
