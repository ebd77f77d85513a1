/// The outputs of one input (or of every member of a bundle), complete in staging and not yet
/// visible. Dropping them unpublished deletes them; `detach` hands them over to a move plan.
final class PreparedOutputs {
    /// An output ready to be moved: where it is in staging and where it should go.
    struct Planned {
        var stagingPath: String
        var folder: String
        var name: String
        var kind: Ledger.Move.Kind
    }

    private struct Output {
        var staged: StagedFile
        var folder: String
        var name: String
        var kind: Ledger.Move.Kind
    }

    private let workspace: Workspace
    private var outputs: [Output] = []

    init(workspace: Workspace) {
        self.workspace = workspace
    }

    func add(_ staged: StagedFile, into folder: String, name: String, isPackage: Bool) {
        outputs.append(Output(staged: staged, folder: folder, name: name, kind: isPackage ? .package : .report))
    }

    func add(_ rejects: RejectsReport, name: String) {
        outputs.append(Output(staged: rejects.staged, folder: workspace.reports, name: name, kind: .report))
    }

    func absorb(_ other: PreparedOutputs) {
        outputs += other.outputs
        other.outputs = []
    }

    /// Syncs every output to disk and gives up ownership: from here the ledger's plan moves them.
    func detach() throws -> [Planned] {
        let planned = try outputs.map { output in
            Planned(stagingPath: try output.staged.detach(), folder: output.folder, name: output.name, kind: output.kind)
        }
        outputs = []
        return planned
    }
}
