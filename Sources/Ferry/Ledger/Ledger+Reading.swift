extension Ledger {
    /// The entry that delivered (or is delivering) this content, if any, other than entry `id`.
    public func delivered(digest: String, except id: Int64 = 0) throws -> Entry? {
        try entries(where: "digest = ? AND state IN ('done', 'delivering') AND id != ?", [.text(digest), .integer(id)], limit: 1).first
    }

    /// How often processing this file (by name and size) was cut short since it last ended otherwise
    /// (delivered, failed, quarantined, put back, or put back by `ferry retry`): by Ferry's own crashes, and by stops from outside.
    public func interruptions(name: String, size: Int64) throws -> Interruptions {
        try withDatabase { database in
            let rows = try database.query("""
                SELECT state, count(*) FROM inputs WHERE name = ? AND size = ? AND state IN ('crashed', 'interrupted') AND id > COALESCE(
                    (SELECT max(id) FROM inputs WHERE name = ? AND size = ? AND state IN ('done', 'failed', 'duplicate', 'returned', 'retried')), 0)
                GROUP BY state
                """, [.text(name), .integer(size), .text(name), .integer(size)])
            var counts = Interruptions()
            for row in rows {
                if row[0].text == State.crashed.rawValue { counts.crashes = Int(row[1].integer ?? 0) } else { counts.stops = Int(row[1].integer ?? 0) }
            }
            return counts
        }
    }

    /// Entries whose processing did not end (a crash): claimed, prepared, delivering or failing; on a shared ledger, this node's.
    public func unfinished() throws -> [(entry: Entry, moves: [Move])] {
        let open = try entries(where: "state IN ('claimed', 'prepared', 'delivering', 'failing')" + (node == nil ? "" : " AND node = ?"),
                               node.map { [.text($0)] } ?? [], limit: 100_000, newestFirst: false)
        return try open.map { entry in (entry, try moves(of: entry.id)) }
    }

    /// Every source path a pending plan still needs (staging files must not be cleaned away).
    public func pendingSources() throws -> Set<String> {
        try withDatabase { database in
            let rows = try database.query("""
                SELECT source FROM moves JOIN inputs ON inputs.id = moves.input_id
                WHERE inputs.state IN ('delivering', 'failing') AND moves.state != 'done'
                """)
            return Set(rows.compactMap { $0.first?.text.map(paths.resolved) })
        }
    }

    public func moves(of id: Int64) throws -> [Move] {
        try withDatabase { database in
            try database.query("SELECT source, destination, kind, state FROM moves WHERE input_id = ? ORDER BY sequence", [.integer(id)]).map {
                Move(source: paths.resolved($0[0].text ?? ""), destination: paths.resolved($0[1].text ?? ""),
                     kind: Move.Kind(rawValue: $0[2].text ?? "") ?? .input, state: Move.State(rawValue: $0[3].text ?? "") ?? .planned)
            }
        }
    }

    /// The most recent entries, newest first.
    public func history(limit: Int, name: String? = nil) throws -> [Entry] {
        if let name { return try entries(where: "name = ?", [.text(name)], limit: limit) }
        return try entries(where: "1 = 1", [], limit: limit)
    }

    public func entry(_ id: Int64) throws -> Entry? {
        try entries(where: "id = ?", [.integer(id)], limit: 1).first
    }

    public func sighting(name: String) throws -> (size: Int64, modified: Double, firstSeen: Double)? {
        try withDatabase { database in
            guard let row = try database.query("SELECT size, modified, first_seen FROM sightings WHERE name = ?", [.text(name)]).first else {
                return nil
            }
            return (row[0].integer ?? 0, row[1].real ?? 0, row[2].real ?? 0)
        }
    }

    private func entries(where condition: String, _ parameters: [SQLValue], limit: Int, newestFirst: Bool = true) throws -> [Entry] {
        try withDatabase { database in
            try database.query("""
                SELECT id, name, size, digest, template, template_hash, state, rows_read, rows_written, rows_filtered,
                       rows_rejected, outputs, input_now_at, error, claimed_at, finished_at, seconds
                FROM inputs WHERE \(condition) ORDER BY id \(newestFirst ? "DESC" : "ASC") LIMIT \(limit)
                """, parameters).map(entry)
        }
    }

    private func entry(_ row: [SQLValue]) -> Entry {
        var entry = Entry(id: row[0].integer ?? 0, name: row[1].text ?? "", size: row[2].integer ?? 0, digest: row[3].text ?? "",
                          template: row[4].text, templateHash: row[5].text, state: State(rawValue: row[6].text ?? "") ?? .claimed,
                          claimedAt: row[14].text ?? "")
        entry.rowsRead = Int(row[7].integer ?? 0)
        entry.rowsWritten = Int(row[8].integer ?? 0)
        entry.rowsFiltered = Int(row[9].integer ?? 0)
        entry.rowsRejected = Int(row[10].integer ?? 0)
        entry.outputs = (row[11].text ?? "").split(separator: "\n").map { paths.resolved(String($0)) }
        entry.inputNowAt = row[12].text.map(paths.resolved)
        entry.error = row[13].text
        entry.finishedAt = row[15].text
        entry.seconds = row[16].real
        return entry
    }
}
