import Foundation
import Synchronization

/// The workspace's record of every input (SQLite, `.ferry/ledger.sqlite3`, WAL): what arrived, its content
/// digest, which template took it, what became of it, and — before any file is moved — the moves
/// that will finish it, so a crash at any point can be completed or rolled back on the next start.
public final class Ledger: Sendable {
    /// Where an input is in its life. Final states: done, failed, duplicate, returned, interrupted.
    public enum State: String, Sendable {
        /// Taken from the inbox; being processed. Nothing is visible yet.
        case claimed
        /// Outputs complete in staging; the planned moves into outbox/ and archive/ are under way.
        case delivering
        /// Planned moves into failed/ are under way.
        case failing
        case done
        case failed
        /// Same content as an input already delivered; archived without new outputs.
        case duplicate
        /// Put back into the inbox after a fault outside the file (disk full, permissions).
        case returned
        /// Put back into the inbox by recovery after a crash while it was being processed.
        case interrupted
    }

    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var size: Int64
        public var digest: String
        public var template: String?
        public var templateHash: String?
        public var state: State
        public var rowsRead = 0, rowsWritten = 0, rowsFiltered = 0, rowsRejected = 0
        public var outputs: [String] = []
        public var inputNowAt: String?
        public var error: String?
        public var claimedAt: String
        public var finishedAt: String?
        public var seconds: Double?
    }

    /// A rename that finishes an input: staging -> outbox/reports/failed, work -> archive/failed.
    public struct Move: Sendable, Equatable {
        public enum Kind: String, Sendable { case package, report, input, note }
        public var source: String
        public var destination: String
        public var kind: Kind
    }

    private let database: Mutex<SQLiteDatabase>
    public let path: String

    public init(workspace: Workspace) throws {
        path = workspace.root + "/.ferry/ledger.sqlite3"
        try Workspace.makeFolder(workspace.root + "/.ferry")
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS inputs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                size INTEGER NOT NULL,
                digest TEXT NOT NULL,
                template TEXT,
                template_hash TEXT,
                state TEXT NOT NULL,
                rows_read INTEGER NOT NULL DEFAULT 0,
                rows_written INTEGER NOT NULL DEFAULT 0,
                rows_filtered INTEGER NOT NULL DEFAULT 0,
                rows_rejected INTEGER NOT NULL DEFAULT 0,
                outputs TEXT NOT NULL DEFAULT '',
                input_now_at TEXT,
                error TEXT,
                claimed_at TEXT NOT NULL,
                finished_at TEXT,
                seconds REAL
            );
            CREATE INDEX IF NOT EXISTS inputs_by_digest ON inputs (digest, state);
            CREATE INDEX IF NOT EXISTS inputs_by_state ON inputs (state);
            CREATE TABLE IF NOT EXISTS moves (
                input_id INTEGER NOT NULL REFERENCES inputs (id),
                sequence INTEGER NOT NULL,
                source TEXT NOT NULL,
                destination TEXT NOT NULL,
                kind TEXT NOT NULL,
                PRIMARY KEY (input_id, sequence)
            );
            CREATE TABLE IF NOT EXISTS sightings (
                name TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                modified REAL NOT NULL,
                first_seen REAL NOT NULL
            );
            """)
        self.database = Mutex(database)
    }

    // MARK: Writing

    /// Records a newly claimed input; returns its entry id.
    public func claim(name: String, size: Int64, digest: String, template: Template?, at time: UTCDateTime) throws -> Int64 {
        try database.withLock { database in
            try database.query("""
                INSERT INTO inputs (name, size, digest, template, template_hash, state, claimed_at)
                VALUES (?, ?, ?, ?, ?, 'claimed', ?)
                """, [.text(name), .integer(size), .text(digest), .init(template?.name), .init(template?.contentHash),
                      .text(time.iso8601)])
            return database.lastInsertedRow
        }
    }

    /// Records the moves that will finish an input and its new state, in one transaction that is on
    /// disk before the call returns: the one write recovery depends on. (Other writes are synced with the
    /// next plan; losing one to a power cut only loses history that recovery rebuilds.)
    public func plan(_ id: Int64, state: State, moves: [Move], report: FileReport? = nil, digest: String? = nil) throws {
        try database.withLock { database in
            try database.execute("PRAGMA synchronous = FULL")
            defer { try? database.execute("PRAGMA synchronous = NORMAL") }
            try database.execute("BEGIN IMMEDIATE")
            do {
                if let digest { try database.query("UPDATE inputs SET digest = ? WHERE id = ?", [.text(digest), .integer(id)]) }
                try database.query("DELETE FROM moves WHERE input_id = ?", [.integer(id)])
                for (sequence, move) in moves.enumerated() {
                    try database.query("INSERT INTO moves (input_id, sequence, source, destination, kind) VALUES (?, ?, ?, ?, ?)",
                                       [.integer(id), .init(sequence), .text(move.source), .text(move.destination), .text(move.kind.rawValue)])
                }
                try database.query("UPDATE inputs SET state = ? WHERE id = ?", [.text(state.rawValue), .integer(id)])
                if let report { try Self.store(report, id: id, in: database) }
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Changes one planned destination (its name was taken meanwhile).
    public func replanDestination(_ id: Int64, source: String, destination: String) throws {
        try database.withLock { database in
            try database.query("UPDATE moves SET destination = ? WHERE input_id = ? AND source = ?",
                               [.text(destination), .integer(id), .text(source)])
        }
    }

    /// Records how an input ended.
    public func finish(_ id: Int64, state: State, report: FileReport, at time: UTCDateTime) throws {
        try database.withLock { database in
            try Self.store(report, id: id, in: database)
            try database.query("UPDATE inputs SET state = ?, finished_at = ? WHERE id = ?",
                               [.text(state.rawValue), .text(time.iso8601), .integer(id)])
        }
    }

    private static func store(_ report: FileReport, id: Int64, in database: SQLiteDatabase) throws {
        try database.query("""
            UPDATE inputs SET template = COALESCE(?, template), rows_read = ?, rows_written = ?, rows_filtered = ?,
                rows_rejected = ?, outputs = ?, input_now_at = ?, error = ?, seconds = ? WHERE id = ?
            """, [.init(report.template), .init(report.rowsRead), .init(report.rowsWritten), .init(report.rowsFiltered),
                  .init(report.rowsRejected), .text(report.outputs.joined(separator: "\n")), .init(report.inputNowAt),
                  .init(report.error), .real(report.seconds), .integer(id)])
    }

    /// The watcher's record of when it first saw a file at its current size (for `ferry explain`).
    public func sighted(name: String, size: Int64, modified: Double, firstSeen: Double) throws {
        try database.withLock { database in
            try database.query("""
                INSERT INTO sightings (name, size, modified, first_seen) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET size = excluded.size, modified = excluded.modified, first_seen = excluded.first_seen
                """, [.text(name), .integer(size), .real(modified), .real(firstSeen)])
        }
    }

    public func forgetSighting(name: String) throws {
        try database.withLock { database in _ = try database.query("DELETE FROM sightings WHERE name = ?", [.text(name)]) }
    }

    // MARK: Reading

    /// The entry that delivered (or is delivering) this content, if any, other than entry `id`.
    public func delivered(digest: String, except id: Int64 = 0) throws -> Entry? {
        try entries(where: "digest = ? AND state IN ('done', 'delivering') AND id != ?", [.text(digest), .integer(id)], limit: 1).first
    }

    /// How often this file (by name and size) was interrupted by a crash while it was processed.
    public func interruptions(name: String, size: Int64) throws -> Int {
        try entries(where: "name = ? AND size = ? AND state = 'interrupted'", [.text(name), .integer(size)], limit: 1000).count
    }

    /// Entries whose processing did not end (a crash): claimed, delivering or failing.
    public func unfinished() throws -> [(entry: Entry, moves: [Move])] {
        let open = try entries(where: "state IN ('claimed', 'delivering', 'failing')", [], limit: 100_000, newestFirst: false)
        return try open.map { entry in (entry, try moves(of: entry.id)) }
    }

    /// Every source path a pending plan still needs (staging files must not be cleaned away).
    public func pendingSources() throws -> Set<String> {
        try database.withLock { database in
            let rows = try database.query("""
                SELECT source FROM moves JOIN inputs ON inputs.id = moves.input_id WHERE inputs.state IN ('delivering', 'failing')
                """)
            return Set(rows.compactMap { $0.first?.text })
        }
    }

    public func moves(of id: Int64) throws -> [Move] {
        try database.withLock { database in
            try database.query("SELECT source, destination, kind FROM moves WHERE input_id = ? ORDER BY sequence", [.integer(id)]).map {
                Move(source: $0[0].text ?? "", destination: $0[1].text ?? "", kind: Move.Kind(rawValue: $0[2].text ?? "") ?? .input)
            }
        }
    }

    /// The most recent entries, newest first.
    public func history(limit: Int, name: String? = nil) throws -> [Entry] {
        if let name { return try entries(where: "name = ?", [.text(name)], limit: limit) }
        return try entries(where: "1 = 1", [], limit: limit)
    }

    public func sighting(name: String) throws -> (size: Int64, modified: Double, firstSeen: Double)? {
        try database.withLock { database in
            guard let row = try database.query("SELECT size, modified, first_seen FROM sightings WHERE name = ?", [.text(name)]).first else {
                return nil
            }
            return (row[0].integer ?? 0, row[1].real ?? 0, row[2].real ?? 0)
        }
    }

    private func entries(where condition: String, _ parameters: [SQLiteDatabase.Value], limit: Int, newestFirst: Bool = true) throws -> [Entry] {
        try database.withLock { database in
            try database.query("""
                SELECT id, name, size, digest, template, template_hash, state, rows_read, rows_written, rows_filtered,
                       rows_rejected, outputs, input_now_at, error, claimed_at, finished_at, seconds
                FROM inputs WHERE \(condition) ORDER BY id \(newestFirst ? "DESC" : "ASC") LIMIT \(limit)
                """, parameters).map(Self.entry)
        }
    }

    private static func entry(_ row: [SQLiteDatabase.Value]) -> Entry {
        var entry = Entry(id: row[0].integer ?? 0, name: row[1].text ?? "", size: row[2].integer ?? 0, digest: row[3].text ?? "",
                          template: row[4].text, templateHash: row[5].text, state: State(rawValue: row[6].text ?? "") ?? .claimed,
                          claimedAt: row[14].text ?? "")
        entry.rowsRead = Int(row[7].integer ?? 0)
        entry.rowsWritten = Int(row[8].integer ?? 0)
        entry.rowsFiltered = Int(row[9].integer ?? 0)
        entry.rowsRejected = Int(row[10].integer ?? 0)
        entry.outputs = (row[11].text ?? "").split(separator: "\n").map(String.init)
        entry.inputNowAt = row[12].text
        entry.error = row[13].text
        entry.finishedAt = row[15].text
        entry.seconds = row[16].real
        return entry
    }
}
