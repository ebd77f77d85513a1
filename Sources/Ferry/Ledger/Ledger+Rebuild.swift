extension Ledger {
    /// An input `ferry ledger rebuild` found in archive/ or failed/.
    struct FoundInput {
        var name: String
        var size: Int64
        var digest: String
        var state: State
        var path: String
        var outputs: [String]
        var note: String
        var time: UTCDateTime
    }

    /// Records found inputs as finished entries, in one transaction.
    func record(found inputs: [FoundInput]) throws {
        try withDatabase { database in
            try database.transaction(durable: false) {
                for input in inputs {
                    try database.query("""
                        INSERT INTO inputs (name, size, digest, state, outputs, input_now_at, error, claimed_at, finished_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [.text(input.name), .integer(input.size), .text(input.digest), .text(input.state.rawValue),
                              .text(input.outputs.map(paths.stored).joined(separator: "\n")), .text(paths.stored(input.path)),
                              .text(input.note), .text(input.time.iso8601), .text(input.time.iso8601)])
                }
            }
        }
    }

    /// How many entries the ledger holds.
    func count() throws -> Int {
        try withDatabase { database in Int(try database.query("SELECT count(*) FROM inputs").first?.first?.integer ?? 0) }
    }
}
