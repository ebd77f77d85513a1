import Foundation
import Testing
@testable import Ferry

@Suite("the workspace")
struct WorkspaceTests {
    /// A folder on another file system than the temporary folder, when the machine has one (/dev/shm is a tmpfs).
    static let otherFileSystem: String? = {
        var temporary = stat(), shared = stat()
        guard stat(FileManager.default.temporaryDirectory.path, &temporary) == 0, stat("/dev/shm", &shared) == 0,
              temporary.st_dev != shared.st_dev, access("/dev/shm", W_OK) == 0 else { return nil }
        return "/dev/shm"
    }()

    @Test("a workspace folder on another file system is refused at start, naming it, before anything is taken",
          .enabled(if: otherFileSystem != nil, "needs /dev/shm on another file system than the temporary folder"))
    func folderOnAnotherFileSystem() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        let elsewhere = try #require(Self.otherFileSystem) + "/ferry-archive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try FileManager.default.removeItem(atPath: scratch.workspace.archive)
        try FileManager.default.createSymbolicLink(atPath: scratch.workspace.archive, withDestinationPath: elsewhere)
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")

        let refused = try scratch.ferry()
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("archive/ (\(elsewhere)) is on another file system than .ferry/work/"), "\(refused.output)")
        #expect(refused.output.contains("cannot cross file systems"))
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-1.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
    }
}
