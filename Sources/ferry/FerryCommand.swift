import ArgumentParser
import Ferry

/// `ferry`: turns Dynamics exports dropped into inbox/ into import-ready packages in outbox/.
@main
struct FerryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Turn CRM/ERP exports dropped into inbox/ into import-ready packages in outbox/.",
        version: "ferry \(FerryVersion.current)",
        subcommands: [InitCommand.self, RunCommand.self, WatchCommand.self, CheckCommand.self, PreviewCommand.self, ExplainCommand.self, HistoryCommand.self,
                      StatusCommand.self, ReplayCommand.self, RetryCommand.self, LedgerCommand.self, ExchangeCommand.self]
    )
}
