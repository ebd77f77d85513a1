/// An F&O data-management package: a zip with Manifest.xml, PackageHeader.xml and the entity's data file.
final class DataPackageWriter: TargetWriter {
    /// Level 6 (zlib's default): within a few percent of level 9's size at about twice its speed.
    static let compressionLevel: Int32 = 6

    let fileExtension = "zip"
    private let staged: StagedFile
    private let zip: ZipWriter
    private let entry: ZipWriter.Entry
    private let encoder: RecordEncoder
    var rowsWritten: Int { encoder.rowsWritten }

    init(target: TargetSpec, fields: [String], stagingFolder: String, created: UTCDateTime, sourceName: String) throws {
        staged = try StagedFile(in: stagingFolder, suffix: "zip")
        zip = ZipWriter(file: staged.file, level: Self.compressionLevel, modified: created)
        let dataFile = "\(target.label).\(target.format.fileExtension)"
        let entity = PackageEntity(label: target.label, entity: target.entity, fields: fields, fileName: dataFile,
                                   sourceFormat: Self.sourceFormat(of: target.format))
        let description = "\(target.label) from \(sourceName), made by Ferry on \(created.iso8601)"
        try zip.add(name: "Manifest.xml", contents: try PackageManifest.manifest(
            definitionGroup: target.definitionGroup, description: description, entities: [entity]))
        try zip.add(name: "PackageHeader.xml", contents: try PackageManifest.packageHeader(description: description))
        entry = try zip.begin(name: dataFile)
        encoder = try target.format.layout.makeEncoder(sink: entry)
        try encoder.begin(fields: fields)
    }

    /// The Data management source format name that matches the data file.
    static func sourceFormat(of format: OutputFormat) -> String {
        switch format.layout {
        case .csv(let csv): csv.encoding == .utf16LittleEndian ? "CSV-Unicode" : "CSV"
        case .xml(let xml): xml.fieldsAsAttributes ? "XML-Attribute" : "XML-Element"
        }
    }

    func write(row: [String]) throws {
        try encoder.write(row: row)
    }

    func finish() throws -> StagedFile {
        try encoder.finish()
        try zip.end(entry)
        try zip.finish()
        return staged
    }
}
