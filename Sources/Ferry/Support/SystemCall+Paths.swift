#if canImport(Glibc)
import Glibc
import CLinux
#elseif canImport(Darwin)
import Darwin
#endif

/// The path-taking calls, given the file system's bytes of each path (names need not be UTF-8; see
/// `FileName`). Every call on a path that may hold an input's name goes through these.
extension SystemCall {
    static func withPath<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        let bytes = FileName.bytes(of: path)
        return try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { characters in
                var terminated = Array(characters)
                terminated.append(0)
                return try terminated.withUnsafeBufferPointer { try body($0.baseAddress!) }
            }
        }
    }

    static func lstat(_ path: String, _ info: inout stat) -> Int32 {
        withPath(path) { Glibc.lstat($0, &info) }
    }

    /// Whether something (also a dangling link) has this name.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        withPath(path) { Glibc.open($0, flags, mode) }
    }

    static func rename(_ source: String, _ destination: String) -> Int32 {
        withPath(source) { from in withPath(destination) { to in Glibc.rename(from, to) } }
    }

    /// rename(2) that fails with EEXIST instead of replacing; EINVAL or ENOSYS where unsupported.
    static func renameNoReplace(_ source: String, _ destination: String) -> Int32 {
        #if os(Linux)
        withPath(source) { from in withPath(destination) { to in ferry_rename_noreplace(from, to) } }
        #else
        errno = ENOSYS
        return -1
        #endif
    }

    static func link(_ source: String, _ destination: String) -> Int32 {
        withPath(source) { from in withPath(destination) { to in Glibc.link(from, to) } }
    }

    @discardableResult
    static func unlink(_ path: String) -> Int32 {
        withPath(path) { Glibc.unlink($0) }
    }

    /// The names in `folder` as the file system has them (`.` and `..` left out), unsorted; nil with
    /// errno set when the folder cannot be read.
    static func names(in folder: String) -> [String]? {
        guard let directory = withPath(folder, { opendir($0) }) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                FileName.decoded(raw.prefix { $0 != 0 })
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
