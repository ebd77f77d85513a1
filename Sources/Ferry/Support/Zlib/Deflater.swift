import CZlib

/// zlib deflate, raw (as zip entries use it) or with a gzip header and trailer; owns its `z_stream`.
final class Deflater {
    enum Framing {
        case raw
        /// gzip with a zero modification time, so the same input gives the same bytes.
        case gzip
    }

    private var stream = z_stream()
    private var output: [UInt8]

    /// `level` 1 (fastest) ... 9 (smallest).
    init(level: Int32, framing: Framing = .raw, outputBufferSize: Int = 1 << 17) throws {
        output = [UInt8](repeating: 0, count: outputBufferSize)
        let status = ferry_deflateInit2(&stream, level, framing == .raw ? -15 : 31)
        guard status == Z_OK else { throw ZlibError(code: status, stream: stream) }
    }

    deinit { deflateEnd(&stream) }

    /// Compresses `input` and hands every produced chunk to `emit`.
    func compress(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(input, flush: Z_NO_FLUSH, emit: emit)
    }

    /// Flushes everything still buffered and ends the stream.
    func finish(emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, emit: emit)
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let capacity = output.count
        try output.withUnsafeMutableBytes { buffer in
            while true {
                stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(capacity)
                let status = deflate(&stream, flush)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw ZlibError(code: status, stream: stream)
                }
                let produced = capacity - Int(stream.avail_out)
                if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<produced])) }
                if flush == Z_FINISH {
                    if status == Z_STREAM_END { break }
                } else if stream.avail_in == 0 && stream.avail_out != 0 {
                    break
                }
            }
        }
        stream.next_in = nil
    }
}
