import Foundation
import Logging
import Testing
@testable import Ferry

/// Names at the edges of what file systems allow: long, not UTF-8, with line breaks. One such file never
/// stops the others, and nothing stays behind in the work area.
@Suite("odd file names, end to end")
struct FileNameRunTests {
    static let template = """
    takes: "*.csv"
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    """

    /// Creates `inbox/<bytes>` with `contents`.
    func drop(_ scratch: TemporaryWorkspace, name bytes: [UInt8], _ contents: String) throws {
        let path = scratch.workspace.inbox + "/" + FileName.decoded(bytes)
        let fd = SystemCall.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// A file's text, read under its name's bytes (Foundation would read the wrong name).
    func text(_ path: String) throws -> String {
        let source = try FileByteSource(path: path, displayName: path)
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let count = try bytes.withUnsafeMutableBytes { try source.read(into: $0) }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    /// Names in a folder as bytes.
    func listing(_ folder: String) -> [[UInt8]] {
        (SystemCall.names(in: folder) ?? []).map(FileName.bytes).sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test("a failing 247-byte name goes to failed/ with its note (shortened to fit); the run goes on with the next file")
    func longFailingName() throws {
        let scratch = try TemporaryWorkspace()
        let name = "accounts-" + String(repeating: "x", count: 234) + ".csv"
        #expect(name.utf8.count == 247)
        try scratch.drop(name, "accountnumber,\"unclosed\n")
        try scratch.drop("zz-accounts.csv", "accountnumber\nA1\n")
        let summary = try scratch.run(template: Self.template)
        #expect(summary.failed == 1 && summary.delivered == 1)
        let failed = scratch.files(in: scratch.workspace.failed)
        #expect(failed.contains(name))
        let note = try #require(failed.first { $0.hasSuffix(".error.txt") })
        #expect(note.utf8.count <= 255 && note.hasPrefix("accounts-xxxx") && note.contains("~"))
        #expect(scratch.text(scratch.workspace.failed + "/" + note).contains("File:     \(name)"))
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(try scratch.run(template: Self.template).files.isEmpty, "the next run has nothing left over")
    }

    @Test("an accepted 255-byte name is delivered: its output names are shortened to fit, the input is archived")
    func longDeliveredName() throws {
        let scratch = try TemporaryWorkspace()
        let name = "accounts-" + String(repeating: "y", count: 242) + ".csv"
        #expect(name.utf8.count == 255)
        try scratch.drop(name, "accountnumber\nA1\n")
        let summary = try scratch.run(template: Self.template)
        #expect(summary.delivered == 1, "\(summary.files.compactMap(\.error))")
        let outputs = scratch.files(in: scratch.workspace.outbox)
        #expect(outputs.count == 1 && outputs[0].utf8.count <= 255 && outputs[0].hasSuffix(".csv"))
        #expect(scratch.archived == [name])
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
    }

    static let latin1: [UInt8] = Array("accounts-".utf8) + [0xFF, 0xFE] + Array("-latin.csv".utf8)

    @Test("a name that is not UTF-8 is listed, claimed, delivered and archived under its own bytes; reports escape it")
    func nonUTF8Delivered() throws {
        let scratch = try TemporaryWorkspace()
        try drop(scratch, name: Self.latin1, "accountnumber\nA1\n")
        let files = try Inbox(workspace: scratch.workspace).files()
        #expect(files.map { FileName.bytes(of: $0.name) } == [Self.latin1])
        let explanation = try InboxExplanation(workspace: scratch.workspace, templates: [try Fixtures.template(Self.template, name: "accounts")])
            .explain(FileName.parsingDisplay("accounts-\\xFF\\xFE-latin.csv"))
        #expect(explanation.first == "accounts-\\xFF\\xFE-latin.csv matches template accounts (accounts.yaml).", "\(explanation)")
        let summary = try scratch.run(template: Self.template)
        #expect(summary.delivered == 1, "\(summary.files.compactMap(\.error))")
        let day = scratch.workspace.archive + "/" + RunPassTests.fixedTime.day8601
        #expect(listing(day) == [Self.latin1])
        #expect(scratch.files(in: scratch.workspace.outbox).first?.hasPrefix("accounts-accounts-latin-") == true)
        let entry = try #require(try Ledger(workspace: scratch.workspace).history(limit: 1).first)
        #expect(FileName.bytes(of: entry.name) == Self.latin1)
        #expect(try InboxExplanation(workspace: scratch.workspace, templates: []).explain(entry.name).first?.hasPrefix("accounts-\\xFF\\xFE-latin.csv is not in the inbox. Ledger entry") == true)
        let replayed = try Replay(workspace: scratch.workspace, templates: [try Fixtures.template(Self.template, name: "accounts")]).run(String(entry.id), template: nil)
        #expect(replayed.outcome == .delivered, "\(replayed)")
        #expect(listing(day) == [Self.latin1], "the archived copy is untouched")
    }

    @Test("a failing name that is not UTF-8 goes to failed/ under its bytes; the note names it escaped")
    func nonUTF8Failed() throws {
        let scratch = try TemporaryWorkspace()
        try drop(scratch, name: Self.latin1, "accountnumber,\"unclosed\n")
        #expect(try scratch.run(template: Self.template).failed == 1)
        let failed = listing(scratch.workspace.failed)
        #expect(failed.contains(Self.latin1))
        #expect(failed.contains(Self.latin1 + Array(".error.txt".utf8)))
        let note = try text(scratch.workspace.failed + "/" + FileName.decoded(Self.latin1 + Array(".error.txt".utf8)))
        #expect(note.contains("File:     accounts-\\xFF\\xFE-latin.csv"))
        #expect(note.contains("accounts-\\xFF\\xFE-latin.csv line 1"), "\(note)")
    }

    @Test("a name with a line break is escaped in ferry run's output, one line per file")
    func lineBreakInRunOutput() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try scratch.drop("accounts\nevil\tname.csv", "accountnumber,\"unclosed\n")
        let result = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(result.status == 1)
        #expect(result.output.contains("failed     accounts\\nevil\\tname.csv  ["), "\(result.output)")
        #expect(result.output.contains("accounts\\nevil\\tname.csv line 1"))
        #expect(!result.output.contains("accounts\nevil"))
    }

    @Test("the watch log's line for such a file keeps its reason whole")
    func lineBreakInWatchLog() throws {
        let lines = LogCapture()
        let observer = LogObserver(logger: Logger(label: "test") { _ in lines })
        var report = FileReport(name: "accounts\nevil.csv", template: "accounts", outcome: .failed)
        report.error = InputError(.malformed, InputLocation(file: "accounts\nevil.csv", line: 1), "a quoted field never closes").description
        observer.fileFinished(report)
        let metadata = try #require(lines.events.first)
        #expect(metadata["file"] == "accounts\\nevil.csv")
        #expect(metadata["reason"] == "accounts\\nevil.csv line 1: a quoted field never closes")
    }
}

/// A log handler that keeps each event's metadata as texts.
final class LogCapture: LogHandler, @unchecked Sendable {
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    private(set) var events: [[String: String]] = []

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        events.append((event.metadata ?? [:]).mapValues { "\($0)" })
    }
}
