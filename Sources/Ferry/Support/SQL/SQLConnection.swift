/// A value bound to a statement parameter or read from a column, in either database.
enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A database connection the ledger's SQL runs on: SQLite (embedded, the default) or PostgreSQL (shared by
/// several nodes). The SQL is written once, with `?` placeholders, in the dialect both understand.
protocol SQLConnection: AnyObject {
    /// Runs statements that return no rows (schema).
    func execute(_ sql: String) throws
    /// Runs one statement with parameters; returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [[SQLValue]]
    /// Runs `body` in one transaction, rolled back when it throws; `durable` asks that a commit be on disk
    /// before this returns (the one write recovery depends on).
    func transaction<T>(durable: Bool, _ body: () throws -> T) throws -> T
    /// Prepares `sql` once, to run many times on this connection (a hot path's statement: no parsing and
    /// planning per call, and on PostgreSQL no Parse message per call).
    func prepare(_ sql: String) throws -> any SQLPreparedStatement
    /// How many statements this connection prepared, `query` and `prepare` alike (what the hot paths save).
    var statementsPrepared: Int { get }
}

/// A statement prepared on one connection; it must not outlive the connection, nor be used from two threads.
protocol SQLPreparedStatement: AnyObject {
    /// Runs the statement with `parameters`; returns its rows.
    @discardableResult
    func query(_ parameters: [SQLValue]) throws -> [[SQLValue]]
}

extension SQLConnection {
    @discardableResult
    func query(_ sql: String) throws -> [[SQLValue]] { try query(sql, []) }
}
