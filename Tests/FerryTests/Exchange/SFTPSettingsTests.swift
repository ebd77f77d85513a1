import Testing
import Yams
@testable import Ferry

/// `sftp:` in ferry.yaml: keys by default, passwords only when configured (through an environment variable), and
/// errors that say what to change.
struct SFTPSettingsTests {
    static func read(_ yaml: String, environment: [String: String] = [:]) throws(WorkspaceConfigError) -> SFTPSettings {
        let node = try? Yams.compose(yaml: yaml)
        return try WorkspaceConfig.readSFTP(node!, root: "/srv/ferry", path: "ferry.yaml", environment: environment)
    }

    static let server = "host: sftp.partner.example\n    user: ferry\n    known_hosts: keys/known_hosts\n    folder: incoming"

    @Test func keyLoginWithWorkspaceRelativePaths() throws {
        let settings = try Self.read("push:\n  - name: erp\n    \(Self.server)\n    key: keys/ferry_ed25519\n    packages: \"*.zip\"\n    local_copy: delete")
        let push = try #require(settings.push.first)
        #expect(push.server.login == .key(privateKey: "/srv/ferry/keys/ferry_ed25519", passphrase: nil))
        #expect(push.server.knownHosts == "/srv/ferry/keys/known_hosts" && push.server.port == 22)
        #expect(push.selects("customers-1.zip") && !push.selects("customers-1.csv") && !push.selects(".hidden.zip"))
        #expect(push.localCopy == .delete && push.retry == SFTPRetry())
    }

    @Test func passwordsOnlyFromAnEnvironmentVariable() throws {
        let password = "pull:\n  - name: crm\n    \(Self.server)\n    password_env: PARTNER_PASSWORD"
        #expect(try Self.read(password, environment: ["PARTNER_PASSWORD": "s3cret"]).pull.first?.server.login == .password("s3cret"))
        #expect(throws: WorkspaceConfigError.self) { try Self.read(password) }
        do {
            _ = try Self.read("pull:\n  - name: crm\n    \(Self.server)")
            Issue.record("an entry without key: was accepted")
        } catch {
            #expect(error.message.contains("key is missing") && error.message.contains("password_env"))
        }
        do {
            _ = try Self.read("pull:\n  - name: crm\n    \(Self.server)\n    password: s3cret")
            Issue.record("a password in the file was accepted")
        } catch {
            #expect(error.message.contains("unknown key \"password\""))
        }
    }

    @Test func pullOptions() throws {
        let settings = try Self.read("interval: 60\npull:\n  - name: crm\n    \(Self.server)\n    key: /k\n    settle: 2\n    after_pull: \"move: done\"")
        let pull = try #require(settings.pull.first)
        #expect(settings.interval == 60 && pull.settleSeconds == 2 && pull.remote == .move("done"))
        #expect(pull.selects("a.csv") && !pull.selects("a.csv.part") && !pull.selects(".a.csv") && !pull.selects("a.csv.tmp"))
        #expect(throws: WorkspaceConfigError.self) { try Self.read("pull:\n  - name: crm\n    \(Self.server)\n    key: /k\n    after_pull: keep") }
    }
}
