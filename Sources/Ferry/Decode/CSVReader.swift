/// Streaming RFC 4180 reader: quoted fields with delimiters, doubled quotes and line breaks,
/// CRLF, LF or lone CR line endings, an optional UTF-8 byte order mark.
///
/// Memory is one read buffer plus the largest record, whatever the file size.
public final class CSVReader: RecordDecoder {
    public struct Limits: Sendable {
        /// A record larger than this is almost always an unclosed quote swallowing the file.
        public var maxRecordBytes: Int = 16 << 20
        public var maxFields: Int = 10_000
        public init() {}
    }

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    public private(set) var columns: [String] = []
    public private(set) var delimiter: UInt8
    public var bytesConsumed: Int64 { source.bytesConsumed }

    private let source: ByteSource
    private let fileName: String
    private let limits: Limits
    private let replaceInvalidUTF8: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var filled = 0
    private var atEnd = false
    /// Stream offset of `buffer[0]`, for columns and byte offsets in errors.
    private var bufferStart: Int64 = 0
    private var line = 1
    private var lineStart: Int64 = 0
    /// Whether the byte before `buffer[0]` was a carriage return (CRLF split across reads).
    private var bufferFollowsCR = false
    private var skipLineFeed = false
    private var recordCount = 0

    /// Reads the header line. `delimiter` nil means: sniff it from the header.
    public init(source: ByteSource, fileName: String, delimiter: UInt8?, limits: Limits = Limits(),
                replaceInvalidUTF8: Bool = false, bufferSize: Int = 1 << 18) throws {
        self.source = source
        self.replaceInvalidUTF8 = replaceInvalidUTF8
        self.fileName = fileName
        self.limits = limits
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
        // The BOM and the sniffed header need the first bytes together, however the source chunks them.
        repeat { try refill() } while filled < 4096 && filled < buffer.count && !atEnd
        skipByteOrderMark()
        if delimiter == nil { self.delimiter = sniffDelimiter() }
        try readHeader()
    }

    deinit { buffer.deallocate() }

    public func next(into record: inout SourceRecord) throws -> Bool {
        guard try parseRecord(into: &record) else { return false }
        recordCount += 1
        record.number = recordCount
        return true
    }

    // MARK: Header

    private func readHeader() throws {
        var header = SourceRecord()
        guard try parseRecord(into: &header) else {
            throw InputError(.schema, InputLocation(file: fileName, line: 1), "the file is empty: no header line",
                             hint: "export the file again with column names in the first line")
        }
        var seen: [String: Int] = [:]
        for index in 0..<header.fieldCount {
            let name = (header.string(at: index) ?? "").trimmingWhitespace()
            if !name.isEmpty, let first = seen[name] {
                throw InputError(.schema, InputLocation(file: fileName, line: header.line, field: name),
                                 "the header names column \"\(name)\" twice (columns \(first + 1) and \(index + 1))",
                                 hint: "rename one of the columns so each name is unique")
            }
            seen[name] = index
            columns.append(name)
        }
    }

    private func skipByteOrderMark() {
        guard filled >= 3 else { return }
        let bytes = buffer.bindMemory(to: UInt8.self)
        if bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            position = 3
            lineStart = 3
        }
    }

    /// Picks the candidate delimiter that occurs most often outside quotes in the first line.
    private func sniffDelimiter() -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        let bytes = buffer.bindMemory(to: UInt8.self)
        for index in position..<filled {
            let byte = bytes[index]
            if byte == Self.quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == Self.lineFeed || byte == Self.carriageReturn { break }
            if let slot = candidates.firstIndex(of: byte) { counts[slot] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else {
            return UInt8(ascii: ",")
        }
        return candidates[best]
    }

    // MARK: Tokenizer

    private func refill() throws {
        guard !atEnd else { return }
        let kept = filled - position
        if position > 0 { bufferFollowsCR = buffer.load(fromByteOffset: position - 1, as: UInt8.self) == Self.carriageReturn }
        if kept > 0, position > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: kept)
        }
        bufferStart += Int64(position)
        position = 0
        filled = kept
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if count == 0 { atEnd = true }
        filled += count
    }

    private func column(at index: Int) -> Int { Int(bufferStart + Int64(index) - lineStart) + 1 }

    /// Counts a line break; the LF of a CRLF pair does not count again.
    private func noteLineBreak(_ byte: UInt8, at index: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        let afterCR = index > 0 ? bytes[index - 1] == Self.carriageReturn : bufferFollowsCR
        if byte == Self.carriageReturn || !afterCR { line += 1 }
        lineStart = bufferStart + Int64(index) + 1
    }

    private func parseRecord(into record: inout SourceRecord) throws -> Bool {
        var state = State.fieldStart
        var quoteOpenedAt = (line: 0, column: 0)
        var started = false
        var sawNonASCII = false
        record.reset(line: line, number: 0)

        while true {
            if position == filled {
                try refill()
                if position == filled {
                    switch state {
                    case .quoted:
                        throw InputError(.malformed, InputLocation(file: fileName, line: quoteOpenedAt.line,
                                                                   record: recordCount + 1),
                                         "a quoted field opened at line \(quoteOpenedAt.line), column \(quoteOpenedAt.column) never closes before the end of the file",
                                         hint: "the file may be truncated, or a quote inside a field is not doubled (\"\")")
                    case .fieldStart where !started:
                        return false
                    default:
                        record.endField()
                        try finish(&record, sawNonASCII: sawNonASCII)
                        return true
                    }
                }
            }
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)

            if skipLineFeed {
                skipLineFeed = false
                if bytes[position] == Self.lineFeed {
                    lineStart = bufferStart + Int64(position) + 1
                    position += 1
                    continue
                }
            }
            if !started { record.reset(line: line, number: 0) }

            switch state {
            case .fieldStart:
                if bytes[position] == Self.quote {
                    quoteOpenedAt = (line, column(at: position))
                    started = true
                    position += 1
                    state = .quoted
                } else {
                    state = .unquoted
                }

            case .unquoted:
                var index = position
                var high: UInt8 = 0
                while index < filled {
                    let byte = bytes[index]
                    if byte == delimiter || byte == Self.lineFeed || byte == Self.carriageReturn || byte == Self.quote { break }
                    high |= byte
                    index += 1
                }
                if index > position {
                    // Checked before the bytes are kept: a line without a delimiter never reaches endField.
                    if record.storage.count + (index - position) > limits.maxRecordBytes { throw tooLarge(record.line) }
                    record.storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<index]))
                    started = true
                    sawNonASCII = sawNonASCII || high >= 0x80
                }
                position = index
                guard index < filled else { continue }
                let byte = bytes[index]
                if byte == delimiter {
                    started = true
                    position += 1
                    try endField(&record)
                    state = .fieldStart
                } else if byte == Self.quote {
                    throw InputError(.malformed, InputLocation(file: fileName, line: line, record: recordCount + 1),
                                     "column \(column(at: index)): a quote (\") inside an unquoted field",
                                     hint: "put the whole field in quotes and double the quotes inside it, e.g. \"Litware \"\"Global\"\"\"")
                } else {
                    position += 1
                    noteLineBreak(byte, at: index, in: bytes)
                    skipLineFeed = byte == Self.carriageReturn
                    if !started {  // a blank line is not a record
                        state = .fieldStart
                        continue
                    }
                    record.endField()
                    try finish(&record, sawNonASCII: sawNonASCII)
                    return true
                }

            case .quoted:
                var index = position
                var high: UInt8 = 0
                while index < filled {
                    let byte = bytes[index]
                    if byte == Self.quote { break }
                    if byte == Self.lineFeed || byte == Self.carriageReturn {
                        noteLineBreak(byte, at: index, in: bytes)
                    }
                    high |= byte
                    index += 1
                }
                if index > position {
                    if record.storage.count + (index - position) > limits.maxRecordBytes { throw tooLarge(quoteOpenedAt.line) }
                    record.storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<index]))
                    sawNonASCII = sawNonASCII || high >= 0x80
                }
                position = index
                guard index < filled else { continue }
                position += 1
                state = .afterQuote

            case .afterQuote:
                let byte = bytes[position]
                if byte == Self.quote {
                    record.storage.append(Self.quote)
                    position += 1
                    state = .quoted
                } else if byte == delimiter {
                    position += 1
                    try endField(&record)
                    state = .fieldStart
                } else if byte == Self.lineFeed || byte == Self.carriageReturn {
                    position += 1
                    noteLineBreak(byte, at: position - 1, in: bytes)
                    skipLineFeed = byte == Self.carriageReturn
                    record.endField()
                    try finish(&record, sawNonASCII: sawNonASCII)
                    return true
                } else {
                    throw InputError(.malformed, InputLocation(file: fileName, line: line, record: recordCount + 1),
                                     "column \(column(at: position)): text after the closing quote of a field",
                                     hint: "a quote inside a quoted field must be doubled (\"\")")
                }
            }
        }
    }

    private func endField(_ record: inout SourceRecord) throws {
        record.endField()
        if record.fieldCount > limits.maxFields {
            throw InputError(.limit, InputLocation(file: fileName, line: record.line, record: recordCount + 1),
                             "the record has more than \(limits.maxFields) fields",
                             hint: "check the delimiter set in the template")
        }
        if record.storage.count > limits.maxRecordBytes { throw tooLarge(record.line) }
    }

    private func tooLarge(_ startLine: Int) -> InputError {
        InputError(.limit, InputLocation(file: fileName, line: startLine, record: recordCount + 1),
                   "the record starting here is larger than \(limits.maxRecordBytes >> 20) MiB",
                   hint: "a quote that never closes makes the rest of the file one field, and a file with no line breaks (or the wrong delimiter) is one record; check the quotes and line ends near this line")
    }

    private func finish(_ record: inout SourceRecord, sawNonASCII: Bool) throws {
        guard sawNonASCII else { return }
        if let bad = UTF8Validation.firstInvalidByte(in: record.storage) {
            if replaceInvalidUTF8 {
                record.repairUTF8()
                return
            }
            var field = 0
            while field < record.fieldCount, record.fieldEnds[field] <= bad { field += 1 }
            let name = field < columns.count ? columns[field] : "column \(field + 1)"
            throw InputError(.encoding, InputLocation(file: fileName, line: record.line, record: recordCount + 1, field: name),
                             "byte 0x\(hexByte(record.storage[bad])) is not valid UTF-8",
                             hint: "the file is probably in a legacy code page (windows-1250, windows-1252, ISO-8859-2): set `encoding:` in the template's source section, or export it again as UTF-8")
        }
    }
}
