import ArgumentParser
import Ferry
import FerryService

/// `ferry run`: one pass over the inbox, then exit.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Process every file in the inbox once, then exit.",
        discussion: """
        Exit codes: 0 every file was delivered (or the inbox was empty); 1 one or more files went to failed/; \
        2 the templates or the workspace could not be used (nothing was processed); 3 one or more files were \
        put back into the inbox after a fault outside them (disk full, permissions) and will be retried, or an SFTP \
        pull or push of sftp: in ferry.yaml failed after its retries (it is retried on the next run).
        """
    )

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var nodeOption: NodeOption

    @Flag(help: "Deliver files even when the same content was delivered before (normally archived as duplicates).")
    var force = false

    @Option(name: .customLong("progress-every"), help: "Seconds between progress lines of a long file when the output is not a terminal.")
    var progressEvery: Double = 10

    @Flag(name: .customLong("dry-run"), help: "Do everything but deliver: outputs and reports go to a scratch folder it names; inputs are not touched.")
    var dryRun = false

    @Flag(help: "Write JSON Lines on standard output: a \"file\" object per input and a \"summary\" (README: JSON output).")
    var json = false

    @Option(name: .customLong("metrics-textfile"), help: "After the run, write its Prometheus metrics to this file (for node_exporter's textfile collector).")
    var metricsTextfile: String?

    func validate() throws {
        guard progressEvery > 0 else { throw ValidationError("--progress-every must be above 0") }
    }

    func run() throws {
        let console = Console(progressEvery: progressEvery)
        let shown: RunObserver = json ? JSONConsole(root: options.workspace.root) : console
        let metrics = metricsTextfile.map { _ in FerryMetrics() }
        let observer: RunObserver = metrics.map { RunObserverPair(shown, $0) } ?? shown
        let settings: RunSettings
        let exchanges: SFTPSettings
        do {
            let config = try options.config()
            exchanges = config.sftp
            let templates = try options.loadTemplates()
            var configured = RunSettings(workspace: nodeOption.workspace(options, config: config), templates: templates.all,
                                         forcedTemplate: templates.forced, limits: config.limits, force: force, intake: config.intake)
            configured.nodes = config.nodes
            settings = configured
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        for overlap in TemplateCheck.overlapWarnings(settings.templates) { console.warning(overlap) }
        if dryRun {
            let (summary, scratch) = try DryRun(settings: settings).run(observer: observer)
            if let json = shown as? JSONConsole {
                json.printSummary(summary, dryRunFolder: scratch)
            } else {
                console.printSummary(summary)
                print("Dry run: nothing in the inbox was moved; would-be outputs, reports and failure notes are in \(scratch)")
            }
            if summary.failed > 0 { throw ExitCode(1) }
            return
        }
        // Pulled files are processed by this run; its packages are pushed at the end.
        let exchange = SFTPExchange(workspace: options.workspace, settings: exchanges)
        var exchanged = ExchangeReport()
        exchanged.merge(exchangeOnce(exchange, .pull, console: console))
        let pass = RunPass(settings: settings)
        let summary: RunSummary
        do {
            summary = try pass.run(observer: observer)
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        exchanged.merge(exchangeOnce(exchange, .push, console: console))
        if !exchanges.isEmpty { ExchangeCommand.show(exchanged, on: console) }
        if let json = shown as? JSONConsole { json.printSummary(summary) } else { console.printSummary(summary) }
        if let metrics, let metricsTextfile {
            do {
                try metrics.writeTextfile(metricsTextfile, workspace: options.workspace)
            } catch {
                console.error("cannot write the metrics to \(metricsTextfile): \(error)")
            }
        }
        if summary.failed > 0 { throw ExitCode(1) }
        if summary.retryLater > 0 || summary.blockedDeliveries > 0 || !exchanged.failures.isEmpty { throw ExitCode(3) }
    }

    private func exchangeOnce(_ exchange: SFTPExchange, _ direction: SFTPExchange.Direction, console: Console) -> ExchangeReport {
        guard !exchange.settings.isEmpty else { return ExchangeReport() }
        do {
            return try exchange.run([direction]) { console.warning($0) }
        } catch {
            var report = ExchangeReport()
            report.failures.append("\(error)")
            return report
        }
    }
}
