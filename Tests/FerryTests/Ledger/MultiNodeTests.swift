#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Ferry
@testable import FerryService

/// Several `ferry watch` nodes on one workspace and one PostgreSQL ledger (a server the test starts), killed with
/// SIGKILL at random moments: what the issue promises of nodes — every input once, every package once, nothing left
/// behind, a dead node's files recovered by the others once its lease runs out.
@Suite("several nodes on one inbox", .serialized)
struct MultiNodeTests {
    static let lease = 3.0
    static let heartbeat = 0.5

    /// 2,000 inputs: 1,941 with an account of their own, 39 that fail (an empty account), and 20 copies of others'
    /// content: 19 of delivered ones (duplicates), 1 of a failing one (fails too).
    static let count = 2_000
    static func input(_ number: Int) -> (name: String, content: String) {
        if number >= 1_980 {
            let original = (number - 1_980) * 7
            return (String(format: "accounts-copy-%04d.csv", original), input(original).content)
        }
        if number % 50 == 49 { return (String(format: "accounts-%04d.csv", number), "accountnumber\n\"\"\n") }
        return (String(format: "accounts-%04d.csv", number), "accountnumber\nA\(number)\n")
    }

    /// A node's process: `ferry watch --node <name>`, its log beside the workspace.
    final class Node {
        let name: String
        let root: String
        let log: String
        var program: SpawnedProgram?

        init(_ name: String, root: String, logs: String) {
            self.name = name
            self.root = root
            log = logs + "/node-\(name).log"
        }

        func start() throws {
            program = try SpawnedProgram([ferryExecutable(), "watch", "--root", root, "--node", name, "--settle", "0", "--scan-interval", "0.3",
                                          "--workers", "2", "--max-outbox", "0"], output: log)
        }

        func kill(_ signal: Int32 = SIGKILL) -> Int32? {
            guard let program else { return nil }
            Glibc.kill(program.pid, signal)
            self.program = nil
            return program.waitForExit()
        }

        var work: String { root + "/.ferry/nodes/\(name)/work" }
    }

    /// Files left in any node's work area or staging (`.ferry/nodes/<node>/work`, `staging`).
    static func strayFiles(_ root: String) -> [String] {
        let nodes = root + "/.ferry/nodes"
        return ((try? FileManager.default.contentsOfDirectory(atPath: nodes)) ?? []).flatMap { node in
            ["work", "staging"].flatMap { folder -> [String] in
                let path = "\(nodes)/\(node)/\(folder)"
                return (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []).filter { name in
                    var directory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &directory) && !directory.boolValue
                }.map { "\(node)/\(folder)/\($0)" }
            }
        }
    }

    /// Deterministic from its seed, which a failure prints.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("three ferry watch nodes on one inbox and one PostgreSQL ledger, killed with SIGKILL at random and restarted (one never): every input once in archive/ or failed/, every package once, no stray files, the dead node recovered within its lease")
    func threeNodesKilledAtRandom() throws {
        let server = try PostgreSQLServer()
        try server.psql("CREATE DATABASE nodes")
        let scratch = try TemporaryWorkspace()
        let logs = scratch.root + "-logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: logs) }
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(CrashRecoveryTests.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try Data("ledger: \(server.url(database: "nodes"))\nnodes:\n  lease: \(Self.lease)\n  heartbeat: \(Self.heartbeat)\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        // Half dropped before the nodes start, half while they run (written beside the inbox, then renamed in).
        let inputs = (0..<Self.count).map(Self.input)
        for input in inputs.prefix(Self.count / 2) { try scratch.drop(input.name, input.content) }
        var toDrop = Array(inputs.dropFirst(Self.count / 2))

        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = SplitMix64(state: seed)
        let nodes = ["n1", "n2", "n3"].map { Node($0, root: scratch.root, logs: logs) }
        for node in nodes { try node.start() }
        defer { for node in nodes { _ = node.kill() } }
        let started = Date()
        var kills = 0
        var deadKilledAt: Double?
        var inDeadHands: [String] = []
        func settled() -> Bool {
            scratch.files(in: scratch.workspace.inbox).isEmpty && toDrop.isEmpty
                && scratch.archived.count + scratch.files(in: scratch.workspace.failed).filter { !$0.hasSuffix(".error.txt") && !$0.hasSuffix(".rejects.csv") }.count
                >= Self.count
                && (try? server.psql("SELECT state FROM nodes WHERE node = 'n3'", database: "nodes")) == "recovered"
        }
        while Date().timeIntervalSince(started) < 300 && !settled() {
            for input in toDrop.prefix(100) {
                let beside = scratch.root + "/.drop-" + input.name
                try Data(input.content.utf8).write(to: URL(fileURLWithPath: beside))
                #expect(rename(beside, scratch.workspace.inbox + "/" + input.name) == 0)
            }
            toDrop.removeFirst(min(100, toDrop.count))
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.9, using: &random))
            if kills >= 2, deadKilledAt == nil {
                // n3 dies with files in hand, and stays dead: the others must recover it.
                let until = Date().addingTimeInterval(15)
                while scratch.files(in: nodes[2].work).isEmpty && Date() < until { Thread.sleep(forTimeInterval: 0.01) }
                inDeadHands = scratch.files(in: nodes[2].work)
                #expect(nodes[2].kill() == 137)
                deadKilledAt = Date().timeIntervalSince1970
            } else if kills < 8 {
                let node = nodes[Int.random(in: 0...1, using: &random)]
                #expect(node.kill() == 137, "seed \(seed)")
                kills += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.6, using: &random))
                try node.start()
            }
        }
        let seconds = Date().timeIntervalSince(started)
        // ferry status shows every node: two alive, n3 recovered by one of them.
        let text = try runProcess(ferryExecutable(), ["status", "--root", scratch.root]).output
        #expect(text.contains("2 of 3 nodes running on the shared ledger") && text.contains("node n1: running, last heartbeat")
                && text.contains("node n3: stopped; its files were recovered by node n"), "\(text)")
        let json = try runProcess(ferryExecutable(), ["status", "--json", "--root", scratch.root]).output
        let record = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let listed = (record?["nodes"] as? [[String: Any]] ?? []).map { "\($0["node"] as? String ?? ""):\($0["state"] as? String ?? ""):\($0["lease_expired"] as? Bool ?? true)" }
        #expect(listed == ["n1:running:false", "n2:running:false", "n3:recovered:false"], "\(json)")
        let snapshot = try StatusSnapshot.read(scratch.workspace, templatesFolder: nil)
        let page = StatusPage(root: scratch.root, status: snapshot, progress: [], explanations: [:], deliveries: [], totals: [],
                              retryNeedsToken: false, retryEnabled: false, message: nil, problem: nil).html()
        #expect(page.contains("<section id=\"nodes\">") && page.contains("2 of 3 nodes running") && page.contains("<td>recovered by n"), "\(page.prefix(3_000))")
        for node in nodes.prefix(2) { #expect(node.kill(SIGTERM) == 0, "\(node.name) stops cleanly: \(scratch.text(node.log).suffix(2_000))") }
        let context = "seed \(seed), \(kills) kills, \(String(format: "%.1f", seconds)) s"
        #expect(deadKilledAt != nil && kills == 8, "\(context)")

        // Every input exactly once in archive/ or failed/, nothing left in the inbox.
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty, "\(context)")
        let failedInputs = scratch.files(in: scratch.workspace.failed).filter { !$0.hasSuffix(".error.txt") && !$0.hasSuffix(".rejects.csv") }
        let ended = scratch.archived + failedInputs
        #expect(ended.count == Self.count && Set(ended) == Set(inputs.map(\.name)), "\(context): \(ended.count) ended")
        #expect(Set(failedInputs) == Set(inputs.filter { $0.content.contains("\"\"") }.map(\.name)), "\(context)")
        #expect(failedInputs.allSatisfy { FileManager.default.fileExists(atPath: scratch.workspace.failed + "/" + $0 + ".error.txt") })

        // Every content delivered exactly once: one package per good original, one for each original-or-copy pair.
        let packages = scratch.files(in: scratch.workspace.outbox)
        let stems = packages.compactMap { package in package.range(of: #"accounts-(copy-)?\d{4}"#, options: .regularExpression).map { String(package[$0]) } }
        #expect(stems.count == packages.count && Set(stems).count == stems.count, "\(context): a package twice")
        var byContent: [String: Int] = [:]
        for stem in stems { byContent[inputs.first { $0.name == stem + ".csv" }?.content ?? stem, default: 0] += 1 }
        let goodContents = Set(inputs.filter { !$0.content.contains("\"\"") }.map(\.content))
        #expect(byContent.count == goodContents.count && byContent.values.allSatisfy { $0 == 1 }, "\(context): \(packages.count) packages")
        let states = try server.psql("SELECT state || '=' || count(*) FROM inputs GROUP BY state ORDER BY state", database: "nodes")
        #expect(try server.psql("SELECT count(*) FROM inputs WHERE state = 'done'", database: "nodes") == "\(goodContents.count)", "\(context): \(states)")
        let repeats = inputs.filter { $0.name.contains("copy") && !$0.content.contains("\"\"") }.count
        #expect(repeats == 19 && goodContents.count == 1_941)
        #expect(try server.psql("SELECT count(*) FROM inputs WHERE state = 'duplicate'", database: "nodes") == "\(repeats)", "\(context): \(states)")

        // No stray files, no claim or entry left open, and n3 recovered by another node once its lease ran out.
        #expect(Self.strayFiles(scratch.root).isEmpty, "\(Self.strayFiles(scratch.root))")
        #expect(try server.psql("SELECT count(*) FROM claims", database: "nodes") == "0")
        #expect(try server.psql("SELECT count(*) FROM inputs WHERE state IN ('claimed', 'delivering', 'failing')", database: "nodes") == "0")
        let recovery = try server.psql("SELECT recovered_by, EXTRACT(EPOCH FROM recovered_at) FROM nodes WHERE node = 'n3'", database: "nodes")
            .split(separator: "|").map(String.init)
        #expect(recovery.count == 2 && ["n1", "n2"].contains(recovery[0]), "\(recovery)")
        if let killed = deadKilledAt, recovery.count == 2, let at = Double(recovery[1]) {
            #expect(at - killed >= Self.lease - Self.heartbeat - 0.2, "not before its lease ran out: \(at - killed) s")
            #expect(at - killed <= Self.lease + 5, "recovered \(at - killed) s after it died (lease \(Self.lease) s)")
        }
        #expect(inDeadHands.allSatisfy(Set(ended).contains), "what n3 held ended in archive/ or failed/: \(inDeadHands)")
        let recoveredBy = nodes.prefix(2).map { scratch.text($0.log) }.joined()
        #expect(recoveredBy.contains("recovered a node whose lease expired") && recoveredBy.contains("recovered=n3"))
        print("multi-node: \(Self.count) inputs through 3 nodes in \(context); n3 held \(inDeadHands.count) when killed")
    }
}
