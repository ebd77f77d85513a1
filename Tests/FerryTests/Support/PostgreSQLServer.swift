import Foundation

/// A real PostgreSQL server of its own: `initdb` into a temporary folder, `pg_ctl start` on a loopback port
/// (no Unix socket outside the folder), trust authentication for the test's own user. Stopped and removed when released.
final class PostgreSQLServer {
    let folder: String
    let port: Int
    let user = "ferry"
    private let binaries: String

    /// `postgres://ferry@127.0.0.1:<port>/<database>`.
    func url(database: String = "postgres") -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// With `tls`, the server also speaks TLS with a self-signed certificate for 127.0.0.1 (`<folder>/server.crt`).
    init(tls: Bool = false) throws {
        guard let binaries = Self.findBinaries() else {
            throw ServerError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: install Debian's postgresql (.ci/run does)")
        }
        self.binaries = binaries
        folder = FileManager.default.temporaryDirectory.path + "/ferry-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = try OpenSSHServer.freeLoopbackPort()
        // The server refuses to run as root: as root, the cluster belongs to `nobody`, which runs it.
        let asUser = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        if getuid() == 0 { _ = try runProcess("/bin/chown", ["nobody", folder]) }
        self.asUser = asUser
        let initdb = try SpawnedProgram.run(asUser + [binaries + "/initdb", "-D", folder + "/data", "-U", user, "-A", "trust",
                                                      "--no-sync", "-E", "UTF8", "--locale", "C"], output: folder + "/initdb.log")
        guard initdb == 0 else { throw ServerError("initdb failed: \(Self.read(folder + "/initdb.log"))") }
        var settings = "-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories='\(folder)' -c fsync=off"
        if tls {
            let made = try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/server.key", "-out", folder + "/server.crt"])
            guard made.status == 0 else { throw ServerError("openssl failed: \(made.error)") }
            chmod(folder + "/server.key", 0o600)
            if getuid() == 0 { _ = try runProcess("/bin/chown", ["nobody", folder + "/server.key", folder + "/server.crt"]) }
            settings += " -c ssl=on -c ssl_cert_file=\(folder)/server.crt -c ssl_key_file=\(folder)/server.key"
        }
        // pg_ctl, not Foundation's Process: the server it leaves running keeps the descriptors Process watches.
        let start = try SpawnedProgram.run(asUser + [binaries + "/pg_ctl", "-D", folder + "/data", "-l", folder + "/server.log", "-w",
                                                     "-o", settings,
                                                     "start"], output: folder + "/pg_ctl.log")
        guard start == 0 else {
            throw ServerError("pg_ctl start failed: \(Self.read(folder + "/pg_ctl.log"))\n\(Self.read(folder + "/server.log"))")
        }
        started = true
    }

    private var asUser: [String] = []
    private var started = false

    deinit {
        if started {
            _ = try? SpawnedProgram.run(asUser + [binaries + "/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"],
                                        output: "/dev/null")
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Runs SQL through `psql` (to create databases, to look at what Ferry wrote).
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try runProcess(binaries + "/psql", [ "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql])
        guard result.status == 0 else { throw ServerError("psql failed: \(result.error)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func findBinaries() -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }
}
