#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// A node's place among the nodes that share one workspace and one PostgreSQL ledger.
///
/// Joining takes a session advisory lock on the node's name, held for the node's life on a connection of its own, and
/// writes the node's row in `nodes`. A heartbeat renews the row's time; a node that cannot renew it before its lease
/// runs out stops at once (`_exit`), because another node is about to take its files back. Housekeeping runs on one
/// node at a time (an advisory lock): it finds a node whose lease expired, takes that node's lock (free once its
/// process is gone; a connection it left behind is ended first) and recovers it by the rules of a restart: plans
/// completed, claimed inputs returned to the inbox, staging cleared, claims dropped. A node that starts again while
/// another recovers it waits for its lock, then recovers what is left itself.
public final class NodeLease: Sendable {
    /// Another process runs as this node, and its lease is alive.
    public struct Busy: Error, CustomStringConvertible {
        public var node: String, host: String, pid: Int64, secondsSinceHeartbeat: Double
        public var description: String {
            "node \(node) is running (pid \(pid) on \(host), last heartbeat \(String(format: "%.1f", secondsSinceHeartbeat)) s ago): "
                + "give this process another name with --node, or stop that one first"
        }
    }

    public let node: String
    public let settings: NodeSettings
    private let workspace: Workspace
    private let url: String
    private let incarnation = UUID().uuidString
    private let logger: Logger
    private let connection: Mutex<PostgreSQLConnection>
    private let stopping = Atomic<Bool>(false)

    /// Joins the shared ledger as `workspace.node`, and starts the heartbeat; nil without a shared ledger or a node.
    public static func join(_ workspace: Workspace, ledger: Ledger, settings: NodeSettings, logger: Logger) throws -> NodeLease? {
        guard let url = ledger.postgresURL, let node = workspace.node else { return nil }
        do {
            return try NodeLease(workspace: workspace, url: url, node: node, settings: settings, logger: logger)
        } catch let error as PostgreSQLError {
            throw LedgerError.unreachable(url: ledger.path, message: error.message)
        }
    }

    private init(workspace: Workspace, url: String, node: String, settings: NodeSettings, logger: Logger) throws {
        self.workspace = workspace
        self.url = url
        self.node = node
        self.settings = settings
        self.logger = logger
        let connection = try PostgreSQLConnection(url: url)
        if try connection.query("SELECT pg_try_advisory_lock(hashtextextended(?, 0))", [Self.key(node)]).first?.first != .integer(1) {
            if let row = try connection.query("""
                SELECT host, pid, EXTRACT(EPOCH FROM now() - heartbeat_at)::float8, lease_seconds FROM nodes WHERE node = ? AND state = 'running'
                """, [.text(node)]).first, let age = row[2].real, age < row[3].real ?? 0 {
                let host = row[0].text ?? "", pid = row[1].integer ?? 0
                // Restarted on the same machine right after it died (killed): its process is gone, its lease not yet.
                let goneHere = host == ProcessInfo.processInfo.hostName && kill(pid_t(truncatingIfNeeded: pid), 0) == -1 && errno == ESRCH
                if !goneHere { throw Busy(node: node, host: host, pid: pid, secondsSinceHeartbeat: age) }
            }
            // Its lease is over: a connection an earlier run of it left behind holds the lock, or another node recovers it now.
            Self.endLeftBehindConnection(of: node, on: connection)
            logger.notice("waiting for this node's lock: another node may be recovering its files", metadata: ["node": "\(node)"])
            try connection.query("SELECT pg_advisory_lock(hashtextextended(?, 0))", [Self.key(node)])
        }
        try connection.query("""
            INSERT INTO nodes (node, incarnation, host, pid, backend_pid, started_at, heartbeat_at, lease_seconds, state)
            VALUES (?, ?, ?, ?, pg_backend_pid(), now(), now(), ?, 'running')
            ON CONFLICT (node) DO UPDATE SET incarnation = excluded.incarnation, host = excluded.host, pid = excluded.pid,
                backend_pid = excluded.backend_pid, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,
                lease_seconds = excluded.lease_seconds, state = 'running', recovered_by = NULL, recovered_at = NULL
            """, [.text(node), .text(incarnation), .text(ProcessInfo.processInfo.hostName), .integer(Int64(getpid())), .real(settings.lease)])
        self.connection = Mutex(connection)
        start("ferry-heartbeat", heartbeats)
    }

    /// Starts housekeeping (after the node's own recovery): recovering nodes whose lease expired.
    public func startHousekeeping() {
        start("ferry-housekeeping", housekeeping)
    }

    /// Leaves on a clean stop: the row says `stopped`; closing the connection releases the lock.
    public func leave() {
        stopping.store(true, ordering: .relaxed)
        _ = try? connection.withLock { connection in
            try connection.query("UPDATE nodes SET state = 'stopped' WHERE node = ? AND incarnation = ?", [.text(node), .text(incarnation)])
        }
    }

    private static func key(_ node: String) -> SQLValue { .text("ferry-node:" + node) }
    private static let housekeepingKey = SQLValue.text("ferry-housekeeping")

    private func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    private func pause(_ seconds: Double) -> Bool {
        var left = seconds
        while left > 0 && !stopping.load(ordering: .relaxed) {
            Thread.sleep(forTimeInterval: min(left, 0.1))
            left -= 0.1
        }
        return !stopping.load(ordering: .relaxed)
    }

    private func heartbeats() {
        var renewed = Self.monotonic()
        while pause(settings.heartbeat) {
            do {
                let kept = try connection.withLock { connection in
                    try !connection.query("""
                        UPDATE nodes SET heartbeat_at = now() WHERE node = ? AND incarnation = ? AND state = 'running' RETURNING node
                        """, [.text(node), .text(incarnation)]).isEmpty
                }
                guard kept else { return lost("its row in the nodes table was taken over (another node recovered it, or another process runs as it)") }
                renewed = Self.monotonic()
            } catch {
                // Still inside its lease: try again. Past it (less the time the next try would take), others may already recover its files.
                if Self.monotonic() - renewed > settings.lease - settings.heartbeat {
                    return lost("it could not renew its lease for \(Int(Self.monotonic() - renewed)) s: \(error)")
                }
                logger.warning("cannot renew this node's lease; trying again", metadata: ["node": "\(node)", "error": "\(error)"])
            }
        }
    }

    /// A node that lost its lease must not touch another file: the crash-safe way out is to stop where it is.
    private func lost(_ reason: String) {
        guard !stopping.load(ordering: .relaxed) else { return }
        logger.critical("node lost its lease and stops now; whatever it had in hand is completed or returned by the node that recovers it",
                        metadata: ["node": "\(node)", "reason": "\(reason)"])
        _exit(75)
    }

    private func housekeeping() {
        var connection: PostgreSQLConnection?
        repeat {
            do {
                let open = try connection ?? PostgreSQLConnection(url: url)
                connection = open
                try housekeep(on: open)
            } catch {
                connection = nil
                logger.warning("housekeeping failed; trying again", metadata: ["node": "\(node)", "error": "\(error)"])
            }
        } while pause(settings.heartbeat)
    }

    /// One round, on one node at a time: recovers each node whose lease expired.
    private func housekeep(on connection: PostgreSQLConnection) throws {
        guard try connection.query("SELECT pg_try_advisory_lock(hashtextextended(?, 0))", [Self.housekeepingKey]).first?.first == .integer(1) else { return }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(?, 0))", [Self.housekeepingKey]) }
        let expired = try connection.query("""
            SELECT node, incarnation FROM nodes
            WHERE node != ? AND state = 'running' AND heartbeat_at < now() - lease_seconds * interval '1 second'
            """, [.text(node)])
        for row in expired {
            guard let dead = row[0].text, let incarnation = row[1].text, !stopping.load(ordering: .relaxed) else { continue }
            guard try connection.query("SELECT pg_try_advisory_lock(hashtextextended(?, 0))", [Self.key(dead)]).first?.first == .integer(1) else {
                // Its process still holds its lock: a connection left behind by a machine that is gone (the server has not
                // noticed), or a node that stalled past its lease and stops at its next heartbeat. End it; the next round recovers.
                Self.endLeftBehindConnection(of: dead, on: connection)
                continue
            }
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(?, 0))", [Self.key(dead)]) }
            try recover(dead, incarnation: incarnation, on: connection)
        }
    }

    private func recover(_ dead: String, incarnation: String, on connection: PostgreSQLConnection) throws {
        // It may have started again (and renewed) between the list and the lock.
        guard !(try connection.query("""
            SELECT 1 FROM nodes WHERE node = ? AND incarnation = ? AND state = 'running' AND heartbeat_at < now() - lease_seconds * interval '1 second'
            """, [.text(dead), .text(incarnation)]).isEmpty) else { return }
        let theirs = workspace.asNode(dead)
        let ledger = try Ledger(workspace: theirs)
        let outcome = try Recovery(workspace: theirs, ledger: ledger).run()
        try ledger.releaseAllClaims()
        try connection.query("""
            UPDATE nodes SET state = 'recovered', recovered_by = ?, recovered_at = now() WHERE node = ? AND incarnation = ?
            """, [.text(node), .text(dead), .text(incarnation)])
        logger.notice("recovered a node whose lease expired", metadata: [
            "node": "\(node)", "recovered": "\(dead)", "returned": "\(outcome.returned.count)", "completed": "\(outcome.completed.count)",
            "removed_partials": "\(outcome.removedPartials)",
        ])
    }

    /// Ends the server connection through which `node`'s lease was held, if the server still has it (the same backend:
    /// one that started before the node's row did, never a later connection that reuses its process id).
    private static func endLeftBehindConnection(of node: String, on connection: PostgreSQLConnection) {
        _ = try? connection.query("""
            SELECT pg_terminate_backend(activity.pid) FROM pg_stat_activity activity JOIN nodes ON activity.pid = nodes.backend_pid
            WHERE nodes.node = ? AND activity.backend_start <= nodes.started_at AND activity.pid != pg_backend_pid()
            """, [.text(node)])
    }

    private static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
