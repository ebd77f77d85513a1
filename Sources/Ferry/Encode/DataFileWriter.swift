/// A plain data file (a Dataverse import CSV, or CSV/XML for any other system), gzip-compressed
/// when the template asks.
final class DataFileWriter {
    let fileExtension: String
    private let staged: StagedFile
    private let encoder: RecordEncoder
    private let gzip: GzipSink?
    var rowsWritten: Int { encoder.rowsWritten }

    init(format: OutputFormat, fields: [String], stagingFolder: String) throws {
        fileExtension = format.fileExtension
        staged = try StagedFile(in: stagingFolder, suffix: fileExtension)
        gzip = format.gzip ? try GzipSink(next: staged.file) : nil
        encoder = try format.layout.makeEncoder(sink: gzip ?? staged.file)
        try encoder.begin(fields: fields)
    }

    func write(record: SourceRecord) throws {
        try encoder.write(record: record)
    }

    func unencodable(_ record: SourceRecord) -> UnencodableValue? {
        encoder.unencodable(record)
    }

    func finish() throws -> StagedFile {
        try encoder.finish()
        try gzip?.finish()
        return staged
    }
}
