import Foundation
import Yams

extension WorkspaceConfig {
    /// Reads `sftp:`: `interval`, and `push:` / `pull:` lists of servers. Relative key and known_hosts paths are
    /// relative to the workspace root; passwords and passphrases only come from environment variables.
    static func readSFTP(_ node: Node, root: String, path: String,
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws(WorkspaceConfigError) -> SFTPSettings {
        func fail(_ node: Node, _ message: String, hint: String? = nil) -> WorkspaceConfigError {
            WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, message, hint: hint)
        }
        guard let mapping = node.mapping else { throw fail(node, "sftp must be a section with push: and/or pull:") }
        var settings = SFTPSettings()
        var names: Set<String> = []
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            switch name {
            case "interval":
                guard let seconds = Double(value.scalar?.string ?? ""), seconds > 0 else { throw fail(value, "sftp: interval must be a number of seconds above 0") }
                settings.interval = seconds
            case "push", "pull":
                guard let entries = value.sequence else { throw fail(value, "sftp: \(name) must be a list of servers (- name: ...)") }
                for entry in entries {
                    let fields = try readEntry(entry, section: name, keys: name == "push" ? SFTPPush.keys : SFTPPull.keys, fail: fail)
                    let server = try readServer(fields, entry: entry, section: name, root: root, environment: environment, fail: fail)
                    let label = fields["name"]?.text ?? server.host
                    guard names.insert(label).inserted else {
                        throw fail(entry, "sftp: two entries are named \"\(label)\"", hint: "give each push and pull entry its own name: (the ledger records transfers under it)")
                    }
                    var retry = SFTPRetry()
                    if let attempts = fields["attempts"] {
                        guard let count = Int(attempts.text), count >= 1 else { throw fail(attempts.node, "sftp: attempts must be a whole number, 1 or more") }
                        retry.attempts = count
                    }
                    if let backoff = fields["backoff"] {
                        guard let seconds = Double(backoff.text), seconds >= 0 else { throw fail(backoff.node, "sftp: backoff must be a number of seconds, 0 or more") }
                        retry.backoff = seconds
                    }
                    if name == "push" {
                        var push = SFTPPush(name: label, server: server, retry: retry)
                        if let packages = fields["packages"] { push.packages = packages.text }
                        if let local = fields["local_copy"] {
                            guard let choice = SFTPPush.LocalCopy(rawValue: local.text) else { throw fail(local.node, "sftp: local_copy must be keep or delete") }
                            push.localCopy = choice
                        }
                        settings.push.append(push)
                    } else {
                        var pull = SFTPPull(name: label, server: server, retry: retry)
                        if let files = fields["files"] { pull.files = files.text }
                        if let settle = fields["settle"] {
                            guard let seconds = Double(settle.text), seconds >= 0 else { throw fail(settle.node, "sftp: settle must be a number of seconds, 0 or more") }
                            pull.settleSeconds = seconds
                        }
                        if let after = fields["after_pull"] {
                            if after.text == "delete" {
                                pull.remote = .delete
                            } else if after.text.hasPrefix("move:"), case let folder = String(after.text.dropFirst(5)).trimmingWhitespace(), !folder.isEmpty {
                                pull.remote = .move(folder)
                            } else {
                                throw fail(after.node, "sftp: after_pull must be delete or move: <remote folder>")
                            }
                        }
                        settings.pull.append(pull)
                    }
                }
            default:
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in sftp",
                                           hint: SFTPSettings.keys.joined(separator: ", "))
            }
        }
        return settings
    }

    private typealias Field = (text: String, node: Node)

    private static func readEntry(_ entry: Node, section: String, keys: [String],
                                  fail: (Node, String, String?) -> WorkspaceConfigError) throws(WorkspaceConfigError) -> [String: Field] {
        guard let mapping = entry.mapping else { throw fail(entry, "each sftp \(section) entry must be a section (name:, host:, folder: ...)", nil) }
        var fields: [String: Field] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            guard keys.contains(name) else {
                throw fail(key, "unknown key \"\(name)\" in sftp \(section)", (closestMatch(to: name, in: keys).map { "did you mean \"\($0)\"?" }) ?? keys.joined(separator: ", "))
            }
            guard let text = value.scalar?.string.trimmingWhitespace(), !text.isEmpty else { throw fail(value, "sftp \(section): \(name) must be a value", nil) }
            fields[name] = (text, value)
        }
        return fields
    }

    private static func readServer(_ fields: [String: Field], entry: Node, section: String, root: String, environment: [String: String],
                                   fail: (Node, String, String?) -> WorkspaceConfigError) throws(WorkspaceConfigError) -> SFTPServer {
        func required(_ key: String) throws(WorkspaceConfigError) -> String {
            guard let value = fields[key]?.text else { throw fail(entry, "sftp \(section): \(key) is missing", nil) }
            return value
        }
        func file(_ text: String) -> String { text.hasPrefix("/") ? text : root + "/" + text }
        func secret(_ key: String) throws(WorkspaceConfigError) -> String? {
            guard let variable = fields[key] else { return nil }
            guard let value = environment[variable.text], !value.isEmpty else {
                throw fail(variable.node, "sftp \(section): \(key) names the environment variable \(variable.text), which is not set", nil)
            }
            return value
        }
        let login: SSHLogin
        switch (fields["key"], fields["password_env"]) {
        case (let key?, nil):
            login = .key(privateKey: file(key.text), passphrase: try secret("passphrase_env"))
        case (nil, _?):
            login = .password(try secret("password_env") ?? "")
        case (_?, _?):
            throw fail(entry, "sftp \(section): give key: or password_env:, not both", nil)
        case (nil, nil):
            throw fail(entry, "sftp \(section): key is missing (a private key file; passwords only with password_env:)", nil)
        }
        var server = SFTPServer(host: try required("host"), user: try required("user"), login: login,
                                knownHosts: file(try required("known_hosts")), folder: try required("folder"))
        if let port = fields["port"] {
            guard let number = Int(port.text), (1...65535).contains(number) else { throw fail(port.node, "sftp \(section): port must be 1 to 65535", nil) }
            server.port = number
        }
        if let timeout = fields["timeout"] {
            guard let seconds = Double(timeout.text), seconds > 0 else { throw fail(timeout.node, "sftp \(section): timeout must be seconds above 0", nil) }
            server.timeoutSeconds = seconds
        }
        return server
    }
}
