import Foundation
@testable import Ferry

/// A Ferry workspace and a partner's real OpenSSH server on loopback, whose login folder holds `incoming/` (where
/// Ferry pushes) and `outgoing/` (where Ferry pulls from). Ferry logs in with the partner key and checks the server
/// against the known_hosts file the server helper wrote.
final class SFTPPartner {
    let scratch: TemporaryWorkspace
    let home: String
    let server: OpenSSHServer
    var incoming: String { home + "/incoming" }
    var outgoing: String { home + "/outgoing" }
    var workspace: Workspace { scratch.workspace }

    init() throws {
        scratch = try TemporaryWorkspace()
        home = scratch.root + "-partner"
        for folder in [home + "/incoming", home + "/outgoing", home + "/done"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        server = try OpenSSHServer(uploadFolder: home)
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(WatchTests.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
    }

    deinit { try? FileManager.default.removeItem(atPath: home) }

    /// One `sftp:` list entry reaching this server.
    func entry(_ name: String, folder: String, knownHosts: String? = nil, _ extra: [String] = []) -> String {
        (["    - name: \(name)", "      host: 127.0.0.1", "      port: \(server.port)", "      user: \(server.user)",
          "      key: \(server.partnerKey)", "      known_hosts: \(knownHosts ?? server.knownHosts)", "      folder: \(folder)",
          "      backoff: 0.2"] + extra.map { "      " + $0 }).joined(separator: "\n")
    }

    /// Writes ferry.yaml with a pull entry `crm` from outgoing/ and a push entry `erp` into incoming/.
    func configure(pull: [String] = ["files: \"accounts*.csv\"", "settle: 0.5"], push: [String] = [], knownHosts: String? = nil) throws {
        let yaml = """
        version: 1
        sftp:
          interval: 1
          pull:
        \(entry("crm", folder: "outgoing", knownHosts: knownHosts, pull))
          push:
        \(entry("erp", folder: "incoming", knownHosts: knownHosts, push))

        """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
    }

    var settings: SFTPSettings { get throws { try WorkspaceConfig.load(root: scratch.root).sftp } }

    /// Runs the built `ferry` with `arguments` and `--root` this workspace.
    func ferry(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        return try runProcess(ferryExecutable(), arguments + ["--root", scratch.root], environment: variables)
    }

    func files(_ folder: String) -> [String] { scratch.files(in: folder) }

    func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    /// `count` bytes that differ from any other call's (a pattern seeded by `seed`).
    static func payload(_ count: Int, seed: UInt8) -> Data {
        let block = [UInt8]((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) ^ seed })
        var data = Data(capacity: count)
        var number: UInt32 = 0
        while data.count < count {
            // Each block carries its number, so a block sent twice or skipped changes the bytes.
            withUnsafeBytes(of: number.bigEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: block.prefix(min(block.count, count - data.count)))
            number += 1
        }
        return data.prefix(count)
    }
}
