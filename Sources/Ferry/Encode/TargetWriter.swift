/// The encode stage's output for one input: rows go in, a finished file comes out in staging.
protocol TargetWriter: AnyObject {
    /// Throws `UnencodableValue` for a row the output encoding cannot hold (nothing of it is written).
    func write(row: [String]) throws
    /// Completes the output in its staging file, ready for delivery.
    func finish() throws -> StagedFile
    /// The file name extension of the output (`zip`, `csv`, `xml.gz`).
    var fileExtension: String { get }
    var rowsWritten: Int { get }
}

extension TargetSpec {
    /// The writer for this target, staging its output in `stagingFolder`.
    func makeWriter(fields: [String], stagingFolder: String, created: UTCDateTime, sourceName: String) throws -> TargetWriter {
        switch system {
        case .financeAndOperations:
            try DataPackageWriter(target: self, fields: fields, stagingFolder: stagingFolder, created: created, sourceName: sourceName)
        case .sales, .file:
            try DataFileWriter(format: format, fields: fields, stagingFolder: stagingFolder)
        }
    }
}
