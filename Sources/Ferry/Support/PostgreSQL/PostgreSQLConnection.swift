import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A PostgreSQL error with the server's own message (or the connection's, when there is no server).
public struct PostgreSQLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "PostgreSQL: \(message)" }
}

/// One PostgreSQL connection through postgres-nio, used synchronously: the ledger's callers are synchronous
/// stages, and each call waits for its future on the caller's thread while postgres-nio works on its own event
/// loop (never the caller's), so waiting cannot starve it. Not thread-safe by itself: `Ledger` serialises access.
final class PostgreSQLConnection: SQLConnection {
    private let connection: PostgresConnection
    private let logger = Logger(label: "ferry.postgres")
    private(set) var statementsPrepared = 0

    /// Connects to `postgres://user[:password]@host[:port]/database[?sslmode=...&sslrootcert=...]`; TLS as `sslmode` says
    /// (`TLSMode`), by default `prefer`, as libpq does.
    init(url: String) throws {
        guard let parsed = URLComponents(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""),
              let host = parsed.host, !host.isEmpty else {
            throw PostgreSQLError(message: "\(Self.redacted(url)) is not a postgres://user@host:port/database URL")
        }
        let database = String(parsed.path.drop { $0 == "/" })
        let tls = try TLSMode(query: parsed.queryItems ?? [], url: Self.redacted(url)).configuration()
        let configuration = PostgresConnection.Configuration(
            host: host, port: parsed.port ?? 5432, username: parsed.user ?? "postgres",
            password: parsed.password, database: database.isEmpty ? nil : database, tls: tls)
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger).wait()
        } catch {
            throw PostgreSQLError(message: "cannot connect to \(Self.redacted(url)): \(Self.describe(error))")
        }
    }

    deinit { try? connection.close().wait() }

    /// The URL's TLS options, with libpq's names and meanings: `sslmode` = `disable`, `allow` or `prefer` (TLS when
    /// the server offers it), `require` (TLS, any certificate), `verify-ca` (a certificate from a trusted CA),
    /// `verify-full` (that, for this host name); `sslrootcert` = the CA file (default: the system's roots).
    /// Any other option is refused rather than ignored.
    struct TLSMode {
        var mode = "prefer"
        var rootCertificate: String?

        init(query: [URLQueryItem], url: String) throws {
            for item in query {
                switch item.name {
                case "sslmode":
                    guard let value = item.value, ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(value) else {
                        throw PostgreSQLError(message: "\(url): sslmode=\(item.value ?? "") is not one of disable, allow, prefer, require, verify-ca, verify-full")
                    }
                    mode = value
                case "sslrootcert":
                    rootCertificate = item.value
                default:
                    throw PostgreSQLError(message: "\(url): the URL option \(item.name) is not supported (Ferry reads sslmode and sslrootcert)")
                }
            }
        }

        func configuration() throws -> PostgresConnection.Configuration.TLS {
            guard mode != "disable" else { return .disable }
            var tls = TLSConfiguration.makeClientConfiguration()
            switch mode {
            case "verify-full": tls.certificateVerification = .fullVerification
            case "verify-ca": tls.certificateVerification = .noHostnameVerification
            default: tls.certificateVerification = .none
            }
            if let rootCertificate {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
                } catch {
                    throw PostgreSQLError(message: "cannot read sslrootcert \(rootCertificate): \(error)")
                }
            }
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: tls)
            } catch {
                throw PostgreSQLError(message: "cannot set up TLS: \(error)")
            }
            return mode == "allow" || mode == "prefer" ? .prefer(context) : .require(context)
        }
    }

    /// Runs statements that return no rows; several, separated by `;` (none inside a string).
    func execute(_ sql: String) throws {
        do {
            // postgres-nio prepares every statement, and a prepared statement holds one command.
            for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                _ = try connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger).wait()
            }
        } catch {
            throw PostgreSQLError(message: Self.describe(error))
        }
    }

    /// Runs one statement; `?` placeholders (the ledger's SQL is written once, for both databases) become `$1`, `$2`...
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters {
            switch parameter {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            }
        }
        // postgres-nio sends an unnamed Parse with every query (in the same round trip as its Bind and Execute).
        statementsPrepared += 1
        let result = try run(PostgresQuery(unsafeSQL: Self.numberingPlaceholders(sql), binds: bindings))
        return try result.rows.map { row in try row.map(Self.value) }
    }

    /// A named statement on the server: each run sends only Bind and Execute. It lives as long as the connection (the
    /// server drops it with the session; closing it from a deinit could race the connection's own close).
    func prepare(_ sql: String) throws -> any SQLPreparedStatement {
        statementsPrepared += 1
        do {
            return Prepared(query: try connection.prepare(query: Self.numberingPlaceholders(sql)).wait())
        } catch {
            throw PostgreSQLError(message: Self.describe(error))
        }
    }

    private final class Prepared: SQLPreparedStatement {
        let query: PreparedQuery

        init(query: PreparedQuery) {
            self.query = query
        }

        func query(_ parameters: [SQLValue]) throws -> [[SQLValue]] {
            let values = parameters.map { parameter -> PostgresData in
                switch parameter {
                case .null: .null
                case .integer(let value): PostgresData(int64: value)
                case .real(let value): PostgresData(double: value)
                case .text(let value): PostgresData(string: value)
                }
            }
            do {
                return try query.execute(values).wait().map { row in try row.map(PostgreSQLConnection.value) }
            } catch let error as PostgreSQLError {
                throw error
            } catch {
                throw PostgreSQLError(message: PostgreSQLConnection.describe(error))
            }
        }
    }

    /// Commits are synchronous on the server unless it is set otherwise, so every transaction is durable.
    func transaction<T>(durable: Bool, _ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw PostgreSQLError(message: Self.describe(error))
        }
    }

    fileprivate static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .text, .varchar, .bpchar, .name: return .text(try cell.decode(String.self))
        default: return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }

    /// `?` outside quotes -> `$n` (the next number), `?n` -> `$n`.
    static func numberingPlaceholders(_ sql: String) -> String {
        var result = "", number = 0, quote: Character?
        var characters = sql[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?" {
                let digits = characters.prefix { $0.isASCII && $0.isNumber }
                characters = characters.dropFirst(digits.count)
                number = Int(digits) ?? number + 1
                result += "$\(number)"
                continue
            }
            result.append(character)
        }
        return result
    }

    fileprivate static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return String(describing: underlying) }
            return String(describing: error.code)
        }
        return String(describing: error)
    }

    /// The URL without its password, for messages and logs.
    static func redacted(_ url: String) -> String {
        guard var parsed = URLComponents(string: url), parsed.password != nil else { return url }
        parsed.password = "***"
        return parsed.string ?? url
    }
}
