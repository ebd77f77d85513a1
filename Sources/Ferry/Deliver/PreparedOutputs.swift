/// The outputs of one input (or of every member of a bundle), complete in staging and not yet
/// visible. `commit` publishes them all; dropping them unpublished deletes them.
final class PreparedOutputs {
    private struct Output {
        var staged: StagedFile
        var folder: String
        var name: String
        var isPackage: Bool
    }

    private let workspace: Workspace
    private var outputs: [Output] = []

    init(workspace: Workspace) {
        self.workspace = workspace
    }

    func add(_ staged: StagedFile, into folder: String, name: String, isPackage: Bool) {
        outputs.append(Output(staged: staged, folder: folder, name: name, isPackage: isPackage))
    }

    func add(_ rejects: RejectsReport, name: String) {
        outputs.append(Output(staged: rejects.staged, folder: workspace.reports, name: name, isPackage: false))
    }

    func absorb(_ other: PreparedOutputs) {
        outputs += other.outputs
        other.outputs = []
    }

    /// Publishes every output: packages into outbox/, rejects into reports/. Returns their paths.
    func commit() throws -> (packages: [String], reports: [String]) {
        var packages: [String] = [], reports: [String] = []
        for output in outputs {
            let path = try output.staged.commit(into: output.folder, name: output.name)
            if output.isPackage { packages.append(path) } else { reports.append(path) }
        }
        outputs = []
        return (packages, reports)
    }
}
