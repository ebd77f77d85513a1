/// The ledger's tables, and how a ledger written by an older Ferry is brought up to date.
///
/// Version 2 stores paths relative to the workspace (a moved workspace keeps its plans) and a state
/// for every planned move (recovery knows which moves completed). Version 1 had neither and no
/// `user_version`; it is migrated in place, in one transaction, when it is first opened.
enum LedgerSchema {
    static let version: Int64 = 2

    static func prepare(_ database: SQLiteDatabase, paths: WorkspacePaths) throws {
        let current = try userVersion(database)
        guard current <= version else { throw LedgerError.newer(version: current, supported: version) }
        if try !hasTables(database) {
            // Two processes may open a new ledger at once (the watcher and its /readyz): the one that gets the write
            // lock second finds the tables made.
            let made = try database.transaction(durable: false) { () throws -> Bool in
                guard try !hasTables(database) else { return false }
                try database.execute("\(tables) \(transfers) PRAGMA user_version = \(version);")
                return true
            }
            if made { return }
        }
        if try userVersion(database) < 2 { try migrateToVersion2(database, paths: paths) }
        // Counting a file's interruptions looks entries up by name.
        try database.execute("CREATE INDEX IF NOT EXISTS inputs_by_name ON inputs (name, size)")
        try database.execute(transfers)
    }

    private static func userVersion(_ database: SQLiteDatabase) throws -> Int64 {
        try database.query("PRAGMA user_version").first?.first?.integer ?? 0
    }

    /// False for a new, empty database.
    static func hasTables(_ database: SQLiteDatabase) throws -> Bool {
        try !database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inputs'").isEmpty
    }

    /// SFTP pushes and pulls (`Ledger+Transfers`); added to older ledgers as they are opened. A package goes to one
    /// push entry once: the unique index refuses a second record of it.
    private static let transfers = """
        CREATE TABLE IF NOT EXISTS transfers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            direction TEXT NOT NULL,
            exchange TEXT NOT NULL,
            local_path TEXT NOT NULL,
            remote_path TEXT NOT NULL,
            size INTEGER NOT NULL,
            modified INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS transfers_pushed ON transfers (exchange, local_path) WHERE direction = 'push';
        CREATE INDEX IF NOT EXISTS transfers_open ON transfers (direction, exchange, state);
        """

    private static let tables = """
        CREATE TABLE inputs (
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
        CREATE INDEX inputs_by_digest ON inputs (digest, state);
        CREATE INDEX inputs_by_state ON inputs (state);
        CREATE TABLE moves (
            input_id INTEGER NOT NULL REFERENCES inputs (id),
            sequence INTEGER NOT NULL,
            source TEXT NOT NULL,
            destination TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned',
            PRIMARY KEY (input_id, sequence)
        );
        CREATE TABLE sightings (
            name TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            modified REAL NOT NULL,
            first_seen REAL NOT NULL
        );
        """

    /// Adds the move state and makes the stored absolute paths relative, also when they name the
    /// workspace at an older place (it was moved before this Ferry first opened it).
    private static func migrateToVersion2(_ database: SQLiteDatabase, paths: WorkspacePaths) throws {
        try database.execute("BEGIN IMMEDIATE")
        do {
            try database.execute("ALTER TABLE moves ADD COLUMN state TEXT NOT NULL DEFAULT 'planned'")
            for row in try database.query("SELECT input_id, sequence, source, destination FROM moves") {
                let source = paths.migrated(row[2].text ?? ""), destination = paths.migrated(row[3].text ?? "")
                try database.query("UPDATE moves SET source = ?, destination = ? WHERE input_id = ? AND sequence = ?",
                                   [.text(source), .text(destination), row[0], row[1]])
            }
            for row in try database.query("SELECT id, outputs, input_now_at FROM inputs WHERE outputs != '' OR input_now_at IS NOT NULL") {
                let outputs = (row[1].text ?? "").split(separator: "\n").map { paths.migrated(String($0)) }.joined(separator: "\n")
                try database.query("UPDATE inputs SET outputs = ?, input_now_at = ? WHERE id = ?",
                                   [.text(outputs), .init(row[2].text.map(paths.migrated)), row[0]])
            }
            try database.execute("PRAGMA user_version = 2; COMMIT;")
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }
}
