import Foundation
import Testing

/// A real OpenSSH server (`/usr/sbin/sshd`) on a loopback port, configured from a temporary folder: its own host key,
/// one partner key in its own authorized_keys, SFTP only. Stopped when released.
///
/// What differs from the README's deployment notes: no `ChrootDirectory` (OpenSSH wants every folder up to the chroot
/// owned by root and writable by no one else, which a temporary folder under /tmp is not, and a bind mount needs
/// root); the partner is instead started in the inbox with `internal-sftp -d`. The partner logs in as the user
/// running the tests, since a non-root sshd can only admit that user.
final class OpenSSHServer {
    static let executable = "/usr/sbin/sshd"

    let folder: String
    let port: Int
    let user: String
    private var server: SpawnedProgram?

    var partnerKey: String { folder + "/partner_ed25519" }
    var knownHosts: String { folder + "/known_hosts" }
    var log: String { (try? String(contentsOfFile: folder + "/sshd.log", encoding: .utf8)) ?? "" }
    /// What the `sftp` clients wrote to standard error.
    var clientErrors: String {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".err") }.sorted()
            .map { (try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8)) ?? "" }.joined()
    }

    /// Starts sshd with the partner's start folder `uploadFolder`; returns once it listens.
    init(uploadFolder: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw ServerError("\(Self.executable) is missing: install Debian's openssh-server (.ci/run does)")
        }
        folder = FileManager.default.temporaryDirectory.path + "/ferry-sshd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        user = String(cString: getpwuid(getuid()).pointee.pw_name)
        port = try Self.freeLoopbackPort()

        try Self.keygen(folder + "/host_ed25519")
        try Self.keygen(partnerKey)
        let hostKey = try String(contentsOfFile: folder + "/host_ed25519.pub", encoding: .utf8)
        try Data("[127.0.0.1]:\(port) \(hostKey)".utf8).write(to: URL(fileURLWithPath: knownHosts))
        try FileManager.default.copyItem(atPath: partnerKey + ".pub", toPath: folder + "/authorized_keys")
        if getuid() == 0 {
            // As root, sshd separates privileges into this (normally systemd-made) folder.
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        }
        let config = """
        ListenAddress 127.0.0.1
        Port \(port)
        HostKey \(folder)/host_ed25519
        PidFile \(folder)/sshd.pid
        AuthorizedKeysFile \(folder)/authorized_keys
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        UsePAM no
        StrictModes no
        AllowTcpForwarding no
        X11Forwarding no
        Subsystem sftp internal-sftp
        Match User \(user)
            ForceCommand internal-sftp -d \(uploadFolder)

        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: folder + "/sshd_config"))

        let server = try SpawnedProgram([Self.executable, "-D", "-e", "-f", folder + "/sshd_config"], output: folder + "/sshd.log")
        self.server = server
        let deadline = Date().addingTimeInterval(10)
        while !log.contains("Server listening") {
            guard Date() < deadline, !server.hasExited() else {
                self.server = nil
                throw ServerError("sshd did not start:\n\(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        if let server {
            kill(server.pid, SIGTERM)
            server.waitForExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Ends every client connection as a crash of the server side would: SIGKILL to the per-connection sshd processes
    /// (the listener's descendants), which closes their sockets. Returns how many processes were killed.
    @discardableResult
    func dropConnections() -> Int {
        guard let listener = server?.pid else { return 0 }
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        func descends(_ pid: pid_t) -> Bool {
            var current = parents[pid]
            while let parent = current, parent > 1 {
                if parent == listener { return true }
                current = parents[parent]
            }
            return false
        }
        let sessions = parents.keys.filter(descends)
        for pid in sessions { kill(pid, SIGKILL) }
        return sessions.count
    }

    /// Starts the `sftp` client running `commands` (its batch mode) as the partner; `kilobitsPerSecond` limits it.
    /// Paths in `commands` are absolute or relative to the server's start folder (remote) and absolute (local).
    func sftp(_ commands: [String], kilobitsPerSecond: Int? = nil) throws -> SpawnedProgram {
        let batch = folder + "/batch-\(UUID().uuidString.prefix(8))"
        try Data((commands.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: batch))
        let arguments = ["/usr/bin/sftp", "-F", "/dev/null", "-b", batch, "-P", String(port), "-i", partnerKey,
                         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                         "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)",
                         "-o", "GlobalKnownHostsFile=/dev/null"]
            + (kilobitsPerSecond.map { ["-l", String($0)] } ?? []) + ["\(user)@127.0.0.1"]
        return try SpawnedProgram(arguments, output: folder + "/sftp-\(UUID().uuidString.prefix(8)).err")
    }

    private static func keygen(_ path: String) throws {
        let result = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ferry-test", "-f", path])
        guard result.status == 0 else { throw ServerError("ssh-keygen failed: \(result.error)") }
    }

    /// A port the kernel just handed out on 127.0.0.1 (free now; sshd binds it a moment later).
    static func freeLoopbackPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ServerError("socket: errno \(errno)") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else { throw ServerError("bind 127.0.0.1:0: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
