import ArgumentParser
import FerryService

/// `ferry init [DIR]`: a new workspace, ready to run.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a workspace: inbox/, outbox/, archive/, failed/, a commented ferry.yaml, a starter template and an example export.",
        discussion: "Files that exist already are kept as they are. Then: cp examples/accounts.csv inbox/ && ferry run"
    )

    @Argument(help: "The workspace folder (created when missing).", completion: .directory)
    var directory: String = "."

    func run() throws {
        let outcome: WorkspaceScaffold.Outcome
        do {
            outcome = try WorkspaceScaffold(root: directory).create()
        } catch {
            Console().error("cannot make a workspace in \(directory): \(error)")
            throw ExitCode(2)
        }
        for path in outcome.created { print("created  \(path)") }
        for path in outcome.kept { print("kept     \(path) (exists)") }
        let root = directory == "." ? "" : " --root \(directory)"
        print("Try it:  cp \(directory == "." ? "" : directory + "/")examples/accounts.csv \(directory == "." ? "" : directory + "/")inbox/ && ferry run\(root)")
    }
}
