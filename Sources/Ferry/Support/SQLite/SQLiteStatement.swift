import CSQLite

/// One prepared statement, reused row after row (binding, stepping, resetting); owns the `sqlite3_stmt`.
/// Belongs to the `SQLiteDatabase` that prepared it and must not outlive it.
final class SQLiteStatement: SQLPreparedStatement {
    let statement: OpaquePointer
    let database: SQLiteDatabase

    init(_ sql: String, in database: SQLiteDatabase) throws {
        var prepared: OpaquePointer?
        let status = database.withHandle { sqlite3_prepare_v3($0, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) }
        database.countPrepared()
        guard status == SQLITE_OK, let prepared else { throw database.lastError() }
        statement = prepared
        self.database = database
    }

    @discardableResult
    func query(_ parameters: [SQLValue]) throws -> [[SQLValue]] {
        try database.rows(of: statement, parameters)
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds bytes as a blob; SQLite copies them.
    func bind(blob bytes: UnsafeRawBufferPointer, at position: Int32) throws {
        let status = sqlite3_bind_blob64(statement, position, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(bytes.count),
                                         ferry_sqlite_transient())
        guard status == SQLITE_OK else { throw database.lastError() }
    }

    func bind(_ value: Int64, at position: Int32) throws {
        guard sqlite3_bind_int64(statement, position, value) == SQLITE_OK else { throw database.lastError() }
    }

    /// Runs the statement to its first row: the row's first column as an integer, or nil when there is
    /// no row. The statement is reset for the next use either way.
    func firstInteger() throws -> Int64? {
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return sqlite3_column_int64(statement, 0)
        case SQLITE_DONE: return nil
        default: throw database.lastError()
        }
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run() throws -> Int {
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw database.lastError() }
        return Int(database.withHandle { sqlite3_changes($0) })
    }
}
