/// How the ledger writes paths: relative to the workspace (`outbox/x.zip`, `.ferry/staging/4711-0/x.zip`),
/// so a workspace moved or mounted elsewhere keeps its history and its waiting plans. Paths outside
/// the workspace stay absolute.
struct WorkspacePaths: Sendable {
    let root: String

    /// The form stored in the ledger.
    func stored(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The path a stored form names in this workspace.
    func resolved(_ stored: String) -> String {
        stored.hasPrefix("/") || stored.isEmpty ? stored : root + "/" + stored
    }

    /// A version-1 ledger's absolute path, made relative: below this root, or below the root it had
    /// when it was written, recognised by the workspace's own folders (`<old root>/archive/<day>/x`).
    func migrated(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        if path.hasPrefix(root + "/") { return stored(path) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let count = parts.count
        if count >= 3 && (parts[count - 3] == "archive" || (parts[count - 3] == ".ferry" && ["staging", "work"].contains(parts[count - 2]))) {
            return parts.suffix(3).joined(separator: "/")
        }
        if count >= 2 && ["inbox", "outbox", "failed", "reports"].contains(parts[count - 2]) {
            return parts.suffix(2).joined(separator: "/")
        }
        return path
    }
}
