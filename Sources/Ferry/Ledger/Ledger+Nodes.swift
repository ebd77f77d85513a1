/// Several nodes on one inbox through the shared (PostgreSQL) ledger: claims on inbox names taken before the
/// rename, the digest lock that makes the duplicate check global, and what the nodes table says about each node.
/// On a ledger of one process (SQLite, or no node) claims always succeed and the lock is the process's own.
extension Ledger {
    /// Takes the claim on an inbox name for this node: a row inserted in a transaction of its own before the file
    /// is renamed into the node's work area. False when another node holds it (the file is that node's).
    public func takeClaim(name: String) throws -> Bool {
        guard let node else { return true }
        return try withDatabase { database in
            try !database.query("INSERT INTO claims (name, node) VALUES (?, ?) ON CONFLICT (name) DO NOTHING RETURNING name",
                                [.text(name), .text(node)]).isEmpty
        }
    }

    /// Gives up this node's claims on these names: their files left the inbox for good, or went back into it.
    public func releaseClaims(_ names: [String]) throws {
        guard let node else { return }
        try withDatabase { database in
            for name in names { try database.query("DELETE FROM claims WHERE name = ? AND node = ?", [.text(name), .text(node)]) }
        }
    }

    /// Drops every claim of this node, once its recovery has put what its work area held back into the inbox.
    public func releaseAllClaims() throws {
        guard let node else { return }
        try withDatabase { database in try database.query("DELETE FROM claims WHERE node = ?", [.text(node)]) }
    }

    /// Runs `body` while no other node checks or plans a delivery of the same content (a session advisory lock on
    /// the digest): of two identical files on two nodes, one is delivered and the other is its duplicate.
    func exclusively<T>(digest: String, _ body: () throws -> T) throws -> T {
        guard node != nil else { return try body() }
        let key = SQLValue.text("ferry-digest:" + digest)
        _ = try withDatabase { try $0.query("SELECT pg_advisory_lock(hashtextextended(?, 0))", [key]) }
        defer { _ = try? withDatabase { try $0.query("SELECT pg_advisory_unlock(hashtextextended(?, 0))", [key]) } }
        return try body()
    }

    /// A node as the shared ledger knows it (`ferry status`).
    public struct NodeStatus: Sendable, Equatable {
        public var node: String
        public var host: String
        public var pid: Int64
        /// `running`, `stopped`, or `recovered` (another node took its files back after its lease expired).
        public var state: String
        public var startedAt: String
        public var secondsSinceHeartbeat: Double
        public var leaseSeconds: Double
        public var recoveredBy: String?
        /// Entries it holds: claimed, or with a delivery or failure plan under way.
        public var inHand: Int
        /// Running by its row, but silent for longer than its lease: dead, until a node recovers it.
        public var leaseExpired: Bool { state == "running" && secondsSinceHeartbeat > leaseSeconds }
    }

    /// Every node that ever joined this ledger; empty on a ledger of one process.
    public func nodes() throws -> [NodeStatus] {
        guard postgresURL != nil else { return [] }
        return try withDatabase { database in
            try database.query("""
                SELECT node, host, pid, state, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       EXTRACT(EPOCH FROM now() - heartbeat_at)::float8, lease_seconds, recovered_by,
                       (SELECT count(*) FROM inputs WHERE inputs.node = nodes.node AND inputs.state IN ('claimed', 'delivering', 'failing'))
                FROM nodes ORDER BY node
                """).map { row in
                NodeStatus(node: row[0].text ?? "", host: row[1].text ?? "", pid: row[2].integer ?? 0, state: row[3].text ?? "",
                           startedAt: row[4].text ?? "", secondsSinceHeartbeat: row[5].real ?? 0, leaseSeconds: row[6].real ?? 0,
                           recoveredBy: row[7].text, inHand: Int(row[8].integer ?? 0))
            }
        }
    }
}
