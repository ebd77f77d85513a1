import ArgumentParser
import Ferry

/// `ferry exchange`: one pass of the SFTP pushes and pulls in ferry.yaml.
struct ExchangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Pull files from partners' SFTP folders into the inbox and push outbox packages to their servers, once.",
        discussion: """
        Reads sftp: in ferry.yaml (README: SFTP push and pull). `ferry run` and `ferry watch` do the same around their \
        own work; this command is for a cron job or a manual retry. Exit codes: 0 everything went (or there was \
        nothing to move); 1 some transfers failed after their retries (they stay for the next pass); 2 no sftp: \
        entries, or ferry.yaml could not be used.
        """
    )

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Only pull (no pushes).")
    var pullOnly = false

    @Flag(help: "Only push (no pulls).")
    var pushOnly = false

    func validate() throws {
        if pullOnly && pushOnly { throw ValidationError("--pull-only and --push-only exclude each other") }
    }

    func run() throws {
        let console = Console()
        let settings: SFTPSettings
        do {
            settings = try options.config().sftp
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        guard !settings.isEmpty else {
            console.error("ferry.yaml in \(options.workspace.root) has no sftp: push or pull entries (README: SFTP push and pull)")
            throw ExitCode(2)
        }
        let directions: Set<SFTPExchange.Direction> = pullOnly ? [.pull] : pushOnly ? [.push] : [.pull, .push]
        let report: ExchangeReport
        do {
            report = try SFTPExchange(workspace: options.workspace, settings: settings).run(directions) { console.warning($0) }
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        Self.show(report, on: console)
        if !report.failures.isEmpty { throw ExitCode(1) }
    }

    static func show(_ report: ExchangeReport, on console: Console) {
        for line in report.pulled { print("pulled  \(line)") }
        for line in report.pushed { print("pushed  \(line)") }
        for line in report.failures { console.error(line) }
        print("exchange: \(report.pulled.count) pulled, \(report.pushed.count) pushed, \(report.failures.count) failed")
    }
}
