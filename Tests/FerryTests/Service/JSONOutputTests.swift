import Foundation
import Testing
@testable import Ferry

/// `--json` on run, history, status and explain: JSON Lines of schema version 1 (README "JSON output").
@Suite("JSON output")
struct JSONOutputTests {
    static let template = """
    takes: accounts*.csv
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    max_rejects: 1
    """

    func workspace() throws -> TemporaryWorkspace {
        try TemporaryWorkspace(accountsTemplate: Self.template)
    }

    /// Every line of `text` parsed as a JSON object, with the schema's version and a type.
    func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
            #expect(object["version"] as? Int == 1, "\(line)")
            #expect(object["type"] is String, "\(line)")
            return object
        }
    }

    @Test("run --json writes a file line per input and a summary; history --json agrees with it")
    func runAndHistory() throws {
        let scratch = try workspace()
        try scratch.drop("accounts-good.csv", "accountnumber,name\nACC-1,A\nACC-2,B\n,no number\n")
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n,x\n,y\n,z\n")
        let run = try runProcess(ferryExecutable(), ["run", "--json", "--root", scratch.root])
        #expect(run.status == 1, "one file failed: \(run.error)")
        let lines = try objects(run.output)
        #expect(lines.count == 3, "\(run.output)")
        let files = lines.filter { $0["type"] as? String == "file" }
        let good = try #require(files.first { $0["file"] as? String == "accounts-good.csv" })
        #expect(good["outcome"] as? String == "delivered")
        #expect(good["template"] as? String == "accounts")
        #expect(good["rows_read"] as? Int == 3 && good["rows_written"] as? Int == 2 && good["rows_rejected"] as? Int == 1)
        let outputs = try #require(good["outputs"] as? [String])
        #expect(outputs.count == 1 && outputs[0].hasPrefix("outbox/accounts-"), "\(outputs)")
        #expect(FileManager.default.fileExists(atPath: scratch.root + "/" + outputs[0]))
        #expect((good["rejects_report"] as? String)?.hasSuffix(".rejects.csv") == true)
        let bad = try #require(files.first { $0["file"] as? String == "accounts-bad.csv" })
        #expect(bad["outcome"] as? String == "failed")
        #expect((bad["error"] as? String)?.isEmpty == false)
        #expect(bad["input_now_at"] as? String == "failed/accounts-bad.csv")
        let summary = try #require(lines.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["files"] as? Int == 2 && summary["delivered"] as? Int == 1 && summary["failed"] as? Int == 1)
        #expect(summary["rows_read"] as? Int == files.reduce(0) { $0 + ($1["rows_read"] as? Int ?? 0) })
        #expect(summary["rows_written"] as? Int == 2)

        let history = try objects(try runProcess(ferryExecutable(), ["history", "--json", "--root", scratch.root]).output)
        #expect(history.count == 2)
        #expect(history.allSatisfy { $0["type"] as? String == "entry" })
        let entry = try #require(history.first { $0["file"] as? String == "accounts-good.csv" })
        #expect(entry["state"] as? String == "done")
        #expect(entry["rows_written"] as? Int == 2)
        #expect((entry["sha256"] as? String)?.count == 64)
        #expect(history.first { $0["file"] as? String == "accounts-bad.csv" }?["state"] as? String == "failed")
    }

    @Test("status --json names what waits, what failed and why; explain --json gives explain's reasons")
    func statusAndExplain() throws {
        let scratch = try workspace()
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n,x\n,y\n")
        _ = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        try scratch.drop("accounts-later.csv", "accountnumber\nACC-9\n")
        try scratch.drop("accounts-upload.csv.part", "accountnumber\n")

        let status = try objects(try runProcess(ferryExecutable(), ["status", "--json", "--root", scratch.root]).output)
        #expect(status.count == 1)
        let record = try #require(status.first)
        #expect(record["type"] as? String == "status")
        #expect(record["running"] as? Bool == false)
        let waiting = try #require(record["waiting"] as? [[String: Any]])
        #expect(waiting.map { $0["file"] as? String } == ["accounts-later.csv"])
        let failed = try #require(record["failed"] as? [[String: Any]])
        #expect(failed.count == 1)
        #expect(failed.first?["file"] as? String == "accounts-bad.csv")
        #expect((failed.first?["reason"] as? String)?.contains("rejected") == true, "\(failed)")
        #expect(failed.first?["rejects_report"] as? String == "failed/accounts-bad.csv.rejects.csv")
        #expect((record["templates"] as? [[String: Any]])?.first?["status"] as? String == "loads")
        #expect((record["last_input"] as? [String: Any])?["state"] as? String == "failed")

        let explain = try objects(try runProcess(ferryExecutable(), ["explain", "--json", "accounts-upload.csv.part", "--root", scratch.root]).output)
        let reasons = try #require(explain.first?["reasons"] as? [String])
        #expect(explain.first?["in_inbox"] as? Bool == true)
        #expect(reasons.first?.contains("its name is one uploaders use while writing") == true, "\(reasons)")
        let text = try runProcess(ferryExecutable(), ["explain", "accounts-upload.csv.part", "--root", scratch.root])
        #expect(text.output == reasons.joined(separator: "\n") + "\n")
    }
}
