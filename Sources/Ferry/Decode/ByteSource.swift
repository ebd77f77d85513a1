/// A stream of raw bytes: a file, or a decompressor reading one.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Bytes of the underlying file consumed so far (for progress).
    var bytesConsumed: Int64 { get }
}
