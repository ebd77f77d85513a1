import Foundation
import Testing
@testable import Ferry

@Suite("the ferry executable")
struct CommandLineTests {
    static let template = """
    takes: [accounts*.csv, accounts*.xml]
    source: {record: /accounts/account}
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    """

    func workspaceWithTemplate() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        return scratch
    }

    @Test("exit code 0 when every file is delivered; one plain line per file when not on a terminal")
    func success() throws {
        let scratch = try workspaceWithTemplate()
        try scratch.drop("accounts.csv", "accountnumber\nA1\nA2\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("delivered  accounts.csv -> accounts-accounts-"))
        #expect(result.output.contains("Summary: 1 file (1 delivered, 0 duplicates, 0 failed, 0 to retry); rows read 2, written 2"))
        #expect(!result.output.contains("\u{1B}"))
        #expect(!result.output.contains("\r"))
    }

    @Test("on a terminal a progress line shows bytes done of the total and rows per second")
    func terminalProgress() throws {
        let scratch = try workspaceWithTemplate()
        try scratch.drop("accounts.csv", "accountnumber\n" + (0..<40_000).map { "A\($0)\n" }.joined())
        let transcript = scratch.root + "/typescript"
        // `script` gives the command a pseudo-terminal, as a person at a shell has.
        let result = try runProcess("/usr/bin/script", ["-qc", "\(ferryExecutable()) run --root \(scratch.root)", transcript])
        #expect(result.status == 0)
        let screen = scratch.text(transcript)
        #expect(screen.contains("rows/s"), "\(screen)")
        #expect(screen.contains("of 0.") || screen.contains(" MB of "))
        #expect(screen.contains("\u{1B}[K"), "the line is redrawn in place")
    }

    @Test("exit code 1 when a file failed, and the reason is printed")
    func failure() throws {
        let scratch = try workspaceWithTemplate()
        try scratch.drop("accounts.csv", "accountnumber\n\"A1\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(result.status == 1)
        #expect(result.output.contains("failed     accounts.csv"))
        #expect(result.output.contains("never closes"))
    }

    @Test("exit code 2 and file:line when a template is broken; nothing is touched")
    func brokenTemplate() throws {
        let scratch = try workspaceWithTemplate()
        try Data("takes: x.csv\ntarget: {system: sales, entity: a}\nfields:\n  A: a | shout\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/templates/broken.yaml"))
        try scratch.drop("accounts.csv", "accountnumber\nA1\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(result.status == 2)
        #expect(result.error.contains("broken.yaml:4:"))
        #expect(result.error.contains("unknown function \"shout\""))
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts.csv"])
    }

    @Test("--template applies one template to every file, whatever its name")
    func forcedTemplate() throws {
        let scratch = try workspaceWithTemplate()
        try scratch.drop("legacy-dump-1.csv", "accountnumber\nA1\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root, "--template", scratch.root + "/templates/accounts.yaml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(scratch.files(in: scratch.workspace.outbox).first?.hasPrefix("accounts-legacy-dump-1-") == true)
    }

    @Test("ferry.yaml at the workspace root names the templates folder")
    func workspaceConfig() throws {
        let scratch = try workspaceWithTemplate()
        try FileManager.default.moveItem(atPath: scratch.root + "/templates", toPath: scratch.root + "/my-templates")
        try Data("version: 1\ntemplates: my-templates\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        try scratch.drop("accounts.csv", "accountnumber\nA1\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(result.status == 0, "\(result.error)")
    }

    /// Peak memory must not follow the input's size: the same run over ~3 MB and ~30 MB of data.
    @Test("streaming: peak memory is the same for a 10x larger file", arguments: ["csv", "csv.gz", "xml"])
    func flatMemory(format: String) throws {
        func peakKilobytes(rows: Int) throws -> Int {
            let scratch = try workspaceWithTemplate()
            var data = Data()
            let xml = format == "xml"
            data.append(contentsOf: Array((xml ? "<?xml version=\"1.0\"?>\n<accounts>\n" : "accountnumber,name,note\n").utf8))
            for row in 0..<rows {
                let line = xml
                    ? "<account><accountnumber>ACC-\(row)</accountnumber><name>Árvíztűrő Tükörfúró Kft., \(row)</name><note>multi\nline note &amp; some text to make the row longer</note></account>\n"
                    : "ACC-\(row),\"Árvíztűrő Tükörfúró Kft., \(row)\",\"multi\nline note with some text to make the row longer\"\n"
                data.append(contentsOf: Array(line.utf8))
            }
            if xml { data.append(contentsOf: Array("</accounts>\n".utf8)) }
            let bytes = format == "csv.gz" ? try ArchiveMaker.gzip(Array(data)) : Array(data)
            try scratch.drop("accounts.\(format)", bytes: bytes)
            let script = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
            let result = try runProcess("/usr/bin/env", ["python3", "-c", script, ferryExecutable(), "run", "--root", scratch.root])
            #expect(result.status == 0, "\(result.output) \(result.error)")
            return Int(result.output.split(separator: "\n").last ?? "") ?? -1
        }
        let small = try peakKilobytes(rows: 25_000)
        let large = try peakKilobytes(rows: 250_000)
        #expect(small > 0)
        #expect(large < small + 8_000, "peak RSS \(small) kB for ~3 MB, \(large) kB for ~30 MB of \(format)")
    }

    /// Learned keys must not grow memory with the input: a `learn:` over ten times the rows (200,000 keys,
    /// past the in-memory budget, which the small run stays under) peaks within that budget of the small run.
    @Test("learned keys: peak memory stays bounded for a 10x larger accounts export with learn:")
    func learnedKeysFlatMemory() throws {
        func peakKilobytes(rows: Int) throws -> Int {
            let scratch = try TemporaryWorkspace()
            try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
            try Data("""
                takes: accounts*.csv
                target: {system: file, entity: account, name: customers}
                learn:
                  accounts: {key: accountnumber, from: [accountid, accountnumber]}
                fields:
                  ACCOUNT: accountnumber
                """.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
            var csv = "accountid,accountnumber\n"
            for row in 0..<rows { csv += String(format: "%08x-1111-2222-3333-%012x,ACC-%07d-XYZ\n", row &* 2654435761 % 4294967291, row, row) }
            try scratch.drop("accounts.csv", csv)
            let script = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
            let result = try runProcess("/usr/bin/env", ["python3", "-c", script, ferryExecutable(), "run", "--root", scratch.root])
            #expect(result.status == 0, "\(result.output) \(result.error)")
            let store = try LearnedKeys(ledgerPath: scratch.root + "/.ferry/ledger.sqlite3", create: false)
            #expect(store.count(in: "accounts") == 2 * rows, "every id and number reached the ledger")
            #expect(store.resolve(String(format: "%08x-1111-2222-3333-%012x", (rows - 1) &* 2654435761 % 4294967291, rows - 1), in: "accounts")
                    == .found(String(format: "ACC-%07d-XYZ", rows - 1)))
            return Int(result.output.split(separator: "\n").last ?? "") ?? -1
        }
        let small = try peakKilobytes(rows: 10_000)
        let large = try peakKilobytes(rows: 100_000)
        #expect(small > 0)
        #expect(large < small + 16_000, "peak RSS \(small) kB for 20,000 learned keys, \(large) kB for 200,000")
    }
}
