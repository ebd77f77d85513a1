import CSSH2
import Foundation

/// The OpenSSH known_hosts file that decides which servers Ferry talks to: a server whose key is not there, or
/// differs from the one there, is refused before Ferry logs in (Ferry never adds keys itself).
enum KnownHosts {
    /// Checks the key the server showed in the handshake against `file`.
    static func verify(session: OpaquePointer, file: String, host: String, port: Int) throws(SSHError) {
        let place = "\(host):\(port)"
        let operation = "verify the host key of \(place)"
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type) else {
            throw SSHError(.connection, operation, "the server showed no host key")
        }
        let fingerprint = Self.fingerprint(session)
        guard let hosts = libssh2_knownhost_init(session) else {
            throw SSHError(.connection, operation, "libssh2 could not allocate the known hosts list")
        }
        defer { libssh2_knownhost_free(hosts) }
        guard access(file, R_OK) == 0 else {
            throw SSHError(.unknownHost, operation, "cannot read the known_hosts file \(file): \(SystemCall.describe(errno))")
        }
        let read = libssh2_knownhost_readfile(hosts, file, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
        guard read >= 0 else {
            throw SSHError(.unknownHost, operation, "cannot read the known_hosts file \(file) (libssh2 \(read)): check its lines")
        }
        let typeMask = Int32(LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW)
        var match: UnsafeMutablePointer<libssh2_knownhost>?
        let result = libssh2_knownhost_checkp(hosts, host, Int32(port), key, length, typeMask, &match)
        let add = "if this is the partner's key (ask them for its fingerprint), add it with: "
            + "ssh-keyscan -p \(port) \(host) >> \(file)"
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw SSHError(.changedHostKey, operation,
                           "the server's host key (\(fingerprint)) differs from the one \(file) holds for it: refused. "
                           + "Someone may be intercepting the connection, or the partner changed its key; "
                           + "confirm the new key with the partner before replacing the line in \(file)")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw SSHError(.unknownHost, operation, "the server's host key (\(fingerprint)) is not in \(file): refused; \(add)")
        default:
            throw SSHError(.unknownHost, operation, "libssh2 could not check the key against \(file)")
        }
    }

    /// "SHA256:…" as `ssh-keygen -l` prints it.
    static func fingerprint(_ session: OpaquePointer) -> String {
        guard let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else { return "unknown fingerprint" }
        let bytes = Data(UnsafeRawBufferPointer(start: hash, count: 32))
        return "SHA256:" + bytes.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The key algorithms `file` records for `host` on `port` in plain (not hashed) lines, for the handshake to prefer.
    static func keyAlgorithms(in file: String, host: String, port: Int) -> [String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        let names = port == 22 ? [host, "[\(host)]:22"] : ["[\(host)]:\(port)"]
        var algorithms: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@") else { continue }
            guard fields[0].split(separator: ",").contains(where: { names.contains(String($0)) }) else { continue }
            let type = String(fields[1])
            let offered = type == "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]
            algorithms += offered.filter { !algorithms.contains($0) }
        }
        return algorithms
    }
}
