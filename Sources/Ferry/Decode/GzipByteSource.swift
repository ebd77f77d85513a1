/// Decompresses a gzip (or zlib) stream as it is read, member after member for concatenated files.
///
/// Every fault names the byte offset in the compressed file: truncation, a bad CRC or size, trailing garbage.
/// Zero bytes after the last member (tape or block padding) are accepted with a notice, as gzip(1) does.
public final class GzipByteSource: ByteSource {
    private let compressed: ByteSource
    private let fileName: String
    private let limits: DecompressionLimits
    private let notices: Notices?
    private let inflater: Inflater
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var inputExhausted = false
    private var memberEnded = false
    private var finished = false
    private var produced: Int64 = 0

    public var bytesConsumed: Int64 { compressed.bytesConsumed }

    public init(_ compressed: ByteSource, fileName: String, limits: DecompressionLimits = DecompressionLimits(),
                notices: Notices? = nil, bufferSize: Int = 1 << 17) throws {
        self.compressed = compressed
        self.fileName = fileName
        self.limits = limits
        self.notices = notices
        self.inflater = try Inflater(.gzipOrZlib)
        self.input = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { input.deallocate() }

    /// Offset in the compressed file of the next unread input byte.
    private var compressedOffset: Int64 { compressed.bytesConsumed - Int64(inputEnd - inputStart) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while !finished {
            if inputStart == inputEnd && !inputExhausted { try fillInput() }
            if memberEnded {
                try startNextMemberOrFinish()
                continue
            }
            if inputStart == inputEnd && inputExhausted {
                throw InputError(.malformed, InputLocation(file: fileName, byteOffset: compressedOffset),
                                 "the gzip data ends before its end marker and checksum: the file is truncated",
                                 hint: "the upload or copy was probably cut short; send the complete file again")
            }
            let result: (consumed: Int, produced: Int, status: Inflater.Status)
            do {
                result = try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd]), into: buffer)
            } catch let error as ZlibError {
                // zlib stops right after what it could not accept; a member's checksum and size are its last 8 bytes.
                let stoppedAt = compressedOffset + Int64(inputEnd - inputStart - inflater.pendingInput)
                if error.message.contains("incorrect data check") || error.message.contains("incorrect length check") {
                    let isCRC = error.message.contains("data")
                    throw InputError(.malformed, InputLocation(file: fileName, byteOffset: stoppedAt - 4),
                                     "the gzip \(isCRC ? "checksum (CRC-32)" : "length field") at the end of the compressed data does not match the data",
                                     hint: "the file was damaged in transfer; send it again")
                }
                throw InputError(.malformed, InputLocation(file: fileName, byteOffset: stoppedAt),
                                 "the gzip data is corrupt: \(error.message)",
                                 hint: "the file is not valid gzip; send it again or send it uncompressed")
            }
            inputStart += result.consumed
            produced += Int64(result.produced)
            if let reason = limits.violation(decompressed: produced, compressed: max(compressed.bytesConsumed, 1)) {
                throw InputError(.limit, InputLocation(file: fileName, byteOffset: compressedOffset),
                                 "refused: \(reason)", hint: "if the file is genuine, raise the limits in ferry.yaml (limits:)")
            }
            if result.status == .streamEnd { memberEnded = true }
            if result.produced > 0 { return result.produced }
        }
        return 0
    }

    private func fillInput() throws {
        let count = try compressed.read(into: input)
        inputStart = 0
        inputEnd = count
        if count == 0 { inputExhausted = true }
    }

    /// After a member's trailer: another member (gzip magic) follows, or the end, or garbage.
    private func startNextMemberOrFinish() throws {
        if inputStart == inputEnd && !inputExhausted { try fillInput() }
        if inputStart == inputEnd && inputExhausted {
            finished = true
            return
        }
        // Need both magic bytes; a lone first byte at the very end is a cut-off member.
        if inputEnd - inputStart < 2 && !inputExhausted {
            let kept = inputEnd - inputStart
            input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: kept)
            let count = try compressed.read(into: UnsafeMutableRawBufferPointer(rebasing: input[kept...]))
            inputStart = 0
            inputEnd = kept + count
            if count == 0 { inputExhausted = true }
        }
        let available = inputEnd - inputStart
        let first = input.load(fromByteOffset: inputStart, as: UInt8.self)
        if first == 0 { return try skipZeroPadding() }
        let second: UInt8? = available >= 2 ? input.load(fromByteOffset: inputStart + 1, as: UInt8.self) : nil
        guard first == 0x1F, second == 0x8B else {
            throw InputError(.malformed, InputLocation(file: fileName, byteOffset: compressedOffset),
                             available < 2 && first == 0x1F
                                ? "the file ends with the first byte of another gzip member: it is truncated"
                                : "there are bytes after the end of the gzip data that are not another gzip member",
                             hint: "the file was damaged or appended to; send the original file again")
        }
        try inflater.reset()
        memberEnded = false
    }

    /// Reads to the end: zeros only (padding, accepted with a notice), or it is garbage after the data.
    private func skipZeroPadding() throws {
        let start = compressedOffset
        while true {
            let bytes = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
            if let nonZero = bytes.firstIndex(where: { $0 != 0 }) {
                inputStart += nonZero
                throw InputError(.malformed, InputLocation(file: fileName, byteOffset: compressedOffset),
                                 "there are bytes after the end of the gzip data (after \(compressedOffset - start) zero bytes) that are not another gzip member",
                                 hint: "the file was damaged or appended to; send the original file again")
            }
            inputStart = inputEnd
            if inputExhausted { break }
            try fillInput()
        }
        finished = true
        notices?.add("\(fileName): \(compressedOffset - start) zero bytes after the end of the gzip data (tape or block padding) were ignored")
    }
}
