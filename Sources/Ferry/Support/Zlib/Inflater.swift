import CZlib

/// zlib inflate over one `z_stream`, which it owns. Reads gzip or zlib headers (auto-detected) or raw deflate.
final class Inflater {
    enum Framing {
        /// gzip or zlib header, whichever the data starts with.
        case gzipOrZlib
        /// Raw deflate, as inside zip entries.
        case raw

        var windowBits: Int32 { self == .raw ? -15 : 15 + 32 }
    }

    enum Status {
        /// More input is needed (or more output room).
        case progressing
        /// The compressed stream (one gzip member) ended and its checksum verified.
        case streamEnd
    }

    private var stream = z_stream()
    private let framing: Framing

    init(_ framing: Framing) throws {
        self.framing = framing
        let status = ferry_inflateInit2(&stream, framing.windowBits)
        guard status == Z_OK else { throw ZlibError(code: status, stream: stream) }
    }

    deinit { inflateEnd(&stream) }

    /// Input bytes not yet consumed from the last `inflate` call.
    var pendingInput: Int { Int(stream.avail_in) }

    /// Inflates from `input` into `output`; returns bytes consumed, bytes produced and the status.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (consumed: Int, produced: Int, status: Status) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        let status = CZlib.inflate(&stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.avail_in)
        let produced = output.count - Int(stream.avail_out)
        stream.next_in = nil
        stream.next_out = nil
        switch status {
        case Z_STREAM_END: return (consumed, produced, .streamEnd)
        case Z_OK: return (consumed, produced, .progressing)
        case Z_BUF_ERROR where consumed > 0 || produced > 0: return (consumed, produced, .progressing)
        case Z_BUF_ERROR: return (consumed, produced, .progressing)
        case Z_NEED_DICT: throw ZlibError(code: Z_DATA_ERROR, message: "the stream needs a preset dictionary")
        default: throw ZlibError(code: status, stream: stream)
        }
    }

    /// Starts over for the next gzip member.
    func reset() throws {
        let status = inflateReset(&stream)
        guard status == Z_OK else { throw ZlibError(code: status, stream: stream) }
    }
}
