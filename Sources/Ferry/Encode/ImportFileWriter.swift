/// A Dataverse import file: CSV, UTF-8 with BOM, header of the table's column names.
final class ImportFileWriter: TargetWriter {
    let fileExtension = "csv"
    private let staged: StagedFile
    private let csv: CSVWriter
    var rowsWritten: Int { csv.rowsWritten }

    init(fields: [String], stagingFolder: String) throws {
        staged = try StagedFile(in: stagingFolder, suffix: "csv")
        csv = try CSVWriter(sink: staged.file, encoding: .utf8WithBOM)
        try csv.writeHeader(fields)
    }

    func write(row: [String]) throws {
        try csv.writeRow(row)
    }

    func finish() throws -> StagedFile { staged }
}
