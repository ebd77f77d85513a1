import Foundation
import Testing
@testable import Ferry

/// A `ferry watch --http` process over a workspace, with its log; killed when the test ends.
final class ServedWatcher {
    let process = Process()
    let log: String
    let root: String

    init(root: String, arguments: [String] = [], environment: [String: String]? = nil) throws {
        self.root = root
        log = root + "/watch-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: ferryExecutable())
        process.arguments = ["watch", "--root", root, "--scan-interval", "0.2"] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The endpoint's base URL, from the log line it writes once it listens (the tests ask for port 0).
    func baseURL(seconds: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let range = output.range(of: #"url=http://[0-9.:\[\]]+/"#, options: .regularExpression) {
                return String(output[range].dropFirst(4).dropLast())
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HTTPTestError("the watcher logged no endpoint URL: \(output)")
    }

    func stop() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct HTTPTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// curl as a client: status, headers and body of one request.
func curl(_ url: String, _ extra: [String] = []) throws -> (status: Int, body: String, headers: String) {
    let scratch = FileManager.default.temporaryDirectory.path + "/ferry-curl-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let result = try runProcess("/usr/bin/curl", ["-s", "-S", "--max-time", "20", "-D", scratch, "-o", "-", "-w", "\n%{http_code}"] + extra + [url])
    var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.popLast() ?? "") ?? 0
    let headers = (try? String(contentsOfFile: scratch, encoding: .utf8)) ?? ""
    return (status, lines.joined(separator: "\n"), headers)
}

/// Waits until `condition` holds (an error counts as not yet) or `seconds` pass.
func waitFor(_ seconds: Double = 30, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? condition()) == true { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return (try? condition()) == true
}
