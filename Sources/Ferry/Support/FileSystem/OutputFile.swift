#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being written, with a large write buffer; owns its descriptor.
final class OutputFile: ByteSink {
    let path: String
    private var descriptor: Int32
    private var pending: [UInt8] = []
    private let bufferSize: Int
    /// Bytes written so far, buffered ones included.
    private(set) var size: Int64 = 0

    /// Creates the file; fails if it exists already.
    init(creating path: String, bufferSize: Int = 1 << 18) throws {
        let fd = SystemCall.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "create", path: path, code: errno) }
        self.path = path
        self.descriptor = fd
        self.bufferSize = bufferSize
        pending.reserveCapacity(bufferSize)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        size += Int64(bytes.count)
        if pending.count + bytes.count > bufferSize { try flush() }
        if bytes.count >= bufferSize {
            try writeFully(bytes)
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try writeFully($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Overwrites bytes already written (zip headers whose sizes are known only at the end).
    func overwrite(_ bytes: [UInt8], at offset: Int64) throws {
        try flush()
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw FileSystemError(operation: "write", path: path, code: errno) }
    }

    /// Flushes, forces the bytes to the disk and closes the file.
    func syncAndClose() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw FileSystemError(operation: "fsync", path: path, code: errno) }
        close(descriptor)
        descriptor = -1
    }

    /// Flushes and closes the file without forcing it to the disk: the caller syncs it later (`sync(path:)`).
    func closeUnsynced() throws {
        try flush()
        close(descriptor)
        descriptor = -1
    }

    /// Forces a closed file's bytes to the disk; a file that is gone is nothing to sync.
    static func sync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw FileSystemError(operation: "open to fsync", path: path, code: errno)
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync", path: path, code: errno) }
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = SystemCall.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "write", path: path, code: errno)
            }
            offset += count
        }
    }
}
