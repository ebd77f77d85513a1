/// Writes CSV rows (comma, CRLF, quotes where needed) in UTF-8 or UTF-16 LE, each with a BOM.
final class CSVWriter {
    enum Encoding {
        case utf8WithBOM
        case utf16LittleEndianWithBOM
    }

    private let sink: ByteSink
    private let encoding: Encoding
    private var line: [UInt8] = []
    private var encoded: [UInt8] = []
    private(set) var rowsWritten = 0

    init(sink: ByteSink, encoding: Encoding) throws {
        self.sink = sink
        self.encoding = encoding
        line.reserveCapacity(4096)
        switch encoding {
        case .utf8WithBOM: try sink.write([0xEF, 0xBB, 0xBF])
        case .utf16LittleEndianWithBOM: try sink.write([0xFF, 0xFE])
        }
    }

    func writeHeader(_ names: [String]) throws {
        try writeLine(names)
    }

    func writeRow(_ values: [String]) throws {
        try writeLine(values)
        rowsWritten += 1
    }

    private func writeLine(_ values: [String]) throws {
        line.removeAll(keepingCapacity: true)
        for (index, value) in values.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            Self.appendField(value, to: &line)
        }
        line.append(UInt8(ascii: "\r"))
        line.append(UInt8(ascii: "\n"))
        switch encoding {
        case .utf8WithBOM:
            try sink.write(line)
        case .utf16LittleEndianWithBOM:
            encoded.removeAll(keepingCapacity: true)
            // The line is valid UTF-8 (built from Strings), so decoding cannot fail.
            for unit in String(decoding: line, as: UTF8.self).utf16 {
                encoded.append(UInt8(truncatingIfNeeded: unit))
                encoded.append(UInt8(truncatingIfNeeded: unit >> 8))
            }
            try sink.write(encoded)
        }
    }

    /// Appends a field, quoted when it holds a comma, a quote or a line break.
    static func appendField(_ value: String, to line: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
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
