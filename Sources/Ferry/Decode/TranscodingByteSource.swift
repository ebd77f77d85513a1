/// Turns text in another encoding into UTF-8 as it is read. A byte order mark wins over the
/// declared encoding; bytes invalid in the encoding fail with their line (or become U+FFFD on request).
public final class TranscodingByteSource: ByteSource {
    private let source: ByteSource
    private let fileName: String
    private let replaceInvalid: Bool
    private var encoding: TextEncoding
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var atEnd = false
    private var started = false
    private var line = 1
    private var pendingHighSurrogate: UInt16?

    public var bytesConsumed: Int64 { source.bytesConsumed }

    public init(_ source: ByteSource, declared: TextEncoding, fileName: String, replaceInvalid: Bool = false,
                bufferSize: Int = 1 << 16) {
        self.source = source
        self.encoding = declared
        self.fileName = fileName
        self.replaceInvalid = replaceInvalid
        self.input = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { input.deallocate() }

    /// Decoded bytes that did not fit into a caller's small buffer.
    private var spill: [UInt8] = []

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !spill.isEmpty {
            let count = min(buffer.count, spill.count)
            spill.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            spill.removeFirst(count)
            return count
        }
        guard buffer.count >= 8 else {
            // One character can take four bytes: decode into room of our own and hand out what fits.
            var room = [UInt8](repeating: 0, count: 4096)
            let produced = try room.withUnsafeMutableBytes { try read(into: $0) }
            spill = Array(room[0..<produced])
            return produced == 0 ? 0 : try read(into: buffer)
        }
        if !started { try start() }
        var written = 0
        let output = buffer.bindMemory(to: UInt8.self)
        while written + 4 <= output.count {
            if inputEnd - inputStart < 2 && !atEnd {
                try refill()
                continue
            }
            if inputStart == inputEnd {
                if pendingHighSurrogate != nil {
                    pendingHighSurrogate = nil
                    try invalid("the file ends in the middle of a UTF-16 character", &written, output)
                }
                break
            }
            let bytes = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
            switch encoding {
            case .utf8:
                // Validation (and naming the bad field) happens in the reader; this only copies.
                let count = min(bytes.count, output.count - written)
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
                written += count
                inputStart += count
            case .utf16LittleEndian, .utf16BigEndian:
                if bytes.count == 1 {  // only at the end of the input
                    inputStart = inputEnd
                    try invalid("the file ends in the middle of a UTF-16 character", &written, output)
                    continue
                }
                try decodeUTF16(bytes, into: output, written: &written)
            default:
                try decodeSingleByte(bytes, into: output, written: &written)
            }
            if written > 0 { break }
        }
        return written
    }

    private func start() throws {
        started = true
        while inputEnd < 4 && !atEnd { try refill() }
        if let (announced, length) = TextEncoding.byteOrderMark(in: UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])) {
            encoding = announced
            inputStart += length
        }
    }

    private func refill() throws {
        let kept = inputEnd - inputStart
        if kept > 0, inputStart > 0 {
            input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: kept)
        }
        inputStart = 0
        inputEnd = kept
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[kept...]))
        if count == 0 { atEnd = true }
        inputEnd += count
    }

    private func decodeSingleByte(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>, written: inout Int) throws {
        guard let table = encoding.codePage else { return }
        var index = 0
        while index < bytes.count, written + 4 <= output.count {
            let byte = bytes[index]
            index += 1
            if byte < 0x80 {
                if byte == 0x0A { line += 1 }
                output[written] = byte
                written += 1
                continue
            }
            let scalar = table[Int(byte) - 0x80]
            if scalar == 0xFFFF {
                inputStart += index
                index = 0
                try invalid("byte 0x\(hexByte(byte)) has no character in \(encoding.rawValue)", &written, output)
                return
            }
            append(UInt32(scalar), to: output, &written)
        }
        inputStart += index
    }

    private func decodeUTF16(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>, written: inout Int) throws {
        let littleEndian = encoding == .utf16LittleEndian
        var index = 0
        while index + 1 < bytes.count, written + 4 <= output.count {
            let unit = littleEndian ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                                    : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            index += 2
            if let high = pendingHighSurrogate {
                pendingHighSurrogate = nil
                if (0xDC00...0xDFFF).contains(unit) {
                    let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                    append(scalar, to: output, &written)
                    continue
                }
                inputStart += index - 2
                index = 0
                try invalid("a UTF-16 high surrogate is not followed by a low surrogate", &written, output)
                return
            }
            switch unit {
            case 0xD800...0xDBFF:
                pendingHighSurrogate = unit
            case 0xDC00...0xDFFF:
                inputStart += index
                index = 0
                try invalid("a UTF-16 low surrogate without its high surrogate", &written, output)
                return
            default:
                if unit == 0x0A { line += 1 }
                append(UInt32(unit), to: output, &written)
            }
        }
        inputStart += index
    }

    /// Fails with the line, or writes U+FFFD when the template asked for replacement.
    private func invalid(_ problem: String, _ written: inout Int, _ output: UnsafeMutableBufferPointer<UInt8>) throws {
        guard replaceInvalid else {
            throw InputError(.encoding, InputLocation(file: fileName, line: line), "\(problem)",
                             hint: "check `encoding:` in the template's source section (the file may be in another encoding), or set `invalid_bytes: replace` to accept U+FFFD in their place")
        }
        append(0xFFFD, to: output, &written)
    }

    private func append(_ scalar: UInt32, to output: UnsafeMutableBufferPointer<UInt8>, _ written: inout Int) {
        switch scalar {
        case 0..<0x80:
            output[written] = UInt8(scalar); written += 1
        case 0x80..<0x800:
            output[written] = UInt8(0xC0 | scalar >> 6)
            output[written + 1] = UInt8(0x80 | scalar & 0x3F); written += 2
        case 0x800..<0x10000:
            output[written] = UInt8(0xE0 | scalar >> 12)
            output[written + 1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            output[written + 2] = UInt8(0x80 | scalar & 0x3F); written += 3
        default:
            output[written] = UInt8(0xF0 | scalar >> 18)
            output[written + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            output[written + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            output[written + 3] = UInt8(0x80 | scalar & 0x3F); written += 4
        }
    }
}
