/// The shared ledger's tables on PostgreSQL, created and brought up to date by Ferry: an ordered list of
/// migrations, each applied once in its own transaction and recorded in `ferry_schema_migrations`. Nodes that
/// start together take an advisory lock first, so one applies them and the others find them applied.
///
/// The tables are the SQLite ledger's (`LedgerSchema`, version 2): the same state machine, move plans and crash
/// table; ids are `BIGSERIAL`, counters `BIGINT` and times `DOUBLE PRECISION`.
enum PostgreSQLSchema {
    /// The migrations in order; `version` is its position, counted from 1. Append only, never edit one.
    static let migrations: [String] = [
        """
        CREATE TABLE inputs (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL,
            size BIGINT NOT NULL,
            digest TEXT NOT NULL,
            template TEXT,
            template_hash TEXT,
            state TEXT NOT NULL,
            rows_read BIGINT NOT NULL DEFAULT 0,
            rows_written BIGINT NOT NULL DEFAULT 0,
            rows_filtered BIGINT NOT NULL DEFAULT 0,
            rows_rejected BIGINT NOT NULL DEFAULT 0,
            outputs TEXT NOT NULL DEFAULT '',
            input_now_at TEXT,
            error TEXT,
            claimed_at TEXT NOT NULL,
            finished_at TEXT,
            seconds DOUBLE PRECISION
        );
        CREATE INDEX inputs_by_digest ON inputs (digest, state);
        CREATE INDEX inputs_by_state ON inputs (state);
        CREATE INDEX inputs_by_name ON inputs (name, size);
        CREATE TABLE moves (
            input_id BIGINT NOT NULL REFERENCES inputs (id),
            sequence BIGINT NOT NULL,
            source TEXT NOT NULL,
            destination TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'planned',
            PRIMARY KEY (input_id, sequence)
        );
        CREATE TABLE sightings (
            name TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            modified DOUBLE PRECISION NOT NULL,
            first_seen DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE learned_keys (
            reference TEXT NOT NULL,
            value TEXT NOT NULL,
            key TEXT,
            is_name BIGINT NOT NULL,
            input_id BIGINT,
            learned_at TEXT NOT NULL,
            PRIMARY KEY (reference, value)
        );
        """,
        // SFTP pushes and pulls (Ledger+Transfers; LedgerSchema.transfers on SQLite).
        """
        CREATE TABLE transfers (
            id BIGSERIAL PRIMARY KEY,
            direction TEXT NOT NULL,
            exchange TEXT NOT NULL,
            local_path TEXT NOT NULL,
            remote_path TEXT NOT NULL,
            size BIGINT NOT NULL,
            modified BIGINT NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            error TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE UNIQUE INDEX transfers_pushed ON transfers (exchange, local_path) WHERE direction = 'push';
        CREATE INDEX transfers_open ON transfers (direction, exchange, state);
        """,
        // Several nodes (Ledger+Nodes): which node holds an entry, the claims on inbox names taken before the
        // rename, and each node's lease.
        """
        ALTER TABLE inputs ADD COLUMN node TEXT;
        CREATE INDEX inputs_by_node ON inputs (node, state);
        CREATE TABLE claims (
            name TEXT PRIMARY KEY,
            node TEXT NOT NULL,
            claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX claims_by_node ON claims (node);
        CREATE TABLE nodes (
            node TEXT PRIMARY KEY,
            incarnation TEXT NOT NULL,
            host TEXT NOT NULL,
            pid BIGINT NOT NULL,
            backend_pid BIGINT,
            started_at TIMESTAMPTZ NOT NULL,
            heartbeat_at TIMESTAMPTZ NOT NULL,
            lease_seconds DOUBLE PRECISION NOT NULL,
            state TEXT NOT NULL,
            recovered_by TEXT,
            recovered_at TIMESTAMPTZ
        )
        """,
    ]

    static var version: Int64 { Int64(migrations.count) }

    /// An arbitrary constant: the advisory lock key for schema changes (`ferry` in ASCII).
    static let migrationLock: Int64 = 0x6665_7272_79

    /// Whether Ferry made its tables in this database (a ledger that holds a history, or held one).
    static func hasTables(_ database: any SQLConnection) throws -> Bool {
        try database.query("SELECT count(*) FROM pg_tables WHERE tablename = 'inputs' AND schemaname = current_schema()").first?.first == .integer(1)
    }

    static func prepare(_ database: any SQLConnection) throws {
        try database.transaction(durable: true) {
            try database.query("SELECT pg_advisory_xact_lock(?)", [.integer(migrationLock)])
            try database.execute("""
                CREATE TABLE IF NOT EXISTS ferry_schema_migrations (
                    version BIGINT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
        }
        let current = try database.query("SELECT COALESCE(max(version), 0) FROM ferry_schema_migrations").first?.first?.integer ?? 0
        guard current <= version else { throw LedgerError.newer(version: current, supported: version) }
        for (index, migration) in migrations.enumerated() where Int64(index + 1) > current {
            try database.transaction(durable: true) {
                try database.query("SELECT pg_advisory_xact_lock(?)", [.integer(migrationLock)])
                // Another node may have applied it while this one waited for the lock.
                guard try database.query("SELECT 1 FROM ferry_schema_migrations WHERE version = ?", [.integer(Int64(index + 1))]).isEmpty
                else { return }
                try database.execute(migration)
                try database.query("INSERT INTO ferry_schema_migrations (version) VALUES (?)", [.integer(Int64(index + 1))])
            }
        }
    }
}
