/// Writes CSV rows: the layout's delimiter, encoding, byte order mark and line ending, fields
/// quoted when they hold the delimiter, a quote or a line break.
final class CSVWriter: RecordEncoder {
    private let sink: ByteSink
    private let layout: CSVLayout
    private let encoder: TextEncoder
    private var line: [UInt8] = []
    private var encoded: [UInt8] = []
    /// Lines are built in UTF-8 and encoded once (UTF-16 holds every character); for a code page they go
    /// field by field, so a character it lacks is named with its field.
    private let direct: Bool
    private let lineEnd: [UInt8]
    private(set) var rowsWritten = 0
    private var failure: UnencodableValue?

    init(sink: ByteSink, layout: CSVLayout) {
        self.sink = sink
        self.layout = layout
        self.encoder = TextEncoder(layout.encoding)
        direct = layout.encoding.codePage == nil
        lineEnd = layout.lineEnding == .crlf ? [0x0D, 0x0A] : [0x0A]
        line.reserveCapacity(4096)
    }

    func begin(fields: [String]) throws {
        if layout.byteOrderMark { try sink.write(encoder.byteOrderMark) }
        try writeLine(SourceRecord(fields: fields))
    }

    func write(record: SourceRecord) throws {
        try writeLine(record)
        rowsWritten += 1
    }

    func finish() throws {}

    func unencodable(_ record: SourceRecord) -> UnencodableValue? {
        guard layout.encoding.codePage != nil else { return nil }
        return record.storage.withUnsafeBufferPointer { storage in
            var start = 0
            for (index, end) in record.fieldEnds.enumerated() {
                defer { start = end }
                if let character = encoder.firstUnencodable(UnsafeBufferPointer(rebasing: storage[start..<end])) {
                    return UnencodableValue(field: index, character: character, encoding: layout.encoding)
                }
            }
            return nil
        }
    }

    private func writeLine(_ record: SourceRecord) throws {
        let delimiter = layout.delimiter
        let direct = self.direct
        var output = encoded
        encoded = []
        output.removeAll(keepingCapacity: true)
        var scratch = line
        line = []
        defer {
            encoded = output
            line = scratch
        }
        record.storage.withUnsafeBufferPointer { storage in
            var start = 0
            for (index, end) in record.fieldEnds.enumerated() {
                let field = UnsafeBufferPointer(rebasing: storage[start..<end])
                start = end
                if direct {
                    if index > 0 { output.append(delimiter) }
                    Self.appendField(field, delimiter: delimiter, to: &output)
                } else {
                    scratch.removeAll(keepingCapacity: true)
                    if index > 0 { scratch.append(delimiter) }
                    Self.appendField(field, delimiter: delimiter, to: &scratch)
                    if let character = encoder.append(scratch, to: &output) {
                        failure = UnencodableValue(field: index, character: character, encoding: layout.encoding)
                        return
                    }
                }
            }
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        if direct, layout.encoding != .utf8 {
            output.append(contentsOf: lineEnd)
            scratch.removeAll(keepingCapacity: true)
            _ = encoder.append(output, to: &scratch)
            swap(&output, &scratch)
        } else {
            _ = encoder.append(lineEnd, to: &output)
        }
        try sink.write(output)
    }

    /// Appends a field, in quotes (inner quotes doubled) when it holds the delimiter, a quote or a line break.
    private static func appendField(_ value: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to line: inout [UInt8]) {
        var nonASCII = false
        guard ByteScan.firstSpecial(in: value, from: 0, to: value.count, delimiter: delimiter, nonASCII: &nonASCII) < value.count else {
            line.append(contentsOf: value)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") { line.append(byte) }
            line.append(byte)
        }
        line.append(UInt8(ascii: "\""))
    }
}
