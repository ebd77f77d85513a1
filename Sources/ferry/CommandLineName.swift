#if canImport(Glibc)
import Glibc
#endif
import Ferry

/// A file name given on the command line, as the file system has it. The shell passes bytes; Swift's
/// `CommandLine.arguments` replaces those that are not UTF-8, so they are read again from `argv`. A name
/// typed in Ferry's display form (`accounts-\xFF.csv`, as `status` and the logs show it) works too.
enum CommandLineName {
    static func recovered(_ argument: String) -> String {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
            guard String(decoding: bytes, as: UTF8.self) == argument else { continue }
            let exact = FileName.decoded(bytes)
            if exact != argument { return exact }
        }
        return FileName.parsingDisplay(argument)
    }
}
