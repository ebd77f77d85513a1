#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sftp:` in ferry.yaml: partners' SFTP servers Ferry delivers outbox packages to (push) and takes files from into
/// the inbox (pull).
public struct SFTPSettings: Sendable, Equatable {
    public var push: [SFTPPush] = []
    public var pull: [SFTPPull] = []
    /// `ferry watch`: seconds between exchanges.
    public var interval: Double = 30

    public init() {}

    public var isEmpty: Bool { push.isEmpty && pull.isEmpty }

    static let keys = ["interval", "push", "pull"]
}

/// A partner's SFTP server and how to log in to it.
public struct SFTPServer: Sendable, Equatable {
    public var host: String
    public var port = 22
    public var user: String
    public var login: SSHLogin
    /// The OpenSSH known_hosts file that must hold the server's host key.
    public var knownHosts: String
    /// The remote folder, relative to the login folder or absolute.
    public var folder: String
    public var timeoutSeconds: Double = 30

    /// "ferry@sftp.partner.example:22/incoming" (no secrets).
    public var display: String { "\(user)@\(host):\(port)/\(folder)" }

    /// The remote path of `name` in the folder.
    public func path(_ name: String) -> String { folder.isEmpty || folder == "." ? name : folder + "/" + name }
}

/// Retries of a failed connection or transfer: `attempts` in all, waiting `backoff` seconds, doubled each time.
public struct SFTPRetry: Sendable, Equatable {
    public var attempts = 5
    public var backoff: Double = 1

    /// Seconds to wait after failed attempt `number` (1-based).
    public func delay(after number: Int) -> Double { backoff * Double(1 << min(number - 1, 10)) }
}

/// One push entry: outbox packages whose names match `packages` go to the server's folder.
public struct SFTPPush: Sendable, Equatable {
    public enum LocalCopy: String, Sendable { case keep, delete }

    public var name: String
    public var server: SFTPServer
    public var packages = "*"
    /// What becomes of the outbox copy once the package is delivered (and recorded).
    public var localCopy = LocalCopy.keep
    public var retry = SFTPRetry()

    public func selects(_ package: String) -> Bool { !package.hasPrefix(".") && fnmatch(packages, package, 0) == 0 }

    static let keys = ["name", "host", "port", "user", "key", "passphrase_env", "password_env", "known_hosts", "folder", "timeout",
                       "packages", "local_copy", "attempts", "backoff"]
}

/// One pull entry: files in the server's folder whose names match `files` come into the inbox.
public struct SFTPPull: Sendable, Equatable {
    public enum Remote: Sendable, Equatable {
        case delete
        /// Moved into this remote folder.
        case move(String)
    }

    public var name: String
    public var server: SFTPServer
    public var files = "*"
    /// Seconds a remote file's size and time must stay unchanged before it is taken.
    public var settleSeconds: Double = 5
    /// What becomes of the remote file once the local copy is on disk in the inbox.
    public var remote = Remote.delete
    public var retry = SFTPRetry()

    /// Names still being written by the partner's convention (`.part`, `.tmp`, hidden files) are never taken.
    public func selects(_ file: String) -> Bool {
        !file.hasPrefix(".") && !file.hasSuffix(".part") && !file.hasSuffix(".tmp") && !file.hasSuffix(".filepart")
            && fnmatch(files, file, 0) == 0
    }

    static let keys = ["name", "host", "port", "user", "key", "passphrase_env", "password_env", "known_hosts", "folder", "timeout",
                       "files", "settle", "after_pull", "attempts", "backoff"]
}
