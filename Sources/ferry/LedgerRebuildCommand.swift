import ArgumentParser
import Ferry

/// `ferry ledger ...`: looking after the ledger itself.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Look after the ledger (.ferry/ledger.sqlite3).",
                                                    subcommands: [LedgerRebuildCommand.self])
}

/// `ferry ledger rebuild`: a new ledger from archive/ and failed/ when the old one is lost or damaged.
struct LedgerRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Make a new ledger when it is missing or damaged: one entry per input in archive/ and failed/.",
        discussion: """
        Every archived input is recorded as delivered, with its content digest, so the same content dropped again is \
        archived as a duplicate. A damaged ledger is kept beside the new one as ledger.sqlite3.damaged-<time>. \
        A readable ledger with entries is left alone.
        """
    )

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Start with an empty history on purpose: content delivered before will be delivered again.")
    var empty = false

    func run() throws {
        let console = Console()
        let summary: LedgerRebuild.Summary
        do {
            summary = try LedgerRebuild(workspace: try options.existingWorkspace()).run(empty: empty)
        } catch {
            console.error("\(error)")
            throw ExitCode(2)
        }
        if let aside = summary.setAside { print("The damaged ledger was kept as \(aside).") }
        if empty {
            print("A new, empty ledger: Ferry does not know what it delivered before.")
        } else {
            print("A new ledger with \(summary.archived) delivered \(summary.archived == 1 ? "input" : "inputs") from archive/ and \(summary.failed) failed from failed/.")
        }
    }
}
