extension Ledger {
    /// One SFTP push or pull as the ledger holds it. Push states: `uploading` (the `.part` may be partial) ->
    /// `uploaded` (the `.part` is complete; the rename may or may not have happened) -> `delivered`. Pull states:
    /// `fetched` (the local copy is complete and synced at `localPath`) -> `inboxed` (it is in the inbox; the
    /// remote file may still be there) -> `done`.
    public struct Transfer: Sendable, Equatable {
        public enum State: String, Sendable {
            case uploading, uploaded, delivered
            case fetched, inboxed, done
        }

        public var id: Int64
        public var exchange: String
        /// Push: the package's name in outbox/. Pull: the local copy, first in `.ferry/pulling/`, then in inbox/.
        public var localPath: String
        public var remotePath: String
        public var size: Int64
        /// Pull: the remote file's modification time (seconds since 1970), to recognise it.
        public var modified: Int64
        public var state: State
        public var attempts: Int
        public var error: String?
        public var finishedAt: String?
    }

    /// The push of `package` through `exchange`, if one was ever begun.
    public func push(exchange: String, package: String) throws -> Transfer? {
        try transfers(where: "direction = 'push' AND exchange = ? AND local_path = ?", [.text(exchange), .text(package)]).first
    }

    /// Pulls of `exchange` that were begun and not finished: the ones a crash interrupted.
    public func unfinishedPulls(exchange: String) throws -> [Transfer] {
        try transfers(where: "direction = 'pull' AND exchange = ? AND state != 'done'", [.text(exchange)]).map { pull in
            var resolved = pull
            resolved.localPath = paths.resolved(pull.localPath)
            return resolved
        }
    }

    /// Records that the package is about to be uploaded (again): its `.part` on the server may be partial from now on.
    /// Returns the transfer's id.
    public func beginPush(exchange: String, package: String, remotePath: String, size: Int64, at time: UTCDateTime) throws -> Int64 {
        try durably { database in
            let inserted = try database.query("""
                INSERT INTO transfers (direction, exchange, local_path, remote_path, size, state, attempts, started_at)
                VALUES ('push', ?, ?, ?, ?, 'uploading', 1, ?)
                ON CONFLICT (exchange, local_path) WHERE direction = 'push'
                DO UPDATE SET state = 'uploading', remote_path = excluded.remote_path, size = excluded.size, attempts = transfers.attempts + 1
                RETURNING id
                """, [.text(exchange), .text(package), .text(remotePath), .integer(size), .text(time.iso8601)])
            guard let id = inserted.first?.first?.integer else { throw LedgerError.noRowID(name: package) }
            return id
        }
    }

    /// Records that a pull's local copy is complete and synced at `localPath`, before it is renamed into the inbox.
    public func beginPull(exchange: String, localPath: String, remotePath: String, size: Int64, modified: Int64,
                          at time: UTCDateTime) throws -> Int64 {
        try durably { database in
            let inserted = try database.query("""
                INSERT INTO transfers (direction, exchange, local_path, remote_path, size, modified, state, attempts, started_at)
                VALUES ('pull', ?, ?, ?, ?, ?, 'fetched', 1, ?) RETURNING id
                """, [.text(exchange), .text(paths.stored(localPath)), .text(remotePath), .integer(size), .integer(modified), .text(time.iso8601)])
            guard let id = inserted.first?.first?.integer else { throw LedgerError.noRowID(name: remotePath) }
            return id
        }
    }

    /// Moves a transfer on; `localPath` replaces the stored one (a pull's name in the inbox), `error` notes a retry's cause.
    public func mark(transfer id: Int64, _ state: Transfer.State, localPath: String? = nil, error: String? = nil, at time: UTCDateTime) throws {
        let finished = state == .delivered || state == .done
        try durably { database in
            _ = try database.query("""
                UPDATE transfers SET state = ?, local_path = COALESCE(?, local_path), error = ?, finished_at = ? WHERE id = ?
                """, [.text(state.rawValue), .init(localPath.map(paths.stored)), .init(error), .init(finished ? time.iso8601 : nil), .integer(id)])
        }
    }

    /// Transfer records are what recovery acts on, so each one is on disk before the next file operation.
    private func durably<T: Sendable>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withDatabase { database in try database.transaction(durable: true) { try body(database) } }
    }

    private static let transferColumns = "id, exchange, local_path, remote_path, size, modified, state, attempts, error, finished_at"

    private func transfers(where condition: String, _ parameters: [SQLValue]) throws -> [Transfer] {
        try withDatabase { database in
            try database.query("SELECT \(Self.transferColumns) FROM transfers WHERE \(condition) ORDER BY id", parameters).map(Self.transfer)
        }
    }

    private static func transfer(_ row: [SQLValue]) -> Transfer {
        Transfer(id: row[0].integer ?? 0, exchange: row[1].text ?? "", localPath: row[2].text ?? "", remotePath: row[3].text ?? "",
                 size: row[4].integer ?? 0, modified: row[5].integer ?? 0, state: Transfer.State(rawValue: row[6].text ?? "") ?? .uploading,
                 attempts: Int(row[7].integer ?? 0), error: row[8].text, finishedAt: row[9].text)
    }
}
