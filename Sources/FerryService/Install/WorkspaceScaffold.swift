import Ferry
import Foundation

/// `ferry init`: a new workspace with its folders, a commented `ferry.yaml`, a starter template and an
/// example export to try it with. Files that exist are left as they are.
public struct WorkspaceScaffold: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// What `create()` did, path by path, for the command to print.
    public struct Outcome: Sendable, Equatable {
        public var created: [String] = []
        public var kept: [String] = []
    }

    public func create() throws -> Outcome {
        var outcome = Outcome()
        let workspace = Workspace(root: root)
        try workspace.prepare()
        outcome.created += ["inbox/", "outbox/", "archive/", "failed/"]
        for (path, text) in Self.files {
            let full = root + "/" + path
            if FileManager.default.fileExists(atPath: full) {
                outcome.kept.append(path)
                continue
            }
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full), options: .atomic)
            outcome.created.append(path)
        }
        return outcome
    }

    static let files: [(String, String)] = [
        (WorkspaceConfig.fileName, StarterFiles.config),
        ("templates/accounts-to-customers.yaml", StarterFiles.template),
        ("examples/accounts.csv", StarterFiles.example),
    ]
}
