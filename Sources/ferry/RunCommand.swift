import ArgumentParser
import Ferry

/// `ferry run`: one pass over the inbox, then exit.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Process every file in the inbox once, then exit.",
        discussion: """
        Exit codes: 0 every file was delivered (or the inbox was empty); 1 one or more files went to failed/; \
        2 the templates or the workspace could not be used (nothing was processed); 3 one or more files were \
        put back into the inbox after a fault outside them (disk full, permissions) and will be retried.
        """
    )

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Deliver files even when the same content was delivered before (normally archived as duplicates).")
    var force = false

    func run() throws {
        let console = Console()
        let templates: (all: [Template], forced: Template?)
        let config: WorkspaceConfig
        do {
            config = try options.config()
            templates = try options.loadTemplates()
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        let pass = RunPass(workspace: options.workspace, templates: templates.all, forcedTemplate: templates.forced,
                           limits: config.limits, force: force)
        let summary: RunSummary
        do {
            summary = try pass.run(observer: console)
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        console.printSummary(summary)
        if summary.failed > 0 { throw ExitCode(1) }
        if summary.retryLater > 0 || summary.blockedDeliveries > 0 { throw ExitCode(3) }
    }
}
