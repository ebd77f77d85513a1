/// Compresses everything written to it into gzip for the next sink.
final class GzipSink: ByteSink {
    private let deflater: Deflater
    private let next: ByteSink

    init(next: ByteSink, level: Int32 = 6) throws {
        self.next = next
        deflater = try Deflater(level: level, framing: .gzip)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try deflater.compress(bytes) { try next.write($0) }
    }

    /// Writes the gzip trailer; nothing may be written afterwards.
    func finish() throws {
        try deflater.finish { try next.write($0) }
    }
}
