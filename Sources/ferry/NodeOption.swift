import ArgumentParser
import Foundation
import Ferry

/// `--node`: this process's name among the nodes that share one workspace and one PostgreSQL ledger.
struct NodeOption: ParsableArguments {
    @Option(help: "This process's name among the nodes sharing the PostgreSQL ledger (default: the host name; not used with the SQLite ledger).")
    var node: String?

    func validate() throws {
        if let node, !Self.isValid(node) {
            throw ValidationError("--node takes 1 to 64 letters, digits, '.', '_' or '-'")
        }
    }

    /// The workspace as this process works in it: with a shared ledger, as a node with its own work area.
    func workspace(_ options: WorkspaceOptions, config: WorkspaceConfig) -> Workspace {
        guard config.ledger != nil else { return options.workspace }
        return options.workspace.asNode(node ?? Self.hostName())
    }

    private static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name != "." && name != ".."
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    private static func hostName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        return isValid(host) ? host : "node"
    }
}
