import ArgumentParser
import Ferry

/// `ferry retry FILE... | --all`: failed inputs back into the inbox after a fix.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put failed inputs back into the inbox after a fix; their old failure notes are removed.",
        discussion: "Works beside a running `ferry watch`, which takes them like any new file. The ledger records each retry, so a quarantined input gets its full number of attempts again.")

    @OptionGroup var options: WorkspaceOptions

    @Argument(help: "Inputs in failed/ (by name, or their path).")
    var files: [String] = []

    @Flag(help: "Every input in failed/.")
    var all = false

    func validate() throws {
        if all && !files.isEmpty { throw ValidationError("give file names or --all, not both") }
        if !all && files.isEmpty { throw ValidationError("name the failed inputs to retry, or give --all") }
    }

    func run() throws {
        let workspace = try options.existingWorkspace()
        let outcome = try Retry(workspace: workspace).run(all ? nil : files.map(CommandLineName.recovered))
        for (name, now) in outcome.moved { print("retried    \(FileName.display(name)) -> \(FileName.display(now))") }
        for (name, reason) in outcome.skipped { print("skipped    \(FileName.display(name)): \(reason)") }
        if outcome.moved.isEmpty && outcome.skipped.isEmpty { print("Nothing to retry: failed/ holds no inputs.") }
        if !outcome.skipped.isEmpty { throw ExitCode(1) }
    }
}
