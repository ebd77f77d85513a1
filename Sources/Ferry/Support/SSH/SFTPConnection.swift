#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSSH2

/// A file or folder on the SFTP server, as a listing or stat shows it.
public struct RemoteFile: Sendable, Equatable {
    public var name: String
    public var size: Int64
    /// Seconds since 1970, as the server reports them.
    public var modified: Int64
    public var isRegular: Bool
}

/// An SFTP session over its own SSH connection (libssh2). Blocking calls; every failure is an `SSHError` that
/// says whether the server refused the request or the connection failed. Owns the SFTP channel; closes it when released.
final class SFTPConnection {
    private let ssh: SSHSession
    fileprivate let sftp: OpaquePointer
    private static let chunk = 1 << 20

    init(host: String, port: Int, user: String, login: SSHLogin, knownHosts: String, timeoutSeconds: Double) throws(SSHError) {
        ssh = try SSHSession(host: host, port: port, user: user, login: login, knownHosts: knownHosts, timeoutSeconds: timeoutSeconds)
        guard let sftp = libssh2_sftp_init(ssh.session) else {
            throw SSHError(.connection, "start SFTP on \(host):\(port)", "the server did not start the sftp subsystem (\(ssh.lastError))")
        }
        self.sftp = sftp
    }

    deinit { libssh2_sftp_shutdown(sftp) }

    /// The failure of the request that just failed: the server's SFTP status, or the connection's error.
    fileprivate func failure(_ operation: String) -> SSHError {
        if ssh.lastErrorCode == LIBSSH2_ERROR_SFTP_PROTOCOL {
            let status = libssh2_sftp_last_error(sftp)
            return SSHError(.remote(status: status), operation, SFTPStatus.describe(status))
        }
        return SSHError(.connection, operation, "the connection failed: \(ssh.lastError)")
    }

    /// The file at `path`, or nil when there is none.
    func attributes(_ path: String) throws(SSHError) -> RemoteFile? {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        guard ferry_sftp_stat(sftp, path, &attributes) == 0 else {
            let error = failure("look up \(path)")
            if error.isNoSuchFile { return nil }
            throw error
        }
        return RemoteFile(attributes, name: String(path.split(separator: "/").last ?? Substring(path)))
    }

    /// The entries of `folder` (without `.` and `..`).
    func list(_ folder: String) throws(SSHError) -> [RemoteFile] {
        let operation = "list \(folder)"
        guard let handle = ferry_sftp_opendir(sftp, folder) else { throw failure(operation) }
        defer { libssh2_sftp_close_handle(handle) }
        var entries: [RemoteFile] = []
        var name = [CChar](repeating: 0, count: 4096)
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let length = ferry_sftp_readdir(handle, &name, name.count, &attributes)
            if length == 0 { break }
            guard length > 0 else { throw failure(operation) }
            let entry = String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if entry == "." || entry == ".." { continue }
            entries.append(RemoteFile(attributes, name: entry))
        }
        return entries
    }

    /// Writes the local file at `local` to `remote` (created or truncated), asks the server to fsync it (OpenSSH's
    /// fsync@openssh.com; skipped where unsupported) and closes it. Returns the bytes sent.
    func upload(_ local: String, to remote: String) throws(SSHError) -> Int64 {
        let operation = "upload \(local) to \(remote)"
        let reader: FileReader
        do { reader = try FileReader(path: local) } catch { throw SSHError(.local, operation, error.description) }
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC)
        guard let handle = ferry_sftp_open(sftp, remote, flags, 0o644) else { throw failure(operation) }
        let file = RemoteHandle(handle, on: self)
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        var sent: Int64 = 0
        while true {
            let count: Int
            do { count = try buffer.withUnsafeMutableBytes { bytes in try reader.read(into: bytes) } } catch {
                throw SSHError(.local, operation, "\(error)")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { bytes in
                    libssh2_sftp_write(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, count - offset)
                }
                guard written > 0 else { throw failure(operation) }
                offset += written
            }
            sent += Int64(count)
        }
        if libssh2_sftp_fsync(handle) != 0 {
            let error = failure(operation + " (fsync)")
            guard error.kind == .remote(status: SFTPStatus.unsupported) else { throw error }
        }
        try file.close(operation)
        return sent
    }

    /// Reads `remote` into `output` (which the caller syncs and renames). Returns the bytes received.
    func download(_ remote: String, into output: OutputFile) throws(SSHError) -> Int64 {
        let operation = "download \(remote)"
        guard let handle = ferry_sftp_open(sftp, remote, UInt(LIBSSH2_FXF_READ), 0) else { throw failure(operation) }
        let file = RemoteHandle(handle, on: self)
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        var received: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                libssh2_sftp_read(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
            }
            if count == 0 { break }
            guard count > 0 else { throw failure(operation) }
            do { try buffer.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) } } catch {
                throw SSHError(.local, operation, "\(error)")
            }
            received += Int64(count)
        }
        try file.close(operation)
        return received
    }

    /// Renames without replacing: OpenSSH refuses a plain SFTP rename onto an existing name.
    func rename(_ source: String, to destination: String) throws(SSHError) {
        guard ferry_sftp_rename(sftp, source, destination) == 0 else { throw failure("rename \(source) to \(destination)") }
    }

    func remove(_ path: String) throws(SSHError) {
        guard ferry_sftp_unlink(sftp, path) == 0 else { throw failure("remove \(path)") }
    }

    /// Creates `path` unless it is a folder already.
    func makeFolder(_ path: String) throws(SSHError) {
        if let existing = try attributes(path), !existing.isRegular { return }
        guard ferry_sftp_mkdir(sftp, path, 0o755) == 0 else { throw failure("create the folder \(path)") }
    }
}

/// An open remote file; closed when released if `close` was not called (after a failure).
private final class RemoteHandle {
    private var handle: OpaquePointer?
    private let connection: SFTPConnection

    init(_ handle: OpaquePointer, on connection: SFTPConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { if let handle { libssh2_sftp_close_handle(handle) } }

    /// Closes the file; a failure here means the server may not have kept the last bytes.
    func close(_ operation: String) throws(SSHError) {
        guard let handle else { return }
        self.handle = nil
        guard libssh2_sftp_close_handle(handle) == 0 else { throw connection.failure(operation + " (close)") }
    }
}

extension RemoteFile {
    init(_ attributes: LIBSSH2_SFTP_ATTRIBUTES, name: String) {
        let hasSize = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_SIZE) != 0
        let hasTimes = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_ACMODTIME) != 0
        let hasMode = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0
        self.init(name: name, size: hasSize ? Int64(attributes.filesize) : -1, modified: hasTimes ? Int64(attributes.mtime) : 0,
                  isRegular: hasMode ? attributes.permissions & 0o170000 == 0o100000 : true)
    }
}
