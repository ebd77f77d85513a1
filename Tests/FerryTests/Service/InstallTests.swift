import Foundation
import Testing
@testable import Ferry

/// `ferry init`, the shell completions and the systemd files, as an admin installing Ferry meets them.
@Suite("install")
struct InstallTests {
    @Test("ferry init makes a workspace whose starter template delivers the example export with ferry run")
    func initThenRun() throws {
        let base = FileManager.default.temporaryDirectory.path + "/ferry-init-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let root = base + "/exchange"
        let made = try runProcess(ferryExecutable(), ["init", root])
        #expect(made.status == 0, "\(made.error)")
        for folder in ["inbox", "outbox", "archive", "failed", "templates", "examples"] {
            var isFolder: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: root + "/" + folder, isDirectory: &isFolder) && isFolder.boolValue, "\(folder)/")
        }
        let config = try String(contentsOfFile: root + "/ferry.yaml", encoding: .utf8)
        #expect(config.contains("# watch:") && config.contains("version: 1"))
        #expect(try WorkspaceConfig.load(root: root).templates == root + "/templates")

        let checked = try runProcess(ferryExecutable(), ["check", root + "/templates/accounts-to-customers.yaml"])
        #expect(checked.status == 0, "\(checked.output)\(checked.error)")

        try FileManager.default.copyItem(atPath: root + "/examples/accounts.csv", toPath: root + "/inbox/accounts.csv")
        let run = try runProcess(ferryExecutable(), ["run"], in: root)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        #expect(run.output.contains("read 4, written 3, filtered 1, rejected 0"), "\(run.output)")
        let packages = try FileManager.default.contentsOfDirectory(atPath: root + "/outbox").filter { $0.hasPrefix("customers-") }
        #expect(packages.count == 1 && packages[0].hasSuffix(".zip"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/failed").isEmpty)
    }

    @Test("ferry init keeps files that exist (a second init changes nothing)")
    func initKeepsFiles() throws {
        let root = FileManager.default.temporaryDirectory.path + "/ferry-init-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data("version: 1\ntemplates: mine\n".utf8).write(to: URL(fileURLWithPath: root + "/ferry.yaml"))
        let first = try runProcess(ferryExecutable(), ["init", root])
        #expect(first.status == 0)
        #expect(first.output.contains("kept     ferry.yaml"))
        #expect(try String(contentsOfFile: root + "/ferry.yaml", encoding: .utf8) == "version: 1\ntemplates: mine\n")
        let second = try runProcess(ferryExecutable(), ["init", root])
        #expect(!second.output.contains("created  templates/"), "\(second.output)")
    }

    @Test("shell completions come from the argument parser and know every subcommand", arguments: ["bash", "zsh", "fish"])
    func completions(shell: String) throws {
        let script = try runProcess(ferryExecutable(), ["--generate-completion-script", shell])
        #expect(script.status == 0)
        for command in ["init", "run", "watch", "status", "history", "explain", "retry"] {
            #expect(script.output.contains(command), "\(shell) completion lacks \(command)")
        }
        #expect(script.output.contains("root") && script.output.contains("json"))
    }

    @Test("deploy/ferry.service passes systemd-analyze verify, is hardened, and writes only where ferry.tmpfiles makes the workspace")
    func systemdUnit() throws {
        let unit = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/ferry.service", encoding: .utf8)
        for setting in ["ProtectSystem=strict", "ReadWritePaths=/var/lib/ferry", "NoNewPrivileges=yes", "ProtectHome=yes",
                        "PrivateTmp=yes", "CapabilityBoundingSet=\n", "ExecStart=/usr/local/bin/ferry watch --root /var/lib/ferry"] {
            #expect(unit.contains(setting), "\(setting)")
        }
        let tmpfiles = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/ferry.tmpfiles", encoding: .utf8)
        #expect(tmpfiles.contains("d /var/lib/ferry          0750 ferry ferry -"))
        #expect(tmpfiles.contains("d /var/lib/ferry/inbox"))

        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is part of Debian's systemd package")
        // verify insists that ExecStart exists: point it at the binary under test.
        let scratch = FileManager.default.temporaryDirectory.path + "/ferry-unit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try Data(unit.replacingOccurrences(of: "/usr/local/bin/ferry", with: ferryExecutable()).utf8)
            .write(to: URL(fileURLWithPath: scratch + "/ferry.service"))
        let verified = try runProcess(analyze, ["verify", "--man=no", scratch + "/ferry.service"])
        #expect(verified.status == 0, "\(verified.output)\(verified.error)")
        let security = try runProcess(analyze, ["security", "--offline=true", scratch + "/ferry.service"])
        let exposure = security.output.components(separatedBy: "Overall exposure level for ferry.service: ").last?
            .split(separator: " ").first.flatMap { Double($0) }
        #expect(exposure.map { $0 <= 2.0 } == true, "exposure \(String(describing: exposure)): \(security.output.suffix(400))")
    }
}
