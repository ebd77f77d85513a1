import Foundation

/// One server's connection across a pass, with retries: a failed attempt drops the connection and, after a
/// backoff, the next attempt connects again and starts the step over (each step is written to be repeated).
final class SFTPAttempts {
    private let server: SFTPServer
    private let retry: SFTPRetry
    private let log: ExchangeLog
    private let label: String
    private var connection: SFTPConnection?

    init(label: String, server: SFTPServer, retry: SFTPRetry, log: @escaping ExchangeLog) {
        self.label = label
        self.server = server
        self.retry = retry
        self.log = log
    }

    /// Runs `step` until it succeeds, a failure no retry can fix (host key, login, permissions), or the attempts
    /// run out; rethrows the last failure.
    func run<T>(_ what: String, _ step: (SFTPConnection) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                let open = try connection ?? connect()
                connection = open
                return try step(open)
            } catch {
                connection = nil
                let retryable = (error as? SSHError)?.isRetryable ?? false
                guard retryable, attempt < retry.attempts else { throw error }
                let delay = retry.delay(after: attempt)
                log("\(label): \(what): attempt \(attempt) of \(retry.attempts) failed (\(error)); trying again in \(delay.formatted) s")
                Thread.sleep(forTimeInterval: delay)
                attempt += 1
            }
        }
    }

    private func connect() throws(SSHError) -> SFTPConnection {
        try SFTPConnection(host: server.host, port: server.port, user: server.user, login: server.login,
                           knownHosts: server.knownHosts, timeoutSeconds: server.timeoutSeconds)
    }
}
