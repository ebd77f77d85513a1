import Foundation

/// A program started with `posix_spawn` and reaped with `waitpid` by the test itself. For servers: Foundation's
/// `Process` learns of an exit from a socket the child inherits, and a daemon that closes its inherited descriptors
/// (sshd, sftp) or hands them to a grandchild (pg_ctl's postmaster) stalls Foundation's watch over every other
/// process of the test run while it lives.
struct SpawnedProgram {
    let pid: pid_t

    /// Starts `arguments[0]` with standard output and error appended to `output`.
    init(_ arguments: [String], output: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var started: pid_t = 0
        let status = posix_spawn(&started, arguments[0], &actions, nil, &argv, environ)
        guard status == 0 else { throw ServerError("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
        pid = started
    }

    /// Runs a program to its end; returns its exit status.
    static func run(_ arguments: [String], output: String) throws -> Int32 {
        try SpawnedProgram(arguments, output: output).waitForExit()
    }

    /// Waits for the program to end; returns its exit status (128 + the signal when a signal ended it).
    @discardableResult
    func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// True once the program has ended (and reaps it).
    func hasExited() -> Bool { exitStatus() != nil }

    /// The exit status once the program has ended (reaping it; ask once), nil while it runs.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
