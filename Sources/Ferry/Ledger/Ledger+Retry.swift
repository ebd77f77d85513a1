extension Ledger {
    /// Records that `ferry retry` put a failed input back into the inbox (an entry of its own, state
    /// `retried`): `ferry history` shows it, and the input's crash count starts over from here.
    public func retried(name: String, size: Int64, from failed: String, to inbox: String, at time: UTCDateTime) throws {
        try withDatabase { database in
            _ = try database.query("""
                INSERT INTO inputs (name, size, digest, state, input_now_at, error, claimed_at, finished_at)
                VALUES (?, ?, '', 'retried', ?, ?, ?, ?)
                """, [.text(name), .integer(size), .text(paths.stored(inbox)), .text("put back into the inbox by ferry retry from \(paths.stored(failed))"),
                      .text(time.iso8601), .text(time.iso8601)])
        }
    }
}
