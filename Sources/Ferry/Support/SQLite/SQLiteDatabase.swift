import CSQLite

/// A SQLite error with the database's own message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "SQLite: \(message) (code \(code))" }
}

/// One SQLite connection; owns the `sqlite3` handle. Not thread-safe by itself: `Ledger` serialises access.
final class SQLiteDatabase: SQLConnection {
    typealias Value = SQLValue

    private var handle: OpaquePointer?
    private(set) var statementsPrepared = 0

    init(path: String) throws {
        var opened: OpaquePointer?
        let status = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        handle = opened
        guard status == SQLITE_OK else {
            let error = SQLiteError(code: status, message: opened.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)")
            sqlite3_close(opened)
            handle = nil
            throw error
        }
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close(handle) }

    /// Runs statements that return no rows (schema, pragmas).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: status, message: text)
        }
    }

    /// Runs one statement with parameters; returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [Value]) throws -> [[Value]] {
        var statement: OpaquePointer?
        statementsPrepared += 1
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw lastError() }
        defer { sqlite3_finalize(statement) }
        return try rows(of: statement, parameters)
    }

    func prepare(_ sql: String) throws -> any SQLPreparedStatement {
        try SQLiteStatement(sql, in: self)
    }

    /// Binds `parameters` to a prepared statement, steps it to the end and resets it; returns its rows.
    func rows(of statement: OpaquePointer, _ parameters: [Value]) throws -> [[Value]] {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, parameter) in parameters.enumerated() {
            let position = Int32(index + 1)
            let status: Int32
            switch parameter {
            case .null: status = sqlite3_bind_null(statement, position)
            case .integer(let value): status = sqlite3_bind_int64(statement, position, value)
            case .real(let value): status = sqlite3_bind_double(statement, position, value)
            case .text(let value): status = sqlite3_bind_text(statement, position, value, -1, ferry_sqlite_transient())
            }
            guard status == SQLITE_OK else { throw lastError() }
        }
        var rows: [[Value]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw lastError() }
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: .null
                default: .text(String(cString: sqlite3_column_text(statement, column)))
                }
            })
        }
        return rows
    }

    /// Counts a statement `SQLiteStatement` prepared on this connection.
    func countPrepared() { statementsPrepared += 1 }

    /// Inside a transaction already open on this connection (`Ledger.inOneTransaction`), `body` runs in a savepoint
    /// of it, and the outer transaction decides when the writes commit and how durably.
    func transaction<T>(durable: Bool, _ body: () throws -> T) throws -> T {
        if isInTransaction {
            try execute("SAVEPOINT nested")
            do {
                let result = try body()
                try execute("RELEASE nested")
                return result
            } catch {
                try? execute("ROLLBACK TO nested; RELEASE nested")
                throw error
            }
        }
        if durable { try execute("PRAGMA synchronous = FULL") }
        defer { if durable { try? execute("PRAGMA synchronous = NORMAL") } }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Gives a statement of this connection the handle; it never keeps it.
    func withHandle<Result>(_ body: (OpaquePointer?) -> Result) -> Result { body(handle) }

    func lastError() -> SQLiteError {
        SQLiteError(code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }
}

extension SQLiteDatabase.Value {
    var text: String? { if case .text(let value) = self { value } else { nil } }
    var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    var real: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    init(_ number: Int) { self = .integer(Int64(number)) }
}
