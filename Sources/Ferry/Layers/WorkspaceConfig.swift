import Foundation
import Yams

/// The optional `ferry.yaml` at a workspace's root: settings that would otherwise be repeated on every command line.
///
/// ```yaml
/// version: 1
/// templates: samples/templates   # relative to the workspace root
/// limits:
///   max_decompressed_size: 16 GiB   # per input, all bundle members together
///   max_compression_ratio: 250      # refused above this once 64 MiB are out
/// watch:
///   settle: 5                       # seconds; every key of watch: is optional
///   done_marker: true
/// intake:
///   hard_links: accept              # default: refuse
/// ledger: postgres://ferry@db.example.com:5432/ferry   # shared by several nodes; default: .ferry/ledger.sqlite3
/// nodes:
///   lease: 30                       # seconds of silence before other nodes recover a node's files
///   heartbeat: 5
/// ```
public struct WorkspaceConfig: Sendable, Equatable {
    public static let fileName = "ferry.yaml"

    /// The templates folder, absolute.
    public var templates: String?
    public var limits = DecompressionLimits()
    public var watch = WatchSettings()
    public var intake = IntakeSettings()
    /// `http:`: the watcher's endpoint (metrics, health, the status page).
    public var http: HTTPSettings?
    /// `notify:`: webhooks for failed files and waiting deliveries.
    public var notify: [WebhookSettings] = []
    /// A PostgreSQL URL: the ledger several nodes share. Nil: the embedded SQLite ledger.
    public var ledger: String?
    /// `sftp:`: partners' servers to push packages to and pull inputs from.
    public var sftp = SFTPSettings()
    /// `nodes:`: the lease and heartbeat of the nodes that share the ledger.
    public var nodes = NodeSettings()

    /// Reads `<root>/ferry.yaml` when it exists.
    public static func load(root: String) throws(WorkspaceConfigError) -> WorkspaceConfig {
        let path = root + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return WorkspaceConfig() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WorkspaceConfigError(file: path, "the workspace config is not UTF-8 text")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw WorkspaceConfigError(file: path, "cannot read the YAML: \(error)")
        }
        guard let mapping = node?.mapping else { return WorkspaceConfig() }
        var config = WorkspaceConfig()
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            switch name {
            case "version":
                guard value.scalar?.string == "1" else {
                    throw WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, "version must be 1")
                }
            case "templates":
                guard let folder = value.scalar?.string, !folder.isEmpty else {
                    throw WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, "templates must be a folder path")
                }
                config.templates = folder.hasPrefix("/") ? folder : root + "/" + folder
            case "limits":
                try readLimits(value, into: &config.limits, path: path)
            case "watch":
                try readWatch(value, into: &config.watch, path: path)
            case "intake":
                try readIntake(value, into: &config.intake, path: path)
            case "http":
                config.http = try readHTTP(value, path: path)
            case "notify":
                config.notify = try readNotify(value, path: path)
            case "ledger":
                let url = value.scalar?.string ?? ""
                if url == "sqlite" { break }
                guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                    throw WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column,
                                               "ledger must be sqlite (the default) or a postgres://user@host:port/database URL")
                }
                config.ledger = url
            case "sftp":
                config.sftp = try readSFTP(value, root: root, path: path)
            case "nodes":
                config.nodes = try readNodes(value, path: path)
            default:
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column,
                                           "unknown key \"\(name)\"", hint: "known keys: version, templates, limits, watch, intake, http, notify, ledger, sftp, nodes")
            }
        }
        return config
    }

    private static func readLimits(_ node: Node, into limits: inout DecompressionLimits, path: String) throws(WorkspaceConfigError) {
        guard let mapping = node.mapping else {
            throw WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, "limits must be a section")
        }
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            let text = value.scalar?.string ?? ""
            func fail(_ message: String) -> WorkspaceConfigError {
                WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, message)
            }
            switch name {
            case "max_decompressed_size":
                guard let bytes = parseSize(text) else { throw fail("max_decompressed_size must be a size such as 16 GiB or 500 MB") }
                limits.maxBytes = bytes
            case "max_compression_ratio":
                guard let ratio = Int64(text), ratio > 0 else { throw fail("max_compression_ratio must be a whole number above 0") }
                limits.maxRatio = ratio
            default:
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in limits",
                                    hint: "max_decompressed_size, max_compression_ratio")
            }
        }
    }

    private static func readWatch(_ node: Node, into watch: inout WatchSettings, path: String) throws(WorkspaceConfigError) {
        guard let mapping = node.mapping else {
            throw WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, "watch must be a section")
        }
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            let text = (value.scalar?.string ?? "").trimmingWhitespace()
            func fail(_ message: String) -> WorkspaceConfigError {
                WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, "watch: \(name) \(message)")
            }
            func seconds(allowZero: Bool) throws(WorkspaceConfigError) -> Double {
                guard let number = Double(text), allowZero ? number >= 0 : number > 0 else {
                    throw fail(allowZero ? "must be a number of seconds, 0 or more" : "must be a number of seconds above 0")
                }
                return number
            }
            func count(minimum: Int) throws(WorkspaceConfigError) -> Int {
                guard let number = Int(text), number >= minimum else { throw fail("must be a whole number, \(minimum) or more") }
                return number
            }
            func flag() throws(WorkspaceConfigError) -> Bool {
                switch text.lowercased() {
                case "true", "yes", "on": return true
                case "false", "no", "off": return false
                default: throw fail("must be true or false")
                }
            }
            switch name {
            case "settle": watch.settleSeconds = try seconds(allowZero: true)
            case "done_marker": watch.doneMarker = try flag()
            case "workers": watch.workers = try count(minimum: 1)
            case "poll": watch.poll = try flag()
            case "scan_interval": watch.scanInterval = try seconds(allowZero: false)
            case "max_outbox": watch.maxOutbox = try count(minimum: 0)
            case "max_interruptions": watch.maxInterruptions = try count(minimum: 1)
            default:
                let hint = closestMatch(to: name, in: WatchSettings.keys).map { "did you mean \"\($0)\"?" }
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in watch",
                                    hint: hint ?? WatchSettings.keys.joined(separator: ", "))
            }
        }
    }

    private static func readNodes(_ node: Node, path: String) throws(WorkspaceConfigError) -> NodeSettings {
        guard let mapping = node.mapping else {
            throw WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, "nodes must be a section")
        }
        var settings = NodeSettings()
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            guard let seconds = Double((value.scalar?.string ?? "").trimmingWhitespace()), seconds > 0 else {
                throw WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, "nodes: \(name) must be a number of seconds above 0")
            }
            switch name {
            case "lease": settings.lease = seconds
            case "heartbeat": settings.heartbeat = seconds
            default:
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in nodes", hint: "lease, heartbeat")
            }
        }
        guard settings.heartbeat * 2 <= settings.lease else {
            throw WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column,
                                       "nodes: heartbeat (\(settings.heartbeat) s) must be at most half the lease (\(settings.lease) s)",
                                       hint: "a node renews its lease every heartbeat; a few missed heartbeats must not end it")
        }
        return settings
    }

    private static func readIntake(_ node: Node, into intake: inout IntakeSettings, path: String) throws(WorkspaceConfigError) {
        guard let mapping = node.mapping else {
            throw WorkspaceConfigError(file: path, line: node.mark?.line, column: node.mark?.column, "intake must be a section")
        }
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            guard name == "hard_links" else {
                throw WorkspaceConfigError(file: path, line: key.mark?.line, column: key.mark?.column, "unknown key \"\(name)\" in intake",
                                    hint: IntakeSettings.keys.joined(separator: ", "))
            }
            switch (value.scalar?.string ?? "").trimmingWhitespace().lowercased() {
            case "refuse": intake.acceptHardLinks = false
            case "accept": intake.acceptHardLinks = true
            default:
                throw WorkspaceConfigError(file: path, line: value.mark?.line, column: value.mark?.column, "intake: hard_links must be refuse or accept")
            }
        }
    }

    /// `16 GiB`, `500 MB`, `1048576` -> bytes.
    static func parseSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int64(digits) else { return nil }
        let unit = String(trimmed.dropFirst(digits.count)).trimmingWhitespace().lowercased()
        let factors: [String: Int64] = ["": 1, "b": 1, "kb": 1000, "kib": 1 << 10, "mb": 1_000_000, "mib": 1 << 20,
                                        "gb": 1_000_000_000, "gib": 1 << 30, "tb": 1_000_000_000_000, "tib": 1 << 40]
        guard let factor = factors[unit] else { return nil }
        return number * factor
    }
}
