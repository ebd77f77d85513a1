/// Writes CSV rows: the layout's delimiter, encoding, byte order mark and line ending, fields
/// quoted when they hold the delimiter, a quote or a line break.
final class CSVWriter: RecordEncoder {
    private let sink: ByteSink
    private let layout: CSVLayout
    private let encoder: TextEncoder
    private var line: [UInt8] = []
    private var encoded: [UInt8] = []
    private(set) var rowsWritten = 0

    init(sink: ByteSink, layout: CSVLayout) {
        self.sink = sink
        self.layout = layout
        self.encoder = TextEncoder(layout.encoding)
        line.reserveCapacity(4096)
    }

    func begin(fields: [String]) throws {
        if layout.byteOrderMark { try sink.write(encoder.byteOrderMark) }
        try writeLine(fields)
    }

    func write(row: [String]) throws {
        try writeLine(row)
        rowsWritten += 1
    }

    func finish() throws {}

    private func writeLine(_ values: [String]) throws {
        let delimiter = layout.delimiter
        // UTF-8 output is built in place; other encodings go field by field through the encoder.
        let direct = layout.encoding == .utf8
        var output = encoded
        encoded = []
        output.removeAll(keepingCapacity: true)
        var scratch = line
        line = []
        defer {
            encoded = output
            line = scratch
        }
        for (index, value) in values.enumerated() {
            if direct {
                if index > 0 { output.append(delimiter) }
                Self.appendField(value, delimiter: delimiter, to: &output)
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            if index > 0 { scratch.append(delimiter) }
            Self.appendField(value, delimiter: delimiter, to: &scratch)
            if let character = encoder.append(scratch, to: &output) {
                throw UnencodableValue(field: index, character: character, encoding: layout.encoding)
            }
        }
        scratch.removeAll(keepingCapacity: true)
        if layout.lineEnding == .crlf { scratch.append(UInt8(ascii: "\r")) }
        scratch.append(UInt8(ascii: "\n"))
        _ = encoder.append(scratch, to: &output)
        try sink.write(output)
    }

    /// Appends a field, in quotes (inner quotes doubled) when it holds the delimiter, a quote or a line break.
    private static func appendField(_ value: String, delimiter: UInt8, to line: inout [UInt8]) {
        let start = line.count
        var needsQuotes = false
        for byte in value.utf8 {
            if byte == delimiter || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 { needsQuotes = true }
            line.append(byte)
        }
        guard needsQuotes else { return }
        line.removeSubrange(start...)
        line.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") { line.append(byte) }
            line.append(byte)
        }
        line.append(UInt8(ascii: "\""))
    }
}
