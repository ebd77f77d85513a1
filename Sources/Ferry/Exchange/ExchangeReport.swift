/// What one SFTP exchange pass did: files moved each way, and what failed with why.
public struct ExchangeReport: Sendable, Equatable {
    /// "erp: outbox/customers-1.zip -> ferry@host:22/incoming/customers-1.zip".
    public var pushed: [String] = []
    /// "crm: ferry@host:22/outgoing/accounts.csv -> inbox/accounts.csv".
    public var pulled: [String] = []
    /// One line per failure that outlasted its retries; the files stay where they were for the next pass.
    public var failures: [String] = []

    public init() {}

    public mutating func merge(_ other: ExchangeReport) {
        pushed += other.pushed
        pulled += other.pulled
        failures += other.failures
    }
}

/// Where an exchange pass reports progress and retries (the console, or the watcher's log).
public typealias ExchangeLog = (String) -> Void
