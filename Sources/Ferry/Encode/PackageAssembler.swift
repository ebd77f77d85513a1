/// Puts entity data files into one F&O data-management package: Manifest.xml (entities in
/// dependency order), PackageHeader.xml, then each data file, copied without recompressing.
enum PackageAssembler {
    static func assemble(_ parts: [PackagePart], sources: [String], stagingFolder: String, created: UTCDateTime) throws -> StagedFile {
        let ordered = parts.sorted { ($0.entity.level, $0.entity.sequence) < ($1.entity.level, $1.entity.sequence) }
        let staged = try StagedFile(in: stagingFolder, suffix: "zip")
        let zip = ZipWriter(file: staged.file, level: EntityDataFile.compressionLevel, modified: created)
        let labels = ordered.map(\.entity.label).joined(separator: ", ")
        let description = "\(labels) from \(sources.joined(separator: ", ")), made by Ferry on \(created.iso8601)"
        let group = ordered.count == 1 ? ordered[0].definitionGroup : "Ferry " + labels
        try zip.add(name: "Manifest.xml", contents: try PackageManifest.manifest(definitionGroup: group, description: description,
                                                                                 entities: ordered.map(\.entity)))
        try zip.add(name: "PackageHeader.xml", contents: try PackageManifest.packageHeader(description: description))
        for part in ordered {
            let path = try part.data.detach()
            try zip.addPrecompressed(name: part.entity.fileName, path: path, crc: part.crc,
                                     compressedSize: part.compressedSize, uncompressedSize: part.uncompressedSize)
            unlinkQuietly(path)
        }
        try zip.finish()
        return staged
    }
}
