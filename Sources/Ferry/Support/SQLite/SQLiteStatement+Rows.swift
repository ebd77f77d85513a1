import CSQLite

extension SQLiteStatement {
    /// Binds text (SQLite copies it), or NULL for nil.
    func bind(_ text: String?, at position: Int32) throws {
        let status: Int32
        if let text {
            status = sqlite3_bind_text(statement, position, text, -1, ferry_sqlite_transient())
        } else {
            status = sqlite3_bind_null(statement, position)
        }
        guard status == SQLITE_OK else { throw database.lastError() }
    }

    /// Binds UTF-8 bytes as text (SQLite copies them), or NULL for nil.
    func bind(text bytes: UnsafeRawBufferPointer?, at position: Int32) throws {
        let status: Int32
        if let bytes {
            status = sqlite3_bind_text(statement, position, (bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                       Int32(bytes.count), ferry_sqlite_transient())
        } else {
            status = sqlite3_bind_null(statement, position)
        }
        guard status == SQLITE_OK else { throw database.lastError() }
    }

    /// Binds UTF-8 bytes as text without a copy, or NULL for nil: the bytes must stay where they are until the
    /// statement has run.
    func bind(unsafeText bytes: UnsafeRawBufferPointer?, at position: Int32) throws {
        let status: Int32
        if let bytes {
            status = sqlite3_bind_text(statement, position, (bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                       Int32(bytes.count), nil)
        } else {
            status = sqlite3_bind_null(statement, position)
        }
        guard status == SQLITE_OK else { throw database.lastError() }
    }

    /// Runs the statement to its first row and returns that row's columns (nil when there is none);
    /// the statement is reset for the next use either way.
    func firstRow() throws -> [SQLiteDatabase.Value]? {
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            return (0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: .null
                default: .text(String(cString: sqlite3_column_text(statement, column)))
                }
            }
        case SQLITE_DONE:
            return nil
        default:
            throw database.lastError()
        }
    }
}
