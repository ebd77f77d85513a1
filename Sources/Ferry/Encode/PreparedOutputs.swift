/// The outputs of one input (or of every member of a bundle), complete in staging and not yet
/// visible: F&O entity data files waiting to be packaged, data files, rejects reports. Dropping
/// them unpublished deletes them; `detach` packages them and hands them over to a move plan.
final class PreparedOutputs {
    /// An output ready to be moved: where it is in staging and where it should go.
    struct Planned {
        var stagingPath: String
        var folder: String
        var name: String
        var kind: MoveKind
    }

    private struct Output {
        var staged: StagedFile
        var folder: String
        var name: String
        var kind: MoveKind
    }

    /// Entity data files that go into one package, named `stem.zip`.
    private struct PackageGroup {
        var stem: String
        var parts: [PackagePart]
        var sources: [String]
    }

    /// Keys each template delivered (template name -> keys), for the references of templates after it.
    var deliveredKeys: [String: [KeyIndex]] = [:]
    /// What the delivered rows taught (`learn:`), one set per input in the order they were processed;
    /// written into the ledger with the delivery plan.
    var learned: [StagedLearnedKeys] = []

    private let workspace: Workspace
    private let created: UTCDateTime
    private var outputs: [Output] = []
    private var packages: [PackageGroup] = []

    init(workspace: Workspace, created: UTCDateTime) {
        self.workspace = workspace
        self.created = created
    }

    func add(_ staged: StagedFile, into folder: String, name: String, isPackage: Bool) {
        outputs.append(Output(staged: staged, folder: folder, name: name, kind: isPackage ? .package : .report))
    }

    func add(_ rejects: RejectsReport, name: String) {
        outputs.append(Output(staged: rejects.staged, folder: workspace.reports, name: name, kind: .report))
    }

    /// Adds entity data files to the package named `stem` (several inputs may share one).
    func add(_ parts: [PackagePart], toPackage stem: String, source: String) {
        guard !parts.isEmpty else { return }
        if let index = packages.firstIndex(where: { $0.stem == stem }) {
            packages[index].parts += parts
            packages[index].sources.append(source)
        } else {
            packages.append(PackageGroup(stem: stem, parts: parts, sources: [source]))
        }
    }

    func absorb(_ other: PreparedOutputs) {
        outputs += other.outputs
        deliveredKeys.merge(other.deliveredKeys) { $0 + $1 }
        learned += other.learned
        for group in other.packages {
            if let index = packages.firstIndex(where: { $0.stem == group.stem }) {
                packages[index].parts += group.parts
                packages[index].sources += group.sources
            } else {
                packages.append(group)
            }
        }
        other.outputs = []
        other.packages = []
    }

    /// Packages the entity files, syncs every output to disk and gives up ownership: from here the
    /// ledger's plan moves them.
    func detach() throws -> [Planned] {
        var planned: [Planned] = []
        for group in packages {
            let staged = try PackageAssembler.assemble(group.parts, sources: group.sources.uniqued(), stagingFolder: workspace.staging, created: created)
            planned.append(Planned(stagingPath: try staged.detach(), folder: workspace.outbox, name: group.stem + ".zip", kind: .package))
        }
        packages = []
        planned += try outputs.map { output in
            Planned(stagingPath: try output.staged.detach(), folder: output.folder, name: output.name, kind: output.kind)
        }
        outputs = []
        return planned.sorted { $0.kind == .package && $1.kind != .package }
    }
}
