extension Ledger {
    /// Whether `ferry run` takes its deliveries through this ledger in batches (`DeliveryBatch`): on SQLite, which
    /// one process writes. A shared ledger plans input by input, under the digest locks the other nodes wait on.
    public var batchesDeliveries: Bool { postgresURL == nil }

    /// Runs `body` with every write of this ledger in one transaction: committed when `body` returns, durably
    /// (one sync for all of it) when `durable`; rolled back when it throws. `plan` inside runs in a savepoint of it.
    /// Only for a ledger that `batchesDeliveries`, written by this thread alone meanwhile (`ferry run`).
    func inOneTransaction<T>(durable: Bool, _ body: () throws -> T) throws -> T {
        precondition(batchesDeliveries, "one transaction across calls only on a ledger of one process")
        try withDatabase { try $0.execute(durable ? "PRAGMA synchronous = FULL; BEGIN IMMEDIATE" : "BEGIN IMMEDIATE") }
        defer { if durable { _ = try? withDatabase { try $0.execute("PRAGMA synchronous = NORMAL") } } }
        do {
            let result = try body()
            try withDatabase { try $0.execute("COMMIT") }
            return result
        } catch {
            _ = try? withDatabase { try $0.execute("ROLLBACK") }
            throw error
        }
    }
}

extension Ledger {
    /// Records that a claimed entry's outputs are complete in staging and wait for its batch's plan (`DeliveryBatch`).
    /// Not synced, like the claim: after a power cut the entry is claimed again, which recovery treats the same.
    func markPrepared(_ id: Int64) throws {
        try withDatabase { database in
            _ = try database.query("UPDATE inputs SET state = ? WHERE id = ? AND state = ?",
                                   [.text(State.prepared.rawValue), .integer(id), .text(State.claimed.rawValue)])
        }
    }
}
