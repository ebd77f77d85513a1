import ArgumentParser
import Ferry
import Foundation

/// `ferry check [templates…] [--sample FILE]`: every problem, with file:line:column and a hint.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check templates before a run: every problem with file:line:column and a hint; exit 1 on any.")

    @OptionGroup var options: WorkspaceOptions

    @Argument(help: "Template files or folders (default: the workspace's templates folder).")
    var paths: [String] = []

    @Option(help: "A sample input: source columns the template uses but the sample's header lacks are reported.")
    var sample: String?

    func run() throws {
        var checked = paths
        if let template = options.template { checked.append(template) }
        if checked.isEmpty { checked = [try options.templates ?? options.config().templates ?? options.workspace.root + "/templates"] }
        let result = TemplateCheck().run(paths: checked, sample: sample)
        for problem in result.problems { print(problem.description) }
        for warning in result.warnings { print("warning: \(warning.description)") }
        for note in result.notes { print("note: \(note)") }
        let count = result.problems.count
        print("\(counted(result.templates.count, "template")) checked, \(count == 0 ? "no problems" : counted(count, "problem"))"
              + (result.warnings.isEmpty ? "" : ", \(counted(result.warnings.count, "warning"))"))
        if count > 0 { throw ExitCode(1) }
    }
}

/// `ferry preview <template> <file> [--rows N]`: the first rows as they would be written.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what the first records of a file become, which are filtered or rejected and why, and whether a run would fail the file. Writes nothing.",
        discussion: "The whole file is read for the totals; --rows limits what is shown. Exit 1 when a run would send the file to failed/.")

    @Argument(help: "The template file.")
    var template: String

    @Argument(help: "The input file.")
    var file: String

    @Option(help: "How many records to read.")
    var rows: Int = 10

    @Option(help: "The workspace whose learned keys resolve reference lookups (default: the current folder).")
    var root: String = "."

    func run() throws {
        let loaded = try TemplateLoader().load(path: template)
        for warning in loaded.warnings { print("warning: \(warning.description)") }
        var preview = Preview()
        preview.learnedKeys = try LearnedKeys.reading(workspaceRoot: root)
        // In a bundle, the members of the templates this one comes after are run first, as in a run.
        let folder = (template as NSString).deletingLastPathComponent
        preview.unitTemplates = (try? TemplateLoader().loadEach(in: folder.isEmpty ? "." : folder).templates) ?? []
        let members = try preview.runBundle(template: loaded, file: file, rows: rows)
        var fails = false
        if members.isEmpty {
            let result = try preview.run(template: loaded, file: file, rows: rows)
            show(result)
            fails = result.failure != nil
        } else {
            for member in members {
                print("== \(member.name)")
                if let note = member.note { print(note + "\n") }
                if let result = member.result {
                    show(result)
                    fails = fails || result.failure != nil
                }
            }
        }
        print("Nothing was written or moved.")
        if fails { throw ExitCode(1) }
    }

    private func show(_ result: Preview.Result) {
        for target in result.targets {
            print("\(target.entity): \(counted(target.rows.count, "row"))")
            if !target.rows.isEmpty {
                printTable(["line"] + target.fields, target.rows.map { [String($0.line)] + $0.values.map(Self.oneLine) })
            }
            print("")
        }
        if !result.filtered.isEmpty {
            print("Filtered (lines): \(result.filtered.map(String.init).joined(separator: ", "))")
        }
        if !result.rejected.isEmpty {
            print("Rejected:")
            for problem in result.rejected {
                print("  line \(problem.location.line ?? 0), \(problem.location.field ?? "row"): \(problem.reason)")
            }
        }
        print("\(counted(result.recordsRead, "record")) shown of \(result.totalRead) read: \(result.totalFiltered) filtered, \(result.totalRejected) rejected in the whole file.")
        if let failure = result.failure {
            print("A run would FAIL this file: \(failure)")
        }
        print("")
    }

    /// Cell text on one line, cut to a readable width.
    static func oneLine(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
        return flat.count > 40 ? String(flat.prefix(39)) + "…" : flat
    }
}
