import Foundation

/// A bundle (zip or tar[.gz]) holding several data files is one input: its members are taken out
/// into staging under the safety rules, each is routed to its template and processed in the
/// templates' dependency order, and the outputs are delivered only when every member succeeded.
struct BundlePipeline {
    let workspace: Workspace
    let router: TemplateRouter
    let limits: DecompressionLimits
    var learnedKeys: (any KeyResolver)? = nil

    /// F&O package files that describe the package rather than hold data.
    static let packageDescriptors: Set<String> = ["Manifest.xml", "PackageHeader.xml"]

    func prepare(_ claimed: ClaimedFile, kind: BundleKind, at time: UTCDateTime,
                 observer: RunObserver, report: inout FileReport) throws -> PreparedOutputs {
        let folder = workspace.staging + "/" + UUIDString.make() + ".members"
        try Workspace.makeFolder(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (members, entityNames) = try extract(claimed, kind: kind, into: folder)
        return try prepare(members: members, entityNames: entityNames, unitName: claimed.name, inside: claimed.name,
                           stem: claimed.stem, at: time, observer: observer, report: &report)
    }

    /// Takes a bundle's members out into `folder` under the safety rules; with an F&O package's
    /// Manifest.xml, also each data file's entity name.
    func extract(_ claimed: ClaimedFile, kind: BundleKind, into folder: String) throws -> (members: [BundleMember], entityNames: [String: String]) {
        let safety = BundleSafety(bundleName: claimed.name)
        var budget = DecompressionBudget(limits: limits, compressedSize: claimed.size, bundleName: claimed.name)
        let members: [BundleMember]
        switch kind {
        case .zip: members = try extractZip(claimed, into: folder, safety: safety, budget: &budget)
        case .tar(let gzipped): members = try extractTar(claimed, gzipped: gzipped, into: folder, safety: safety, budget: &budget)
        }
        return (members, try manifestEntityNames(members, bundleName: claimed.name))
    }

    /// The names a member is routed by: its file name, then its entity name from Manifest.xml.
    static func routingNames(of member: BundleMember, entityNames: [String: String]) -> [String] {
        [member.name] + (entityNames[member.name].map { [$0] } ?? [])
    }

    /// Processes data files that arrived as one unit (a bundle's members, or related files dropped
    /// together): each through its template, in dependency order, F&O entities of templates that share a
    /// package name into one package. `inside` prefixes the members' names in reports (the bundle's name).
    func prepare(members: [BundleMember], entityNames: [String: String] = [:], unitName: String, inside: String?,
                 stem: String, at time: UTCDateTime, observer: RunObserver, report: inout FileReport) throws -> PreparedOutputs {
        func display(_ member: BundleMember) -> String { inside.map { "\($0)/\(member.name)" } ?? member.name }
        var routed: [(member: BundleMember, template: Template)] = []
        var others: [String] = []
        for member in members where !Self.packageDescriptors.contains(member.name) {
            let names = Self.routingNames(of: member, entityNames: entityNames)
            guard inside == nil || names.contains(where: router.takesAny) else {
                others.append(member.name)
                continue
            }
            let template = try router.template(for: names, displayName: display(member)).get()
            routed.append((member, template))
        }
        guard !routed.isEmpty else {
            throw InputError(.schema, InputLocation(file: unitName),
                             others.isEmpty ? "the bundle holds no data files" : "no template takes any member of the bundle: \(others.joined(separator: ", "))",
                             hint: others.isEmpty ? "put the exported data files into the bundle" : router.triedPatterns)
        }
        if !others.isEmpty {
            // Readmes and other side files travel in bundles; only a template that says so makes them fatal.
            if let strict = routed.first(where: { $0.template.otherBundleMembers == .fail })?.template {
                throw InputError(.schema, InputLocation(file: unitName),
                                 "no template takes \(others.count == 1 ? "member" : "members") \(others.joined(separator: ", ")), and template \(strict.name) says bundle: other_members: fail",
                                 hint: "remove \(others.count == 1 ? "it" : "them") from the bundle, or add a template that takes \(others.count == 1 ? "it" : "them")")
            }
            observer.notice("\(unitName): ignored \(others.count == 1 ? "member" : "members") no template takes: \(others.joined(separator: ", "))")
            report.ignoredMembers = others
        }
        let order = try DependencyOrder(templates: routed.map(\.template))
        routed.sort { (order.rank($0.template), $0.member.name) < (order.rank($1.template), $1.member.name) }
        report.template = routed.map(\.template.name).uniqued().joined(separator: ", ")

        let outputs = PreparedOutputs(workspace: workspace, created: time)
        var pipeline = FilePipeline(workspace: workspace, limits: limits)
        pipeline.learnedKeys = learnedKeys
        for (member, template) in routed {
            let memberStem = FileMover.split(member.name).stem
            var input = FilePipeline.Input(path: member.path, displayName: display(member),
                                           stem: inside == nil ? memberStem : "\(stem)-\(memberStem)", size: member.size)
            // Templates that share a package name put their entities into one package, in dependency order.
            if let package = template.packageName {
                input.packageStem = OutputName.compose(package, stem, time.compact)
                input.levelBase = order.rank(template)
            }
            input.knownKeys = outputs.deliveredKeys
            input.learnedInUnit = outputs.learned.reversed()
            var memberReport = FileReport(name: input.displayName, template: template.name, outcome: .delivered)
            defer {
                report.rowsRead += memberReport.rowsRead
                report.rowsWritten += memberReport.rowsWritten
                report.rowsFiltered += memberReport.rowsFiltered
                report.rowsRejected += memberReport.rowsRejected
            }
            outputs.absorb(try pipeline.prepare(input, with: template, at: time, observer: observer, report: &memberReport))
        }
        return outputs
    }

    private func extractZip(_ claimed: ClaimedFile, into folder: String, safety: BundleSafety,
                            budget: inout DecompressionBudget) throws -> [BundleMember] {
        let zip = try ZipArchiveReader(path: claimed.path, displayName: claimed.name)
        var members: [BundleMember] = []
        for entry in zip.entries where !entry.isDirectory {
            let name = try safety.fileName(for: entry.name)
            if entry.isSymlink { throw safety.refusal("member \"\(entry.name)\" is a symbolic link") }
            if entry.flags & 1 != 0 { throw safety.refusal("member \"\(entry.name)\" is encrypted") }
            guard entry.method == 0 || entry.method == 8 else {
                throw safety.refusal("member \"\(entry.name)\" uses compression method \(entry.method); only stored and deflate are read")
            }
            try checkUnique(name, in: members, safety: safety)
            let path = folder + "/" + name
            try zip.extract(entry, to: path, budget: &budget)
            members.append(BundleMember(name: name, path: path, size: entry.uncompressedSize))
        }
        return members
    }

    private func extractTar(_ claimed: ClaimedFile, gzipped: Bool, into folder: String, safety: BundleSafety,
                            budget: inout DecompressionBudget) throws -> [BundleMember] {
        let file = try FileByteSource(path: claimed.path, displayName: claimed.name)
        let source: ByteSource = gzipped ? try GzipByteSource(file, fileName: claimed.name, limits: limits) : file
        let tar = TarReader(source: source, safety: safety)
        var members: [BundleMember] = []
        while let header = try tar.nextFile() {
            guard members.count < BundleSafety.maxMembers else { throw safety.tooManyMembers(nil) }
            let name = try safety.fileName(for: header.name)
            try checkUnique(name, in: members, safety: safety)
            let path = folder + "/" + name
            let output = try OutputFile(creating: path)
            try tar.copyData(header.size) { chunk in
                try budget.add(Int64(chunk.count))
                try output.write(chunk)
            }
            try output.syncAndClose()
            members.append(BundleMember(name: name, path: path, size: header.size))
        }
        return members
    }

    private func checkUnique(_ name: String, in members: [BundleMember], safety: BundleSafety) throws {
        if members.contains(where: { $0.name == name }) {
            throw safety.refusal("two members are named \"\(name)\" (folders inside bundles are not kept apart)")
        }
    }

    /// For an F&O data package: data file name -> entity name, read from its Manifest.xml.
    private func manifestEntityNames(_ members: [BundleMember], bundleName: String) throws -> [String: String] {
        guard let manifest = members.first(where: { $0.name == "Manifest.xml" }) else { return [:] }
        let reader = try XMLRecordReader(source: FileByteSource(path: manifest.path, displayName: "\(bundleName)/Manifest.xml"),
                                         fileName: "\(bundleName)/Manifest.xml", recordPath: "DataManagementPackageEntityData",
                                         columns: ["InputFilePath", "EntityName"], optionalColumns: ["InputFilePath", "EntityName"])
        var names: [String: String] = [:]
        var record = SourceRecord()
        while try reader.next(into: &record) {
            if let file = record.string(at: 0), let entity = record.string(at: 1), !file.isEmpty {
                names[file.split(separator: "/").last.map(String.init) ?? file] = entity
            }
        }
        return names
    }
}
