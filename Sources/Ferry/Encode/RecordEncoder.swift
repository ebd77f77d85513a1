/// Writes target rows in one file format into a byte sink.
protocol RecordEncoder: AnyObject {
    func begin(fields: [String]) throws
    /// Writes one row whose fields are UTF-8 bytes. Throws `UnencodableValue` (before writing
    /// anything) when a value cannot be written in the output's encoding; the pipeline rejects that row.
    func write(record: SourceRecord) throws
    func finish() throws
    var rowsWritten: Int { get }
    /// The value `write` would refuse, found without writing (so a record's targets are all checked first).
    func unencodable(_ record: SourceRecord) -> UnencodableValue?
}

extension RecordEncoder {
    /// Encodings that hold every character (UTF-8, UTF-16, XML with character references) refuse nothing.
    func unencodable(_ record: SourceRecord) -> UnencodableValue? { nil }

    /// Writes one row of texts (reports, tests).
    func write(row: [String]) throws {
        try write(record: SourceRecord(fields: row))
    }
}

extension OutputFormat.Layout {
    func makeEncoder(sink: ByteSink) throws -> RecordEncoder {
        switch self {
        case .csv(let layout): CSVWriter(sink: sink, layout: layout)
        case .xml(let layout): try XMLRecordWriter(sink: sink, layout: layout)
        }
    }
}
