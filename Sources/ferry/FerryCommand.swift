import ArgumentParser

/// `ferry`: turns Dynamics exports dropped into inbox/ into import-ready packages in outbox/.
@main
struct FerryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Turn CRM/ERP exports dropped into inbox/ into import-ready packages in outbox/.",
        subcommands: [RunCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
