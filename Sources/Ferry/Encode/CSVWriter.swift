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
        encoded.removeAll(keepingCapacity: true)
        for (index, value) in values.enumerated() {
            line.removeAll(keepingCapacity: true)
            if index > 0 { line.append(layout.delimiter) }
            appendField(value, to: &line)
            if let character = encoder.append(line, to: &encoded) {
                throw UnencodableValue(field: index, character: character, encoding: layout.encoding)
            }
        }
        line.removeAll(keepingCapacity: true)
        if layout.lineEnding == .crlf { line.append(UInt8(ascii: "\r")) }
        line.append(UInt8(ascii: "\n"))
        _ = encoder.append(line, to: &encoded)
        try sink.write(encoded)
    }

    private func appendField(_ value: String, to line: inout [UInt8]) {
        let utf8 = value.utf8
        let delimiter = layout.delimiter
        let needsQuotes = utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            line.append(contentsOf: utf8)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { line.append(byte) }
            line.append(byte)
        }
        line.append(UInt8(ascii: "\""))
    }
}
