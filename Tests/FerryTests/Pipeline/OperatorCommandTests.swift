import Foundation
import Testing
@testable import Ferry

/// The small things an operator meets first: version, help, typos in --root, settings in ferry.yaml.
@Suite("operator commands")
struct OperatorCommandTests {
    static let template = """
    takes: accounts*.csv
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    max_rejects: unlimited
    """

    func workspace(config: String? = nil) throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml")) }
        return scratch
    }

    @Test("ferry --version prints the version; ferry alone prints help and touches nothing")
    func versionAndHelp() throws {
        let version = try runProcess(ferryExecutable(), ["--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ferry \(FerryVersion.current)")
        let scratch = try TemporaryWorkspace()
        let folder = scratch.root + "/empty"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let bare = try runProcess(ferryExecutable(), [], in: folder)
        #expect(bare.status == 0)
        #expect(bare.output.contains("USAGE: ferry <subcommand>"), "\(bare.output)")
        #expect(scratch.files(in: folder).isEmpty, "no workspace was created in the current folder")
    }

    @Test("status, history, explain, retry and replay refuse a workspace that does not exist, and create nothing", arguments: [
        ["status"], ["history"], ["explain", "accounts.csv"], ["retry", "--all"],
        ["replay", "1", "--template", Fixtures.packageRoot + "/samples/templates/accounts-to-customers.yaml"],
    ])
    func readOnlyCommandsRefuseTypos(arguments: [String]) throws {
        let scratch = try TemporaryWorkspace()
        let typo = scratch.root + "/no-such-workspace"
        let result = try runProcess(ferryExecutable(), arguments + ["--root", typo])
        #expect(result.status == 2)
        #expect(result.error.contains("no Ferry workspace at \(typo): the folder does not exist"), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: typo))
    }

    @Test("history in a workspace that never ran says so and creates no ledger")
    func historyWithoutLedger() throws {
        let scratch = try workspace()
        let result = try runProcess(ferryExecutable(), ["history", "--root", scratch.root])
        #expect(result.status == 0)
        #expect(result.output.contains("No ledger yet"))
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/.ferry/ledger.sqlite3"))
    }

    @Test("watch settings in ferry.yaml are read by explain too; a flag overrides them")
    func watchSettingsInConfig() throws {
        let scratch = try workspace(config: "version: 1\nwatch:\n  done_marker: true\n  settle: 0\n")
        try scratch.drop("accounts.csv", "accountnumber\nA1\n")
        let explained = try runProcess(ferryExecutable(), ["explain", "accounts.csv", "--root", scratch.root])
        #expect(explained.status == 0)
        #expect(explained.output.contains("Waiting for its done marker"), "\(explained.output)")
        let overridden = try runProcess(ferryExecutable(), ["explain", "accounts.csv", "--root", scratch.root, "--no-done-marker"])
        #expect(!overridden.output.contains("done marker"), "\(overridden.output)")

        // The watcher reads the same section: without the marker the file stays.
        let watcher = try WatchTests.RunningWatcher(root: scratch.root, arguments: ["--scan-interval", "0.2"], settle: nil)
        #expect(watcher.waitUntilWatching())
        #expect(watcher.output.contains("done_marker=true"))
        try Data("version: 1\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        let besideWatcher = try runProcess(ferryExecutable(), ["explain", "accounts.csv", "--root", scratch.root])
        #expect(besideWatcher.output.contains("Waiting for its done marker"), "explain judges as the running watcher does: \(besideWatcher.output)")
        Thread.sleep(forTimeInterval: 1.0)
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts.csv"])
        try scratch.drop("accounts.csv.done", "")
        #expect(WatchTests.eventually { scratch.archived == ["accounts.csv"] })
        #expect(watcher.stop() == 0)
    }

    @Test("a mistake in ferry.yaml's watch section names the key and a fix")
    func watchSettingsMistakes() throws {
        let scratch = try workspace(config: "version: 1\nwatch:\n  setle: 3\n")
        let result = try runProcess(ferryExecutable(), ["explain", "x.csv", "--root", scratch.root])
        #expect(result.status != 0)
        #expect(result.error.contains("ferry.yaml:3:3: unknown key \"setle\" in watch (hint: did you mean \"settle\"?)"), "\(result.error)")
        try Data("version: 1\nwatch: {workers: 0}\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        let zero = try runProcess(ferryExecutable(), ["watch", "--root", scratch.root])
        #expect(zero.status == 2)
        #expect(zero.error.contains("watch: workers must be a whole number, 1 or more"), "\(zero.error)")
    }

    @Test("help texts name each default once; the summary counts one file in the singular")
    func wording() throws {
        let help = try runProcess(ferryExecutable(), ["watch", "--help"])
        #expect(help.output.contains("--workers"))
        #expect(!help.output.contains("). (default:"), "\(help.output)")
        let scratch = try workspace()
        try scratch.drop("accounts.csv", "accountnumber\nA1\n")
        let run = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(run.output.contains("Summary: 1 file (1 delivered"), "\(run.output)")
        try scratch.drop("accounts-2.csv", "accountnumber\nA2\n")
        let preview = try runProcess(ferryExecutable(), ["preview", scratch.root + "/templates/accounts.yaml", scratch.workspace.inbox + "/accounts-2.csv"])
        #expect(preview.output.contains("account: 1 row\n"), "\(preview.output)")
        #expect(preview.output.contains("1 record shown of 1 read"))
    }

    /// The long options a command's --help lists (`--done-marker/--no-done-marker` as `done-marker`).
    static func options(inHelp help: String) -> Set<String> {
        let section = help.components(separatedBy: "OPTIONS:").dropFirst().joined()
        return Set(section.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^  (?:-[a-z], )?--([a-z][a-z-]*)/).map { String($0.output.1) }
        }).subtracting(["help", "version"])
    }

    @Test("the README's synopsis of each command names every option its --help lists", arguments: [
        ["run"], ["watch"], ["check"], ["preview"], ["explain"], ["history"], ["status"], ["retry"], ["replay"], ["ledger", "rebuild"],
    ])
    func readmeSynopses(command: [String]) throws {
        let readme = try String(contentsOfFile: Fixtures.packageRoot + "/README.md", encoding: .utf8)
        let start = "ferry " + command.joined(separator: " ")
        // Synopsis lines of code blocks (with their indented continuation lines) and the command cells of the tables.
        var synopsis: [Substring] = []
        var continuing = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(start + " ") || line == start || line.hasPrefix("| `" + start) {
                let cell = line.replacingOccurrences(of: "\\|", with: "\u{0}").split(separator: "|").first.map(String.init) ?? ""
                synopsis.append(line.hasPrefix("|") ? Substring(cell.replacingOccurrences(of: "\u{0}", with: "|")) : line)
                continuing = !line.hasPrefix("|")
            } else if continuing, line.hasPrefix("    "), line.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
                synopsis.append(line)
            } else {
                continuing = false
            }
        }
        #expect(!synopsis.isEmpty, "the README shows \(start)")
        let text = synopsis.joined(separator: "\n")
        let help = try runProcess(ferryExecutable(), command + ["--help"]).output
        var options = Self.options(inHelp: help)
        #expect(!options.isEmpty || command == ["status"], "\(help)")
        // --root, --templates and --template are described once, under ferry run; a table row names the command's own.
        if !["run", "watch", "check", "preview"].contains(command[0]) { options.subtract(["root", "templates"]) }
        if ["explain", "history", "status", "retry", "ledger"].contains(command[0]) { options.remove("template") }
        for option in options.sorted() {
            #expect(text.contains("--\(option) ") || text.contains("--\(option)]") || text.contains("--[no-]\(option)")
                        || text.contains("--\(option)`"), "README's \(start) lacks --\(option): \(text)")
        }
    }

    @Test("ferry run warns about templates whose takes: overlap before it starts, naming a file both take")
    func runWarnsAboutOverlaps() throws {
        let scratch = try workspace()
        try Data(Self.template.replacingOccurrences(of: "accounts*.csv", with: "accounts-hu*.csv").utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts-hu.yaml"))
        try scratch.drop("accounts-hu-1.csv", "accountnumber\nA1\n")
        let run = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(run.error.contains("warning: templates accounts-hu (accounts-hu*.csv) and accounts (accounts*.csv) overlap: a file both take, such as \"accounts-hu.csv\", goes to failed/"), "\(run.error)")
        #expect(run.output.contains("more than one template matches"), "and such a file fails, as the warning says: \(run.output)")
    }

    @Test("the watch log names the rejects report of a file delivered with rejected rows")
    func logNamesRejects() throws {
        let scratch = try workspace()
        try scratch.drop("accounts.csv", "accountnumber\nA1\n\n")
        try scratch.drop("accounts-r.csv", "accountnumber\nA1\n\"\"\n")
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(WatchTests.eventually { scratch.archived.count == 2 })
        #expect(watcher.stop() == 0)
        let line = try #require(watcher.output.split(separator: "\n").first { $0.contains("file=accounts-r.csv") && $0.contains("file done") })
        #expect(line.contains("rejects=\(scratch.workspace.reports)/"), "\(line)")
    }

    @Test("check says which entities' fields it could not verify")
    func checkNamesUnverifiedEntities() throws {
        let scratch = try workspace()
        try Data("takes: leads*.csv\ntarget: {system: sales, entity: lead}\nfields:\n  subject: topic\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/templates/leads.yaml"))
        let result = try runProcess(ferryExecutable(), ["check", scratch.root + "/templates/leads.yaml"])
        #expect(result.status == 0)
        #expect(result.output.contains("note: \(scratch.root)/templates/leads.yaml: lead is not in Ferry's entity catalogue: its columns are not checked"), "\(result.output)")
    }
}
