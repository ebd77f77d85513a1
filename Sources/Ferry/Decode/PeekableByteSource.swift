/// Lets a stage look at the first bytes of a stream (to detect its format) and then read it whole.
final class PeekableByteSource: ByteSource {
    private let source: ByteSource
    private var head: [UInt8] = []
    private var headOffset = 0

    /// Bytes handed out so far (peeked bytes count once they are read).
    var bytesConsumed: Int64 { source.bytesConsumed - Int64(head.count - headOffset) }

    /// Reads up to `count` bytes ahead (fewer when the stream is shorter).
    init(_ source: ByteSource, peeking count: Int = 1024) throws {
        self.source = source
        head = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = try head.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if read == 0 { break }
            filled += read
        }
        head.removeSubrange(filled...)
    }

    /// The first bytes of the stream.
    var peeked: [UInt8] { head }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if headOffset < head.count {
            let count = min(buffer.count, head.count - headOffset)
            head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + headOffset, byteCount: count) }
            headOffset += count
            return count
        }
        return try source.read(into: buffer)
    }
}
