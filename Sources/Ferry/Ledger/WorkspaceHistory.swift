import Foundation

/// What a workspace's folders say about its past, read when its ledger is missing: inputs archived or
/// packages waiting mean Ferry delivered here before. (Inputs in `.ferry/work/` alone do not: they go
/// back to the inbox, and nothing of them was delivered.)
enum WorkspaceHistory {
    static func evidence(in workspace: Workspace) -> [String] {
        let manager = FileManager.default
        func visible(_ folder: String) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
        }
        let archived = visible(workspace.archive).reduce(0) { $0 + visible(workspace.archive + "/" + $1).count }
        var evidence: [String] = []
        if archived > 0 { evidence.append("archive/ holds \(archived) \(archived == 1 ? "input" : "inputs")") }
        let packages = visible(workspace.outbox).count
        if packages > 0 { evidence.append("outbox/ holds \(packages) \(packages == 1 ? "package" : "packages")") }
        return evidence
    }
}
