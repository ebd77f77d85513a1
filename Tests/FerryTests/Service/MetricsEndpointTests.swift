import Foundation
import Testing
@testable import Ferry

/// `ferry watch --http`: /metrics scraped during a real watch over the shipped samples, /healthz, /readyz.
@Suite("metrics endpoint", .serialized)
struct MetricsEndpointTests {
    /// The samples' templates and exports in a fresh workspace, the endpoint on a free loopback port.
    func samplesWorkspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        let config = "version: 1\ntemplates: \(Fixtures.packageRoot)/samples/templates\nhttp: 127.0.0.1:0\n"
        try Data(config.utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        return scratch
    }

    @Test("scraped during a watch over the samples: valid text format, histogram buckets, counters equal the ledger")
    func metricsMatchLedger() throws {
        let parser = try PrometheusTextParser.require()
        let scratch = try samplesWorkspace()
        let watcher = try ServedWatcher(root: scratch.root, arguments: ["--settle", "0.3"])
        let base = try watcher.baseURL()
        // A first scrape before anything arrived: gauges present, no file counted.
        let empty = try curl(base + "/metrics")
        #expect(empty.status == 200)
        #expect(empty.headers.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect(try parser.samples(empty.body).filter { $0.name == "ferry_files_total" }.isEmpty)

        let exports = Fixtures.packageRoot + "/samples/exports"
        let names = try FileManager.default.contentsOfDirectory(atPath: exports).sorted()
        for name in names { try FileManager.default.copyItem(atPath: exports + "/" + name, toPath: scratch.workspace.inbox + "/" + name) }
        var seenWaiting = false
        let settled = waitFor(120) {
            let samples = try parser.samples(try curl(base + "/metrics").body)
            if (samples.first { $0.name == "ferry_inbox_files" }?.value ?? 0) > 0 { seenWaiting = true }
            let inbox = scratch.files(in: scratch.workspace.inbox).filter { !$0.hasPrefix("watch-") }
            let history = try jsonLines(try runProcess(ferryExecutable(), ["history", "--json", "--limit", "1000", "--root", scratch.root]).output)
            let counted = samples.filter { $0.name == "ferry_files_total" }.reduce(0) { $0 + $1.value }
            return inbox.isEmpty && !history.contains { $0["state"] as? String == "claimed" } && Int(counted) == history.count
        }
        #expect(settled, "\(watcher.output.suffix(2000))")
        #expect(seenWaiting, "ferry_inbox_files counted the dropped files while they settled")

        let scrape = try curl(base + "/metrics").body
        let samples = try parser.samples(scrape)
        let history = try jsonLines(try runProcess(ferryExecutable(), ["history", "--json", "--limit", "1000", "--root", scratch.root]).output)
        // Related files go as one unit, one entry: "quotes.csv + quotedetails.csv".
        let entered = history.flatMap { ($0["file"] as? String ?? "").components(separatedBy: " + ") }
        #expect(Set(entered) == Set(names), "every export has its ledger entry")

        // Files by outcome and template: the ledger's entries, state done = outcome delivered.
        let outcomes = ["done": "delivered", "failed": "failed", "duplicate": "duplicate"]
        var expected: [String: Double] = [:]
        for entry in history {
            let outcome = outcomes[entry["state"] as? String ?? ""] ?? (entry["state"] as? String ?? "")
            expected["\(outcome)|\(entry["template"] as? String ?? "none")", default: 0] += 1
        }
        var counted: [String: Double] = [:]
        for sample in samples where sample.name == "ferry_files_total" {
            counted["\(sample.labels["outcome"] ?? "")|\(sample.labels["template"] ?? "")", default: 0] += sample.value
        }
        #expect(counted == expected)
        #expect((counted.first { $0.key.hasPrefix("delivered|accounts-to-customers") }?.value ?? 0) >= 2)

        // Rows: the sums over the ledger.
        for (metric, key) in [("ferry_rows_read_total", "rows_read"), ("ferry_rows_written_total", "rows_written"),
                              ("ferry_rows_filtered_total", "rows_filtered"), ("ferry_rows_rejected_total", "rows_rejected")] {
            let total = samples.filter { $0.name == metric }.reduce(0) { $0 + $1.value }
            let ledger = history.reduce(0) { $0 + Double($1[key] as? Int ?? 0) }
            #expect(total == ledger, "\(metric): \(total) scraped, \(ledger) in the ledger")
            #expect(total > 0 || key == "rows_filtered")
        }
        let bytes = samples.filter { $0.name == "ferry_input_bytes_total" }.reduce(0) { $0 + $1.value }
        #expect(bytes > 10_000, "input bytes \(bytes)")

        // The duration histogram: cumulative buckets up to +Inf, whose count is the files'.
        let buckets = samples.filter { $0.name == "ferry_file_duration_seconds_bucket" && $0.labels["template"] == "accounts-to-customers" }
        #expect(Set(buckets.compactMap { $0.labels["le"] }).isSuperset(of: ["0.05", "1.0", "60.0", "+Inf"]), "\(buckets.map(\.labels))")
        let infinity = buckets.first { $0.labels["le"] == "+Inf" }?.value
        let count = samples.first { $0.name == "ferry_file_duration_seconds_count" && $0.labels["template"] == "accounts-to-customers" }?.value
        #expect(infinity != nil && infinity == count)
        #expect(counted.filter { $0.key.hasSuffix("|accounts-to-customers") }.values.reduce(0, +) == count)

        // Gauges of the workspace now.
        let gauge = { (name: String) in samples.first { $0.name == name }?.value }
        #expect(gauge("ferry_inbox_files") == 0)
        #expect(gauge("ferry_in_progress_files") == 0)
        #expect(gauge("ferry_failed_files") == Double(scratch.files(in: scratch.workspace.failed).filter { !$0.hasSuffix(".error.txt") && !$0.hasSuffix(".rejects.csv") }.count))
        #expect(gauge("ferry_outbox_packages") == Double(scratch.files(in: scratch.workspace.outbox).count))
        #expect((gauge("ferry_outbox_packages") ?? 0) >= 15)
        #expect(samples.contains { $0.name == "ferry_last_delivery_timestamp_seconds" && $0.labels["template"] == "accounts-to-customers" && $0.value > 1.7e9 })
        #expect(samples.contains { $0.name == "ferry_build_info" && $0.labels["version"] == FerryVersion.current })

        #expect(try curl(base + "/healthz").status == 200)
        let ready = try curl(base + "/readyz")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(watcher.stop() == 0)
    }

    @Test("/readyz answers 503 naming the folder when the outbox is gone; unknown paths 404, a POST to /metrics 405")
    func readiness() throws {
        let scratch = try TemporaryWorkspace()
        try Data("version: 1\nhttp: {listen: 127.0.0.1:0}\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        let watcher = try ServedWatcher(root: scratch.root)
        let base = try watcher.baseURL()
        #expect(try curl(base + "/readyz").status == 200)
        try FileManager.default.removeItem(atPath: scratch.workspace.outbox)
        let ready = try curl(base + "/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains("outbox/ is not usable"), "\(ready.body)")
        #expect(try curl(base + "/healthz").status == 200)
        #expect(try curl(base + "/nothing-here").status == 404)
        #expect(try curl(base + "/metrics", ["-X", "POST"]).status == 405)
        #expect(try curl(base + "/files/../ferry.yaml").status == 404)
        _ = watcher.stop()
    }

    @Test("ferry run --metrics-textfile writes the run's metrics in the text format, counts equal to the run's")
    func runTextfile() throws {
        let parser = try PrometheusTextParser.require()
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data("takes: accounts*.csv\ntarget: {system: sales, entity: account, name: accounts}\nfields:\n  accountnumber: accountnumber | required\nmax_rejects: 1\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try scratch.drop("accounts-1.csv", "accountnumber,name\nACC-1,a\nACC-2,b\n")
        try scratch.drop("accounts-2.csv", "accountnumber,name\n,x\n,y\n")
        let textfile = scratch.root + "/ferry.prom"
        let run = try runProcess(ferryExecutable(), ["run", "--root", scratch.root, "--metrics-textfile", textfile])
        #expect(run.status == 1, "one file failed")
        let samples = try parser.samples(try String(contentsOfFile: textfile, encoding: .utf8))
        let files = { (outcome: String) in samples.first { $0.name == "ferry_files_total" && $0.labels["outcome"] == outcome }?.value }
        #expect(files("delivered") == 1 && files("failed") == 1)
        #expect(samples.first { $0.name == "ferry_rows_written_total" }?.value == 2)
        #expect(samples.first { $0.name == "ferry_failed_files" }?.value == 1)
        #expect(samples.contains { $0.name == "ferry_run_finished_timestamp_seconds" })
        #expect(!FileManager.default.fileExists(atPath: textfile + ".tmp"))
    }

    @Test("an address in use stops ferry watch with exit 2 and says which")
    func addressInUse() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        let first = try ServedWatcher(root: scratch.root, arguments: ["--http", "127.0.0.1:0"])
        let base = try first.baseURL()
        let address = String(base.dropFirst("http://".count))
        let other = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: other.root + "/templates", withIntermediateDirectories: true)
        let second = try runProcess(ferryExecutable(), ["watch", "--root", other.root, "--http", address])
        #expect(second.status == 2)
        #expect((second.output + second.error).contains("cannot serve HTTP on \(address)"), "\(second.output)\(second.error)")
        _ = first.stop()
    }
}

func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

/// Python's prometheus_client text-format parser (installed from PyPI when missing).
struct PrometheusTextParser {
    struct Sample { var name: String; var labels: [String: String]; var value: Double }

    static func require() throws -> PrometheusTextParser {
        if try runProcess("/usr/bin/env", ["python3", "-c", "import prometheus_client"]).status != 0 {
            _ = try runProcess("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "prometheus_client"])
        }
        let check = try runProcess("/usr/bin/env", ["python3", "-c", "import prometheus_client"])
        try #require(check.status == 0, "prometheus_client cannot be installed (pip install prometheus_client): \(check.error)")
        return PrometheusTextParser()
    }

    /// Every sample; the parser throws on anything that is not the text format.
    func samples(_ text: String) throws -> [Sample] {
        let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
        print(json.dumps(out))
        """
        let input = FileManager.default.temporaryDirectory.path + "/ferry-scrape-\(UUID().uuidString).txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try runProcess("/bin/sh", ["-c", "python3 -c '\(script)' < \(input)"])
        guard result.status == 0, let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw HTTPTestError("not valid Prometheus text format: \(result.error)\n\(text.prefix(2000))")
        }
        return parsed.map { Sample(name: $0["name"] as? String ?? "", labels: $0["labels"] as? [String: String] ?? [:], value: $0["value"] as? Double ?? .nan) }
    }
}
