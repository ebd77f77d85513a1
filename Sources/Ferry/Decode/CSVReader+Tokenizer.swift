/// The byte loop: quoted and unquoted fields, line breaks, records that span reads.
extension CSVReader {
    func refill() throws {
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

    func parseRecord(into record: inout SourceRecord) throws -> Bool {
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
                    continue
                }
                state = .unquoted
                fallthrough

            case .unquoted:
                let index = ByteScan.firstSpecial(in: bytes, from: position, to: filled, delimiter: delimiter, nonASCII: &sawNonASCII)
                if index > position {
                    // Checked before the bytes are kept: a line without a delimiter never reaches endField.
                    if record.storage.count + (index - position) > limits.maxRecordBytes { throw tooLarge(record.line) }
                    record.storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<index]))
                    started = true
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
}
