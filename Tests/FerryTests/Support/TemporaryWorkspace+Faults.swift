import Foundation
@testable import Ferry

/// Faults a test can put into a workspace, and the real binary to run in it.
extension TemporaryWorkspace {
    /// The template the crash-safety tests use: one F&O target, nothing rejected allowed.
    static let accountsTemplate = """
    takes: accounts*.csv
    target:
      system: finance-and-operations
      entity: CustCustomerV3Entity
      label: Customers V3
      name: customers
    fields:
      CUSTOMERACCOUNT: accountnumber | required
    max_rejects: 0
    """

    /// A workspace with `templates/accounts.yaml`.
    static func withTemplate(_ yaml: String = accountsTemplate) throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        return scratch
    }

    /// Puts a file where outbox/ should be: every move into it fails, even for root (who ignores permissions).
    func blockOutbox() throws {
        try FileManager.default.removeItem(atPath: workspace.outbox)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: workspace.outbox))
    }

    func unblockOutbox() throws {
        try FileManager.default.removeItem(atPath: workspace.outbox)
        try FileManager.default.createDirectory(atPath: workspace.outbox, withIntermediateDirectories: false)
    }

    /// Every file below `.ferry/staging/`, in subfolders too.
    var stagedFiles: [String] {
        (FileManager.default.enumerator(atPath: workspace.staging)?.allObjects as? [String] ?? []).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: workspace.staging + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    /// Runs the `ferry` binary in this workspace (`--root` added), with extra environment variables.
    @discardableResult
    func ferry(_ arguments: [String] = ["run"], root: String? = nil, environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ferryExecutable())
        process.arguments = arguments + ["--root", root ?? self.root]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
