import Foundation
import Synchronization

/// The keys Ferry learned from the inputs it delivered (accountid -> account number when an accounts
/// export went to F&O), kept in the ledger's database in a table of their own so that later exports
/// carrying GUIDs or display names can be resolved. Separate from `Ledger`: its own connection, its
/// own table, a small API.
public final class LearnedKeys: KeyResolver, Sendable {
    private let database: Mutex<(any SQLConnection)?>

    /// Opens the store in the ledger's database; `create: false` (dry runs) reads only, and a
    /// workspace without a ledger simply knows nothing.
    public init(ledgerPath: String, create: Bool = true) throws {
        guard create || FileManager.default.fileExists(atPath: ledgerPath) else {
            database = Mutex(nil)
            return
        }
        let database = try SQLiteDatabase(path: ledgerPath)
        if create {
            try database.execute("""
                CREATE TABLE IF NOT EXISTS learned_keys (
                    reference TEXT NOT NULL,
                    value TEXT NOT NULL,
                    key TEXT,
                    is_name INTEGER NOT NULL,
                    input_id INTEGER,
                    learned_at TEXT NOT NULL,
                    PRIMARY KEY (reference, value)
                ) WITHOUT ROWID;
                """)
        }
        self.database = Mutex(database)
    }

    public convenience init(ledger: Ledger) throws {
        if let url = ledger.postgresURL {
            try self.init(connection: PostgreSQLConnection(url: url))
        } else {
            try self.init(ledgerPath: ledger.path)
        }
    }

    /// The keys a workspace's ledger learned, for commands that only read (`preview`, `run --dry-run`): the shared
    /// ledger's when ferry.yaml names one (a server that cannot be reached is an error, not an empty store), else
    /// the SQLite ledger's, empty when there is none yet.
    public static func reading(workspaceRoot root: String) throws -> LearnedKeys? {
        guard let url = (try? WorkspaceConfig.load(root: root))?.ledger else {
            return try? LearnedKeys(ledgerPath: root + "/.ferry/ledger.sqlite3", create: false)
        }
        do {
            return LearnedKeys(connection: try PostgreSQLConnection(url: url))
        } catch let error as PostgreSQLError {
            throw LedgerError.unreachable(url: PostgreSQLConnection.redacted(url), message: error.message)
        }
    }

    /// The store in a shared PostgreSQL ledger, whose schema has its table (`PostgreSQLSchema`).
    init(connection: sending any SQLConnection) {
        database = Mutex(connection)
    }

    /// Remembers keys in one transaction of this store's own connection (tests, tools). A delivery's keys
    /// go in with its plan instead (`write(_:into:input:at:)`).
    public func record(_ batch: LearnedKeyBatch, input: Int64?, at time: UTCDateTime) throws {
        guard !batch.isEmpty else { return }
        try database.withLock { database in
            guard let database else { return }
            try database.transaction(durable: false) {
                for (reference, values) in batch.entries {
                    for (value, entry) in values {
                        try database.query(Self.upsert, [.text(reference), .text(value), .init(entry.key), .integer(entry.isName ? 1 : 0),
                                                         input.map { .integer($0) } ?? .null, .text(time.iso8601)])
                    }
                }
            }
        }
    }

    /// Writes an input's staged keys into the ledger's database through `database`, inside the caller's
    /// transaction (the delivery plan's), in key order. An id learned again takes the newer key; a name
    /// learned with a different key becomes ambiguous.
    static func write(_ staged: StagedLearnedKeys, into connection: any SQLConnection, input: Int64?, at time: UTCDateTime) throws {
        guard !staged.isEmpty else { return }
        guard let database = connection as? SQLiteDatabase else {
            try staged.forEachEntry { entry in
                let key = entry.key.map { String(decoding: $0, as: UTF8.self) }
                try connection.query(Self.upsert, [.text(String(decoding: entry.reference, as: UTF8.self)),
                                              .text(String(decoding: entry.value, as: UTF8.self)), .init(key),
                                              .integer(entry.isName ? 1 : 0), input.map { .integer($0) } ?? .null, .text(time.iso8601)])
            }
            return
        }
        let upsert = try SQLiteStatement(upsert, in: database)
        // Bindings outlive each run (reset keeps them): the input and the time are bound once.
        if let input { try upsert.bind(input, at: 5) } else { try upsert.bind(nil, at: 5) }
        try upsert.bind(time.iso8601, at: 6)
        try staged.forEachEntry { entry in
            try upsert.bind(text: entry.reference, at: 1)
            try upsert.bind(text: entry.value, at: 2)
            try upsert.bind(text: entry.key, at: 3)
            try upsert.bind(entry.isName ? 1 : 0, at: 4)
            try upsert.run()
        }
    }

    private static let upsert = """
        INSERT INTO learned_keys (reference, value, key, is_name, input_id, learned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (reference, value) DO UPDATE SET
            key = CASE WHEN excluded.is_name = 1 AND learned_keys.key IS DISTINCT FROM excluded.key THEN NULL ELSE excluded.key END,
            is_name = excluded.is_name, input_id = excluded.input_id, learned_at = excluded.learned_at
        """

    public func resolve(_ value: String, in reference: String) -> KeyResolution {
        database.withLock { database in
            guard let database,
                  let row = try? database.query("SELECT key FROM learned_keys WHERE reference = ? AND value = ?",
                                                [.text(reference), .text(value)]).first else { return .missing }
            return row[0].text.map(KeyResolution.found) ?? .ambiguous
        }
    }

    /// How many values the store knows for a reference (for messages and `ferry status`).
    public func count(in reference: String) -> Int {
        database.withLock { database in
            guard let database, let row = try? database.query("SELECT count(*) FROM learned_keys WHERE reference = ?", [.text(reference)]).first
            else { return 0 }
            return Int(row[0].integer ?? 0)
        }
    }
}
