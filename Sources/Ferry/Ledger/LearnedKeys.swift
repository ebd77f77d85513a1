import Foundation
import Synchronization

/// The keys Ferry learned from the inputs it delivered (accountid -> account number when an accounts
/// export went to F&O), kept in the ledger's database in a table of their own so that later exports
/// carrying GUIDs or display names can be resolved. Separate from `Ledger`: its own connection, its
/// own table, a small API.
public final class LearnedKeys: KeyResolver, Sendable {
    /// The connection, and the lookup statement once the first `resolve` prepared it: flows whose lookups
    /// are all distinct (quote lines -> quotes) ask once per row.
    private struct Store {
        var database: any SQLConnection
        var lookup: (any SQLPreparedStatement)?
    }

    private let store: Mutex<Store?>

    /// Opens the store in the ledger's database; `create: false` (dry runs) reads only, and a
    /// workspace without a ledger simply knows nothing.
    public init(ledgerPath: String, create: Bool = true) throws {
        guard create || FileManager.default.fileExists(atPath: ledgerPath) else {
            store = Mutex(nil)
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
        store = Mutex(Store(database: database))
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
        store = Mutex(Store(database: connection))
    }

    /// Remembers keys in one transaction of this store's own connection (tests, tools). A delivery's keys
    /// go in with its plan instead (`write(_:into:input:at:)`).
    public func record(_ batch: LearnedKeyBatch, input: Int64?, at time: UTCDateTime) throws {
        guard !batch.isEmpty else { return }
        try store.withLock { store in
            guard let database = store?.database else { return }
            try database.transaction(durable: false) {
                for (reference, values) in batch.entries {
                    for (value, entry) in values {
                        try database.query(Self.upsert(rows: 1), [.text(reference), .text(value), .init(entry.key), .integer(entry.isName ? 1 : 0),
                                                         input.map { .integer($0) } ?? .null, .text(time.iso8601)])
                    }
                }
            }
        }
    }

    /// Writes an input's staged keys into the ledger's database through `connection`, inside the caller's
    /// transaction (the delivery plan's), in key order. An id learned again takes the newer key; a name
    /// learned with a different key becomes ambiguous.
    /// Keys go in `rowsPerUpsert` to a statement, prepared once per call: per key, SQLite then does only its
    /// B-tree work, and PostgreSQL gets one round trip per statement instead of one per key.
    static func write(_ staged: StagedLearnedKeys, into connection: any SQLConnection, input: Int64?, at time: UTCDateTime) throws {
        guard !staged.isEmpty else { return }
        if let database = connection as? SQLiteDatabase {
            try writeBytes(staged, into: database, input: input, at: time)
            return
        }
        let full = try connection.prepare(upsert(rows: rowsPerUpsert))
        let shared: [SQLValue] = [input.map { .integer($0) } ?? .null, .text(time.iso8601)]
        var rows: [SQLValue] = []
        rows.reserveCapacity(rowsPerUpsert * 4 + 2)
        try staged.forEachEntry { entry in
            rows += [.text(entry.referenceText), .text(entry.valueText), .init(entry.keyText), .integer(entry.isName ? 1 : 0)]
            if rows.count == rowsPerUpsert * 4 {
                try full.query(rows + shared)
                rows.removeAll(keepingCapacity: true)
            }
        }
        if !rows.isEmpty { try connection.query(upsert(rows: rows.count / 4), rows + shared) }
    }

    /// `write` on SQLite, binding the staged bytes as they stream past.
    private static func writeBytes(_ staged: StagedLearnedKeys, into database: SQLiteDatabase, input: Int64?, at time: UTCDateTime) throws {
        var statements: [Int: SQLiteStatement] = [:]
        func statement(rows: Int) throws -> SQLiteStatement {
            if let prepared = statements[rows] { return prepared }
            let prepared = try SQLiteStatement(upsert(rows: rows), in: database)
            // Bindings outlive each run (reset keeps them): the input and the time are bound once.
            let shared = Int32(rows * 4)
            if let input { try prepared.bind(input, at: shared + 1) } else { try prepared.bind(nil, at: shared + 1) }
            try prepared.bind(time.iso8601, at: shared + 2)
            statements[rows] = prepared
            return prepared
        }
        var chunk = UpsertChunk()
        try staged.forEachEntry { entry in
            chunk.append(entry)
            if chunk.count == rowsPerUpsert {
                try chunk.run(try statement(rows: rowsPerUpsert))
            }
        }
        if chunk.count > 0 { try chunk.run(try statement(rows: chunk.count)) }
    }

    /// Up to `rowsPerUpsert` folded entries, copied into one reused buffer until their statement runs.
    private struct UpsertChunk {
        private var bytes: [UInt8] = []
        private var rows: [(reference: Range<Int>, value: Range<Int>, key: Range<Int>?, isName: Bool)] = []
        var count: Int { rows.count }

        mutating func append(_ entry: StagedLearnedKeys.Entry) {
            func copy(_ text: UnsafeRawBufferPointer) -> Range<Int> {
                let start = bytes.count
                bytes.append(contentsOf: text)
                return start..<bytes.count
            }
            rows.append((copy(entry.reference), copy(entry.value), entry.key.map(copy), entry.isName))
        }

        /// Binds the rows (without copies: the buffer stays put until the statement has run), runs the statement and
        /// empties the chunk.
        mutating func run(_ statement: SQLiteStatement) throws {
            try bytes.withUnsafeBytes { buffer in
                for (row, entry) in rows.enumerated() {
                    let first = Int32(row * 4)
                    try statement.bind(unsafeText: UnsafeRawBufferPointer(rebasing: buffer[entry.reference]), at: first + 1)
                    try statement.bind(unsafeText: UnsafeRawBufferPointer(rebasing: buffer[entry.value]), at: first + 2)
                    try statement.bind(unsafeText: entry.key.map { UnsafeRawBufferPointer(rebasing: buffer[$0]) }, at: first + 3)
                    try statement.bind(entry.isName ? 1 : 0, at: first + 4)
                }
                try statement.run()
            }
            bytes.removeAll(keepingCapacity: true)
            rows.removeAll(keepingCapacity: true)
        }
    }

    /// Keys per upsert statement (6 parameters per key would exceed no limit of either database).
    static let rowsPerUpsert = 128

    /// An upsert of `rows` keys: four parameters a key, then the input and the time, shared.
    static func upsert(rows: Int) -> String {
        let shared = rows * 4
        let values = (0..<rows).map { row in
            let first = row * 4 + 1
            return "(?\(first), ?\(first + 1), ?\(first + 2), ?\(first + 3), ?\(shared + 1), ?\(shared + 2))"
        }
        return """
            INSERT INTO learned_keys (reference, value, key, is_name, input_id, learned_at) VALUES \(values.joined(separator: ", "))
            ON CONFLICT (reference, value) DO UPDATE SET
                key = CASE WHEN excluded.is_name = 1 AND learned_keys.key IS DISTINCT FROM excluded.key THEN NULL ELSE excluded.key END,
                is_name = excluded.is_name, input_id = excluded.input_id, learned_at = excluded.learned_at
            """
    }

    public func resolve(_ value: String, in reference: String) -> KeyResolution {
        store.withLock { store in
            guard let database = store?.database else { return .missing }
            guard let lookup = store?.lookup ?? (try? database.prepare("SELECT key FROM learned_keys WHERE reference = ?1 AND value = ?2")) else {
                return .missing
            }
            store?.lookup = lookup
            guard let row = try? lookup.query([.text(reference), .text(value)]).first else { return .missing }
            return row[0].text.map(KeyResolution.found) ?? .ambiguous
        }
    }

    /// How many statements the store's connection prepared (its lookups prepare one, once).
    var statementsPrepared: Int {
        store.withLock { $0?.database.statementsPrepared ?? 0 }
    }

    /// How many values the store knows for a reference (for messages and `ferry status`).
    public func count(in reference: String) -> Int {
        store.withLock { store in
            guard let database = store?.database, let row = try? database.query("SELECT count(*) FROM learned_keys WHERE reference = ?", [.text(reference)]).first
            else { return 0 }
            return Int(row[0].integer ?? 0)
        }
    }
}
