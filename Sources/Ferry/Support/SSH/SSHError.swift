/// A failure talking to an SSH/SFTP server, with the libssh2 code and message it came with.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server's host key is not in the known_hosts file: it was never accepted.
        case unknownHost
        /// The server shows a key other than the one recorded for it in known_hosts.
        case changedHostKey
        /// The server refused the key or password.
        case authentication
        /// Resolving, connecting, the handshake, or the connection dropped.
        case connection
        /// The server answered an SFTP request with an error status (no such file, permission denied...).
        case remote(status: UInt)
        /// Reading or writing the local side of a transfer.
        case local
        /// A transfer ended with another size than expected.
        case sizeMismatch
        /// The name Ferry would deliver under holds a file Ferry did not put there.
        case nameTaken
    }

    public var kind: Kind
    /// What Ferry was doing, e.g. "upload outbox/a.zip to incoming/a.zip.part".
    public var operation: String
    public var detail: String

    public init(_ kind: Kind, _ operation: String, _ detail: String) {
        self.kind = kind
        self.operation = operation
        self.detail = detail
    }

    /// Another attempt may succeed (the network, the server's disk); a host key or a refused login needs a person.
    public var isRetryable: Bool {
        switch kind {
        case .unknownHost, .changedHostKey, .authentication, .nameTaken: false
        case .remote(let status): status != SFTPStatus.permissionDenied
        case .connection, .local, .sizeMismatch: true
        }
    }

    /// The server cannot be reached or will not let Ferry in: every other file of the same server would fail alike.
    public var concernsTheServer: Bool {
        [.unknownHost, .changedHostKey, .authentication, .connection].contains(kind)
    }

    /// True when the server says the path does not exist.
    public var isNoSuchFile: Bool { kind == .remote(status: SFTPStatus.noSuchFile) }

    public var description: String { "cannot \(operation): \(detail)" }
}

/// SFTP v3 status codes Ferry acts on.
enum SFTPStatus {
    static let noSuchFile: UInt = 2
    static let permissionDenied: UInt = 3
    static let failure: UInt = 4
    static let unsupported: UInt = 8

    static func describe(_ status: UInt) -> String {
        switch status {
        case 1: "end of file"
        case noSuchFile: "no such file"
        case permissionDenied: "permission denied"
        case failure: "the server refused it (for a rename: the target name exists)"
        case 5: "bad message"
        case 6, 7: "no connection"
        case unsupported: "operation unsupported by the server"
        default: "SFTP status \(status)"
        }
    }
}
