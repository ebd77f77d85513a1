#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSSH2
import Foundation

/// How Ferry logs in to an SSH server: a private key file by default; a password only when configured.
public enum SSHLogin: Sendable, Equatable {
    case key(privateKey: String, passphrase: String?)
    case password(String)
}

/// One authenticated SSH connection (libssh2, blocking, with a timeout), its host key checked against a
/// known_hosts file before anything is sent. Owns its socket and libssh2 session; disconnects when released.
final class SSHSession {
    let host: String
    let port: Int
    private let descriptor: Int32
    let session: OpaquePointer

    private static let libraryReady: Bool = libssh2_init(0) == 0

    init(host: String, port: Int, user: String, login: SSHLogin, knownHosts: String, timeoutSeconds: Double) throws(SSHError) {
        self.host = host
        self.port = port
        let place = "\(host):\(port)"
        guard Self.libraryReady, let session = ferry_ssh2_session_init() else {
            throw SSHError(.connection, "connect to \(place)", "libssh2 could not be initialised")
        }
        let descriptor: Int32
        do {
            descriptor = try Self.openConnection(host: host, port: port, timeoutSeconds: timeoutSeconds)
        } catch {
            libssh2_session_free(session)
            throw error
        }
        self.descriptor = descriptor
        self.session = session
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(timeoutSeconds * 1000))
        let knownKeys = KnownHosts.keyAlgorithms(in: knownHosts, host: host, port: port)
        if !knownKeys.isEmpty {
            // Ask for the kind of key known_hosts holds, so a server with several keys shows the one we can check.
            _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, knownKeys.joined(separator: ","))
        }
        guard libssh2_session_handshake(session, descriptor) == 0 else {
            throw SSHError(.connection, "connect to \(place)", "SSH handshake failed: \(lastError)")
        }
        try KnownHosts.verify(session: session, file: knownHosts, host: host, port: port)
        try authenticate(user: user, login: login, place: place)
    }

    deinit {
        libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "done", "")
        libssh2_session_free(session)
        _ = SystemCall.close(descriptor)
    }

    /// libssh2's text for the last failure on this session.
    var lastError: String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? "unknown error"
        return "\(text) (libssh2 \(code))"
    }

    var lastErrorCode: Int32 { libssh2_session_last_errno(session) }

    private func authenticate(user: String, login: SSHLogin, place: String) throws(SSHError) {
        let result: Int32
        let what: String
        switch login {
        case .key(let privateKey, let passphrase):
            what = "key \(privateKey)"
            guard access(privateKey, R_OK) == 0 else {
                throw SSHError(.authentication, "log in to \(place) as \(user)", "cannot read the private key \(privateKey): \(SystemCall.describe(errno))")
            }
            // No public key file: libssh2 derives it from the private key.
            result = ferry_ssh2_userauth_publickey_fromfile(session, user, nil, privateKey, passphrase)
        case .password(let password):
            what = "password"
            result = ferry_ssh2_userauth_password(session, user, password)
        }
        guard result == 0 else {
            throw SSHError(.authentication, "log in to \(place) as \(user) with \(what)",
                           "the server refused it (\(lastError)); check that the public key is in the partner's authorized_keys for \(user)")
        }
    }

    /// A TCP connection to the first address of `host` that answers within the timeout.
    private static func openConnection(host: String, port: Int, timeoutSeconds: Double) throws(SSHError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SSHError(.connection, "connect to \(host):\(port)", "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastFailure: Int32 = 0
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: .init((timeoutSeconds - timeoutSeconds.rounded(.down)) * 1_000_000))
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            let fd = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            guard fd >= 0 else { lastFailure = errno; continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 { return fd }
            lastFailure = errno
            _ = SystemCall.close(fd)
        }
        throw SSHError(.connection, "connect to \(host):\(port)", SystemCall.describe(lastFailure))
    }
}
