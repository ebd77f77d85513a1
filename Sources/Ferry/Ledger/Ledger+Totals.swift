extension Ledger {
    /// One template's inputs in one state, with their rows: the status page's per-template counts.
    public struct Totals: Sendable, Equatable {
        public var template: String?
        public var state: State
        public var files: Int
        public var rowsRead: Int
        public var rowsWritten: Int
        public var rowsRejected: Int
        /// When the newest of them finished.
        public var lastFinishedAt: String?
    }

    /// Every template's inputs counted by state, in one query.
    public func totalsByTemplate() throws -> [Totals] {
        try withDatabase { database in
            try database.query("""
                SELECT template, state, count(*), sum(rows_read), sum(rows_written), sum(rows_rejected), max(finished_at)
                FROM inputs GROUP BY template, state ORDER BY template, state
                """).map { row in
                Totals(template: row[0].text, state: State(rawValue: row[1].text ?? "") ?? .claimed, files: Int(row[2].integer ?? 0),
                       rowsRead: Int(row[3].integer ?? 0), rowsWritten: Int(row[4].integer ?? 0), rowsRejected: Int(row[5].integer ?? 0),
                       lastFinishedAt: row[6].text)
            }
        }
    }
}
