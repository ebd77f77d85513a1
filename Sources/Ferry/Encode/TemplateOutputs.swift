/// The encode stage for one input and one template: an entity data file per F&O target (packaged
/// later, together) and a data file per Sales or file target.
final class TemplateOutputs {
    private enum Writer {
        case entity(EntityDataFile)
        case file(DataFileWriter, name: String)
        /// A reference target: its rows only teach keys.
        case none
    }

    private var writers: [Writer] = []

    /// `levelBase` orders this template's entities after those of templates it comes `after:`.
    init(template: Template, fields: [[String]], stem: String, time: UTCDateTime, levelBase: Int, stagingFolder: String) throws {
        for (index, target) in template.targets.enumerated() {
            switch target.spec.system {
            case .financeAndOperations:
                writers.append(.entity(try EntityDataFile(target: target.spec, fields: fields[index],
                                                          level: levelBase * 10 + index + 1, stagingFolder: stagingFolder)))
            case .reference:
                writers.append(.none)
            case .sales, .file:
                let headers = target.spec.system == .sales ? Self.salesHeaders(fields[index], spec: target.spec) : fields[index]
                let writer = try DataFileWriter(format: target.spec.format, fields: headers, stagingFolder: stagingFolder)
                writers.append(.file(writer, name: OutputName.compose(target.spec.outputName, stem, time.compact) + "." + writer.fileExtension))
            }
        }
    }

    /// The Dataverse import wizard maps columns by themselves when the header holds their display
    /// names; a column the catalogue does not know keeps its logical name.
    static func salesHeaders(_ fields: [String], spec: TargetSpec) -> [String] {
        guard !spec.logicalHeaders, let table = EntityCatalogue.table(spec.entity) else { return fields }
        return fields.map { field in table.logicalName(of: field).flatMap { table.columns[$0]?.display } ?? field }
    }

    /// Throws `UnencodableValue` when a value cannot be written in the target's encoding.
    func write(_ row: SourceRecord, target: Int) throws {
        switch writers[target] {
        case .entity(let writer): try writer.write(record: row)
        case .file(let writer, _): try writer.write(record: row)
        case .none: break
        }
    }

    /// The first target (of those that apply) that cannot hold a value of its row, found before any
    /// row is written: a record goes to all its targets or to none.
    func unencodable(_ rows: [SourceRecord], applies: [Bool]) -> (target: Int, value: UnencodableValue)? {
        for target in applies.indices where applies[target] {
            let problem: UnencodableValue? = switch writers[target] {
            case .entity(let writer): writer.unencodable(rows[target])
            case .file(let writer, _): writer.unencodable(rows[target])
            case .none: nil
            }
            if let problem { return (target, problem) }
        }
        return nil
    }

    var rowsWritten: Int {
        writers.reduce(0) { total, writer in
            switch writer {
            case .entity(let entity): total + entity.rowsWritten
            case .file(let file, _): total + file.rowsWritten
            case .none: total
            }
        }
    }

    /// Finished outputs: entity parts for packaging, and data files with their names. Outputs
    /// without rows are dropped.
    func finish() throws -> (parts: [PackagePart], files: [(StagedFile, String)]) {
        var parts: [PackagePart] = []
        var files: [(StagedFile, String)] = []
        for writer in writers {
            switch writer {
            case .entity(let entity):
                let part = try entity.finish()
                if part.rows > 0 { parts.append(part) } else { part.data.discard() }
            case .file(let file, let name):
                let staged = try file.finish()
                if file.rowsWritten > 0 { files.append((staged, name)) } else { staged.discard() }
            case .none:
                break
            }
        }
        return (parts, files)
    }
}
