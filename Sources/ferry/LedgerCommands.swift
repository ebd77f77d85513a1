import ArgumentParser
import Ferry
import FerryService
import Foundation

/// `ferry explain <file>`: why an inbox file has not been taken.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Say why a file in the inbox has not been taken (or what became of it).")

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var readiness: ReadinessOptions

    @Argument(help: "The file's name or its path in the inbox.")
    var file: String

    @Flag(help: "Write one JSON object (an \"explanation\" line, README: JSON output) instead of text.")
    var json = false

    func run() throws {
        let workspace = try options.existingWorkspace()
        let templates = try options.loadEachTemplate()
        // The running watcher's own settings (it may have been started with flags), else ferry.yaml's; a flag here wins.
        let service = ServiceState.current(workspace)
        var base = try options.config().watch
        if let service {
            base.settleSeconds = service.settleSeconds
            base.doneMarker = service.doneMarker
        }
        let settings = readiness.applied(to: base)
        let explanation = InboxExplanation(workspace: workspace, templates: templates.all, forcedTemplate: templates.forced,
                                           broken: templates.broken, service: service,
                                           policy: ReadinessPolicy(settings: settings), maxOutboxPackages: settings.maxOutbox,
                                           maxInterruptions: settings.maxInterruptions)
        let name = CommandLineName.recovered(file)
        let reasons = try explanation.explain(name)
        if json {
            let base = (name as NSString).lastPathComponent
            let inInbox = FileManager.default.fileExists(atPath: workspace.inbox + "/" + base)
            return print(JSONLine.encode(ExplanationRecord(file: base, inInbox: inInbox, reasons: reasons)))
        }
        for line in reasons { print(line) }
    }
}

/// `ferry history`: the ledger's recent entries.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List recent inputs: file, template, state, rows, duration, error.")

    @OptionGroup var options: WorkspaceOptions

    @Option(help: "How many entries.")
    var limit: Int = 20

    @Option(help: "Only entries for this file name.")
    var name: String?

    @Flag(help: "Write JSON Lines: an \"entry\" object per ledger entry, newest first (README: JSON output).")
    var json = false

    func run() throws {
        let workspace = try options.existingWorkspace()
        guard Ledger.exists(in: workspace) else {
            if json { return }
            return print("No ledger yet: nothing has been processed in \(workspace.root).")
        }
        let ledger = try Ledger(workspace: workspace)
        let entries = try ledger.history(limit: limit, name: name.map(CommandLineName.recovered))
        if json {
            for entry in entries { print(JSONLine.encode(EntryRecord(entry, root: workspace.root))) }
            return
        }
        guard !entries.isEmpty else { return print("The ledger is empty.") }
        let rows = entries.map { entry in
            [String(entry.id), entry.claimedAt, FileName.display(entry.name), entry.template ?? "-", entry.state.rawValue,
             "\(entry.rowsRead)/\(entry.rowsWritten)/\(entry.rowsRejected)", entry.seconds.map { String(format: "%.2f", $0) } ?? "-",
             String((entry.error ?? "").split(separator: "\n").first ?? "")]
        }
        printTable(["id", "claimed (UTC)", "file", "template", "state", "read/written/rejected", "seconds", "error"], rows)
    }
}

/// `ferry status`: the watcher and its templates, what is waiting, in progress and failed.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status",
                                                    abstract: "Show the watcher and its templates, and what is waiting, in progress, failed and undelivered.")

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Write one JSON object (a \"status\" line, README: JSON output) instead of text.")
    var json = false

    func run() throws {
        let workspace = try options.existingWorkspace()
        let folder = options.template == nil ? try? options.templatesFolder() : nil
        let status = try StatusSnapshot.read(workspace, templatesFolder: folder)
        if json { return print(JSONLine.encode(StatusRecord(status, root: workspace.root))) }
        if status.nodes.isEmpty {
            print("Ferry:                  \(status.holder.map { "running here (\($0))" } ?? "not running in this workspace")")
        } else {
            printNodes(status.nodes)
        }
        printTemplates(status)
        print("Waiting in the inbox:   \(Self.count(status.waiting.map(\.name)))")
        print("In progress:            \(Self.count(status.inProgress.map(\.name)))")
        if !status.interrupted.isEmpty {
            print("Interrupted:            \(Self.count(status.interrupted)): Ferry stopped while working on them; the next start puts them back into the inbox")
        }
        if !status.deliveryWaiting.isEmpty {
            print("Deliveries waiting:     \(Self.count(status.deliveryWaiting)): complete, not yet moved into place; the next run (or the watcher's retry) completes them")
        }
        print("In failed/:             \(Self.count(status.failed.map(\.name)))")
        print("Packages in outbox/:    \(status.outboxPackages)")
        if let last = status.lastInput {
            print("Last input:             \(FileName.display(last.name)), \(last.state.rawValue), \(last.finishedAt ?? last.claimedAt)")
        }
    }

    /// `3  (a.csv, b.csv, c.csv)`, naming at most five.
    private static func count(_ names: [String]) -> String {
        names.isEmpty ? "0" : "\(names.count)  (" + names.prefix(5).map(FileName.display).joined(separator: ", ") + (names.count > 5 ? ", ..." : "") + ")"
    }

    /// The nodes sharing the ledger, one line each: alive (heartbeat age against its lease), dead, stopped or recovered.
    private func printNodes(_ nodes: [Ledger.NodeStatus]) {
        let alive = nodes.filter { $0.state == "running" && !$0.leaseExpired }.count
        print("Ferry:                  \(alive) of \(nodes.count) \(nodes.count == 1 ? "node" : "nodes") running on the shared ledger")
        for node in nodes {
            let seconds = String(format: "%.1f", node.secondsSinceHeartbeat)
            let place = "pid \(node.pid) on \(node.host), started \(node.startedAt)"
            let state: String
            switch node.state {
            case "running" where node.leaseExpired:
                state = "lease expired (last heartbeat \(seconds) s ago, lease \(Int(node.leaseSeconds)) s): another node recovers its files"
            case "running":
                state = "running, last heartbeat \(seconds) s ago (lease \(Int(node.leaseSeconds)) s)"
            case "recovered":
                state = "stopped; its files were recovered by node \(node.recoveredBy ?? "?")"
            default:
                state = node.state
            }
            print("  node \(node.node): \(state); \(place)" + (node.inHand > 0 ? "; \(node.inHand) in hand" : ""))
        }
    }

    /// The running watcher's templates, or (with none running) the templates as they load now.
    private func printTemplates(_ status: StatusSnapshot) {
        if status.templatesFromWatcher {
            let counts = ["active", "last-good", "disabled"].map { name in status.templates.filter { $0.status == name }.count }
            print("Templates:              \(counts[0]) active, \(counts[1]) running their last good version, \(counts[2]) disabled"
                  + " (the watcher's since \(status.watcherStartedAt ?? ""), reloaded \(status.templatesReloadedAt ?? ""))")
            for template in status.templates where template.status != "active" {
                let what = template.status == "last-good"
                    ? "broken; its last good version \(template.version ?? "") (loaded \(template.loadedAt ?? "")) runs"
                    : "broken and disabled; its files wait in the inbox"
                print("  \(template.name): \(what): \(Self.firstLine(template.error))")
            }
            return
        }
        guard options.template == nil else { return }
        let broken = status.templates.filter { $0.status == "broken" }
        print("Templates:              \(status.templates.count - broken.count) load, \(broken.count) broken")
        for template in broken { print("  \(template.name): broken: \(Self.firstLine(template.error))") }
    }

    private static func firstLine(_ text: String?) -> String {
        String((text ?? "").split(separator: "\n").first ?? "")
    }
}

/// `ferry replay <archived file>`: process an archived input again into new, versioned outputs.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Process an archived input again with the current (or a named) template.")

    @OptionGroup var options: WorkspaceOptions

    @Argument(help: "The archived file: its path (archive/2026-11-25/accounts.csv), its name (the newest archived one), or its ledger id.")
    var file: String

    func run() throws {
        // An archived input exists only in a workspace: a typo in --root must not create one.
        let workspace = try options.existingWorkspace()
        let templates = try options.loadEachTemplate()
        let report = try Replay(workspace: workspace, templates: templates.all, held: templates.broken, limits: try options.config().limits)
            .run(CommandLineName.recovered(file), template: templates.forced)
        let console = Console()
        console.fileFinished(report)
        if report.outcome == .failed { throw ExitCode(1) }
    }
}

/// Prints rows under a header, columns padded to their widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}
