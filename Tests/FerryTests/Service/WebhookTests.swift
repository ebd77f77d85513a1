import Foundation
import Synchronization
import Testing
@testable import Ferry
@testable import FerryService

/// `notify:` webhooks against a receiver on loopback that the test starts.
@Suite("webhooks", .serialized)
struct WebhookTests {
    /// Answers 500 to the first `failures` POSTs, 200 after; keeps every body it got.
    final class Receiver: Sendable {
        typealias Request = (status: Int, body: String, headers: [String: String], at: Date)
        final class Log: Sendable { let entries = Mutex<[Request]>([]) }
        let server: HTTPServer
        let log = Log()

        init(failures: Int, delay: Double = 0) throws {
            let log = self.log
            server = try HTTPServer(address: BindAddress(host: "127.0.0.1", port: 0)) { request in
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                let status = log.entries.withLock { got in
                    let status = got.count < failures ? 500 : 200
                    got.append((status, String(decoding: request.body, as: UTF8.self), request.headers, Date()))
                    return status
                }
                return .text(status, status == 200 ? "ok" : "try again")
            }
            server.start()
        }

        var url: String { "http://127.0.0.1:\(server.port)/hook" }
        var bodies: [Request] { log.entries.withLock { $0 } }
    }

    static let template = """
    takes: accounts*.csv
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    max_rejects: 1
    """

    func workspace(notify: String) throws -> TemporaryWorkspace {
        try TemporaryWorkspace(accountsTemplate: Self.template, config: "version: 1\nnotify:\n\(notify)")
    }

    @Test("a failed file is POSTed as JSON; a 500 from the receiver is retried with backoff until it takes it")
    func failedEventRetried() throws {
        let receiver = try Receiver(failures: 2)
        let scratch = try workspace(notify: "  - url: \(receiver.url)\n    on: [failed]\n    headers: {Authorization: Bearer hook-secret}\n")
        let watcher = try ServedWatcher(root: scratch.root, arguments: ["--settle", "0.2"])
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n,x\n,y\n,z\n")
        try scratch.drop("accounts-good.csv", "accountnumber\nACC-1\n")
        #expect(waitFor(30) { receiver.bodies.count >= 3 }, "\(watcher.output.suffix(1500))")
        let got = receiver.bodies
        try #require(got.count >= 3, "\(watcher.output.suffix(1500))")
        #expect(got.map(\.status) == [500, 500, 200])
        #expect(Set(got.map(\.body)).count == 1, "the same event each time")
        // Backoff: 1 s, then 2 s.
        #expect(got[1].at.timeIntervalSince(got[0].at) >= 0.9 && got[2].at.timeIntervalSince(got[1].at) >= 1.9)
        #expect(got[0].headers["authorization"] == "Bearer hook-secret")
        #expect(got[0].headers["content-type"] == "application/json")
        let event = try #require(try JSONSerialization.jsonObject(with: Data(got[0].body.utf8)) as? [String: Any])
        #expect(event["version"] as? Int == 1 && event["type"] as? String == "event" && event["event"] as? String == "failed")
        #expect((event["text"] as? String)?.contains("accounts-bad.csv failed") == true)
        let file = try #require(event["file"] as? [String: Any])
        #expect(file["file"] as? String == "accounts-bad.csv" && file["outcome"] as? String == "failed")
        #expect(file["input_now_at"] as? String == "failed/accounts-bad.csv")
        #expect(watcher.output.contains("webhook failed, retrying"))
        // The delivered file sent nothing (only failed was asked for).
        Thread.sleep(forTimeInterval: 0.5)
        #expect(receiver.bodies.count == 3)
        _ = watcher.stop()
    }

    @Test("a receiver that answers slowly does not hold up the files")
    func neverBlocks() throws {
        let receiver = try Receiver(failures: 0, delay: 4)
        let scratch = try workspace(notify: "  - url: \(receiver.url)\n")
        let watcher = try ServedWatcher(root: scratch.root, arguments: ["--settle", "0.2", "--workers", "1"])
        let started = Date()
        for index in 1...3 { try scratch.drop("accounts-bad-\(index).csv", "accountnumber,name\n,x\n,y\n,z\n") }
        try scratch.drop("accounts-good.csv", "accountnumber\nACC-1\n")
        #expect(waitFor(30) { scratch.files(in: scratch.workspace.failed).filter { $0.hasSuffix(".csv") && !$0.contains(".rejects") }.count == 3
            && scratch.files(in: scratch.workspace.outbox).count == 1 })
        #expect(Date().timeIntervalSince(started) < 8, "every file was done while the receiver still worked on the first events")
        #expect(receiver.bodies.count < 3)
        _ = watcher.stop()
    }

    @Test("notify: entries are checked: an unknown event or a URL that is not http(s) stops the watcher with the line")
    func badConfig() throws {
        let scratch = try workspace(notify: "  - url: https://hooks.example.com/x\n    on: [failed, explode]\n")
        let result = try runProcess(ferryExecutable(), ["watch", "--root", scratch.root])
        #expect(result.status == 2)
        #expect((result.output + result.error).contains("notify: unknown event \"explode\""), "\(result.output)\(result.error)")
    }
}
