import Foundation
import Synchronization

/// The workspace's record of every input (SQLite, `.ferry/ledger.sqlite3`, WAL): what arrived, its content
/// digest, which template took it, what became of it, and — before any file is moved — the moves
/// that will finish it, each with how far it got, so a crash at any point can be completed or rolled
/// back on the next start. Paths are stored relative to the workspace (`WorkspacePaths`).
///
/// An input's states: `claimed` (-> `prepared` in a batch) -> `delivering` -> `done` (or `duplicate`), `claimed` -> `failing` -> `failed`,
/// `claimed` -> `returned` (a fault outside it), and `interrupted` or `crashed` when recovery finds it claimed
/// after Ferry was stopped from outside or crashed.
public final class Ledger: Sendable {
    /// Where an input is in its life. Final states: done, failed, duplicate, returned, interrupted, crashed.
    public enum State: String, Sendable {
        /// Taken from the inbox; being processed. Nothing is visible yet.
        case claimed
        /// Processed: its outputs are complete in staging and wait, with the other units of a `ferry run` batch, for
        /// their delivery plan. Nothing is visible yet.
        case prepared
        /// Outputs complete in staging; the planned moves into outbox/ and archive/ are under way.
        case delivering
        /// Planned moves into failed/ are under way.
        case failing
        case done
        case failed
        /// Same content as an input already delivered; archived without new outputs.
        case duplicate
        /// Put back into the inbox after a fault outside the file (disk full, permissions), or because
        /// its staged outputs vanished before delivery.
        case returned
        /// Put back into the inbox by recovery: Ferry was stopped from outside (killed, the OOM killer, a
        /// power cut) while it was being processed.
        case interrupted
        /// Put back into the inbox from failed/ by `ferry retry` (an entry of its own; the crash count starts over).
        case retried
        /// Put back into the inbox by recovery: Ferry crashed (a fault of its own) while it was being processed.
        case crashed
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

    /// How often processing a file was cut short: by Ferry's own crashes, and by stops from outside.
    public struct Interruptions: Sendable, Equatable {
        public var crashes = 0
        public var stops = 0
        public var total: Int { crashes + stops }

        /// Content is set aside after `maxCrashes` crashes of Ferry on it, which point at the content, or after
        /// three times as many interruptions of any kind (stops from outside alone point at the machine; only a
        /// file the machine can never finish, such as one the OOM killer stops each time, gets that far).
        public func quarantine(maxCrashes: Int) -> Bool {
            let (anyKind, overflow) = maxCrashes.multipliedReportingOverflow(by: 3)
            return crashes >= maxCrashes || total >= (overflow ? Int.max : anyKind)
        }

        /// "Ferry crashed 3 times while processing it and was stopped from outside once (...)".
        public var description: String {
            func times(_ count: Int) -> String { count == 1 ? "once" : count == 2 ? "twice" : "\(count) times" }
            var parts: [String] = []
            if crashes > 0 { parts.append("Ferry crashed \(times(crashes)) while processing it") }
            if stops > 0 { parts.append("Ferry was stopped from outside \(times(stops)) (killed, the OOM killer, a shutdown or power cut)") }
            return parts.joined(separator: ", and ")
        }
    }

    /// A rename that finishes an input: staging -> outbox/reports/failed, work -> archive/failed.
    public struct Move: Sendable, Equatable {
        public typealias Kind = MoveKind
        /// How far a move got. Recovery makes `planned` and `moving` moves and skips `done` ones, so a
        /// package an importer already took from outbox/ is never delivered again.
        public enum State: String, Sendable {
            case planned
            /// About to be renamed, or renamed before the ledger heard of it: a source that is gone was moved.
            case moving
            case done
        }

        public var source: String
        public var destination: String
        public var kind: Kind
        public var state: State

        public init(source: String, destination: String, kind: Kind, state: State = .planned) {
            self.source = source
            self.destination = destination
            self.kind = kind
            self.state = state
        }
    }

    let database: Mutex<any SQLConnection>
    let paths: WorkspacePaths
    /// The SQLite file (`.ferry/ledger.sqlite3`), or the PostgreSQL URL without its password.
    public let path: String
    /// The PostgreSQL URL when the ledger is shared (`ledger: postgres://...` in ferry.yaml); nil for SQLite.
    public let postgresURL: String?
    /// The node whose entries this ledger claims, recovers and completes (`Workspace.node`), when it is shared.
    public let node: String?

    /// Opens the workspace's ledger. A missing or empty one is made only in a workspace that shows no
    /// past (`WorkspaceHistory`), or when `createAnyway` says the operator wants it (`ferry ledger rebuild`).
    /// With `ledger: postgres://...` in the workspace's ferry.yaml, opens that shared ledger instead.
    public init(workspace: Workspace, createAnyway: Bool = false) throws {
        paths = WorkspacePaths(root: workspace.root)
        if let url = try WorkspaceConfig.load(root: workspace.root).ledger {
            path = PostgreSQLConnection.redacted(url)
            postgresURL = url
            node = workspace.node
            database = Mutex(try Self.openPostgreSQL(url, workspace: workspace, createAnyway: createAnyway))
            return
        }
        path = workspace.root + "/.ferry/ledger.sqlite3"
        postgresURL = nil
        node = nil
        try Workspace.makeFolder(workspace.root + "/.ferry")
        let existed = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 0
        let path = path
        func refuseIfUsed() throws {
            let evidence = WorkspaceHistory.evidence(in: workspace)
            if !createAnyway && !evidence.isEmpty { throw LedgerError.missing(path: path, evidence: evidence) }
        }
        if !existed {
            try refuseIfUsed()
            // Left by a ledger that is gone: SQLite would replay them into the new one.
            for suffix in ["-wal", "-shm"] { unlinkQuietly(path + suffix) }
        }
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            if existed, try !LedgerSchema.hasTables(database) { try refuseIfUsed() }
            try LedgerSchema.prepare(database, paths: paths)
            self.database = Mutex(database)
        } catch let error as SQLiteError {
            throw LedgerError(error, path: path)
        }
    }

    /// Whether the workspace has a ledger to read: a shared one named in ferry.yaml, or the SQLite file.
    public static func exists(in workspace: Workspace) -> Bool {
        (try? WorkspaceConfig.load(root: workspace.root).ledger) != nil
            || FileManager.default.fileExists(atPath: workspace.root + "/.ferry/ledger.sqlite3")
    }

    /// The shared ledger on a PostgreSQL server, its tables created or migrated (`PostgreSQLSchema`). Its paths
    /// are relative to the workspace, which every node mounts at the same place.
    /// A database without Ferry's tables in a workspace that shows a past is refused as a missing SQLite ledger is.
    private static func openPostgreSQL(_ url: String, workspace: Workspace, createAnyway: Bool) throws -> PostgreSQLConnection {
        do {
            let connection = try PostgreSQLConnection(url: url)
            if !createAnyway, try !PostgreSQLSchema.hasTables(connection) {
                let evidence = WorkspaceHistory.evidence(in: workspace)
                if !evidence.isEmpty { throw LedgerError.missing(path: PostgreSQLConnection.redacted(url), evidence: evidence) }
            }
            try PostgreSQLSchema.prepare(connection)
            return connection
        } catch let error as PostgreSQLError {
            throw LedgerError.unreachable(url: PostgreSQLConnection.redacted(url), message: error.message)
        }
    }

    /// Runs `body` on the connection, one caller at a time; a fault of the database becomes a `LedgerError`.
    func withDatabase<T: Sendable>(_ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            return try database.withLock { database throws -> T in try body(database) }
        } catch let error as SQLiteError {
            throw LedgerError(error, path: path)
        } catch let error as PostgreSQLError {
            throw LedgerError.unreachable(url: path, message: error.message)
        }
    }

    // MARK: Writing

    /// Records a newly claimed input; returns its entry id.
    public func claim(name: String, size: Int64, digest: String, template: TemplateIdentity?, at time: UTCDateTime) throws -> Int64 {
        try withDatabase { database in
            var columns = "name, size, digest, template, template_hash, state, claimed_at"
            var values: [SQLValue] = [.text(name), .integer(size), .text(digest), .init(template?.name), .init(template?.contentHash),
                                      .text("claimed"), .text(time.iso8601)]
            if let node {
                columns += ", node"
                values.append(.text(node))
            }
            let inserted = try database.query("""
                INSERT INTO inputs (\(columns)) VALUES (\(values.map { _ in "?" }.joined(separator: ", "))) RETURNING id
                """, values)
            guard let id = inserted.first?.first?.integer else { throw LedgerError.noRowID(name: name) }
            return id
        }
    }

    /// Records the moves that will finish an input and its new state, in one transaction that is on
    /// disk before the call returns: the one write recovery depends on. (Other writes are synced with the
    /// next plan; losing one to a power cut only loses history that recovery rebuilds.)
    public func plan(_ id: Int64, state: State, moves: [Move], report: FileReport? = nil, digest: String? = nil) throws {
        try plan(id, state: state, moves: moves, report: report, digest: digest, alongside: nil)
    }

    /// `plan`, with `alongside` writing more rows in the same transaction (the keys a delivered input
    /// taught), so they are recorded exactly when the plan is, or not at all.
    func plan(_ id: Int64, state: State, moves: [Move], report: FileReport? = nil, digest: String? = nil,
              alongside: ((any SQLConnection) throws -> Void)?) throws {
        try withDatabase { database in
            try database.transaction(durable: true) {
                if let digest { try database.query("UPDATE inputs SET digest = ? WHERE id = ?", [.text(digest), .integer(id)]) }
                try database.query("DELETE FROM moves WHERE input_id = ?", [.integer(id)])
                for (sequence, move) in moves.enumerated() {
                    try database.query("INSERT INTO moves (input_id, sequence, source, destination, kind, state) VALUES (?, ?, ?, ?, ?, ?)",
                                       [.integer(id), .init(sequence), .text(paths.stored(move.source)), .text(paths.stored(move.destination)),
                                        .text(move.kind.rawValue), .text(move.state.rawValue)])
                }
                try database.query("UPDATE inputs SET state = ? WHERE id = ?", [.text(state.rawValue), .integer(id)])
                if let report { try store(report, id: id, in: database) }
                try alongside?(database)
            }
        }
    }

    /// Records how far move `sequence` of entry `id`'s plan got (and its destination, when the planned
    /// name was taken meanwhile). Not synced: it has to survive a killed process, which it does once
    /// SQLite has written it; after a power cut recovery falls back to what it finds on disk.
    public func mark(_ id: Int64, move sequence: Int, _ state: Move.State, destination: String? = nil) throws {
        try withDatabase { database in
            _ = try database.query("UPDATE moves SET state = ?, destination = COALESCE(?, destination) WHERE input_id = ? AND sequence = ?",
                               [.text(state.rawValue), .init(destination.map(paths.stored)), .integer(id), .init(sequence)])
        }
    }

    /// Records how an input ended.
    public func finish(_ id: Int64, state: State, report: FileReport, at time: UTCDateTime) throws {
        try withDatabase { database in
            try store(report, id: id, in: database)
            try database.query("UPDATE inputs SET state = ?, finished_at = ? WHERE id = ?",
                               [.text(state.rawValue), .text(time.iso8601), .integer(id)])
        }
    }

    private func store(_ report: FileReport, id: Int64, in database: any SQLConnection) throws {
        try database.query("""
            UPDATE inputs SET template = COALESCE(?, template), rows_read = ?, rows_written = ?, rows_filtered = ?,
                rows_rejected = ?, outputs = ?, input_now_at = ?, error = ?, seconds = ? WHERE id = ?
            """, [.init(report.template), .init(report.rowsRead), .init(report.rowsWritten), .init(report.rowsFiltered),
                  .init(report.rowsRejected), .text(report.outputs.map(paths.stored).joined(separator: "\n")),
                  .init(report.inputNowAt.map(paths.stored)), .init(report.error), .real(report.seconds), .integer(id)])
    }

    /// The watcher's record of when it first saw a file at its current size (for `ferry explain`).
    public func sighted(name: String, size: Int64, modified: Double, firstSeen: Double) throws {
        try withDatabase { database in
            _ = try database.query("""
                INSERT INTO sightings (name, size, modified, first_seen) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET size = excluded.size, modified = excluded.modified, first_seen = excluded.first_seen
                """, [.text(name), .integer(size), .real(modified), .real(firstSeen)])
        }
    }

    public func forgetSighting(name: String) throws {
        try withDatabase { database in _ = try database.query("DELETE FROM sightings WHERE name = ?", [.text(name)]) }
    }
}
