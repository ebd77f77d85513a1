import Foundation
import Testing
@testable import Ferry

/// Partners upload with the real `sftp` client to a real OpenSSH server while `ferry watch` runs on the inbox.
@Suite("SFTP inbound", .serialized)
struct SFTPInboundTests {
    /// One partner upload: the local file, how it is sent, and how many rows it holds.
    struct Upload {
        let name: String
        let rows: Range<Int>
        let commands: [String]
    }

    @Test("slow, .part-then-rename and put -p uploads are each taken once, only when complete")
    func uploadsWhileWatching() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(WatchTests.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        let outgoing = scratch.root + "/partner"
        try FileManager.default.createDirectory(atPath: outgoing, withIntermediateDirectories: true)

        let uploads = [
            Upload(name: "accounts-slow.csv", rows: 0..<40_000, commands: ["put \(outgoing)/accounts-slow.csv accounts-slow.csv"]),
            Upload(name: "accounts-renamed.csv", rows: 100_000..<130_000,
                   commands: ["put \(outgoing)/accounts-renamed.csv accounts-renamed.csv.part",
                              "rename accounts-renamed.csv.part accounts-renamed.csv"]),
            Upload(name: "accounts-old.csv", rows: 200_000..<230_000, commands: ["put -p \(outgoing)/accounts-old.csv accounts-old.csv"]),
        ]
        for upload in uploads {
            let path = outgoing + "/" + upload.name
            try Data(("accountnumber\n" + WatchTests.rows(upload.rows)).utf8).write(to: URL(fileURLWithPath: path))
        }
        let yearsAgo = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: yearsAgo], ofItemAtPath: outgoing + "/accounts-old.csv")

        let server = try OpenSSHServer(uploadFolder: scratch.workspace.inbox)
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        // About 64 KB/s each: the 400 KB upload takes seconds, far past the 0.6 s settle time.
        let clients = try uploads.map { try server.sftp($0.commands, kilobitsPerSecond: 512) }

        var takenEarly: [String] = []
        var sawInbox: Set<String> = []
        var statuses: [Int32?] = clients.map { _ in nil }
        while statuses.contains(nil) {
            let archived = Set(scratch.archived)
            let inbox = Set(scratch.files(in: scratch.workspace.inbox))
            for (index, client) in clients.enumerated() where statuses[index] == nil {
                statuses[index] = client.exitStatus()
                guard statuses[index] == nil else { continue }
                if archived.contains(uploads[index].name) { takenEarly.append(uploads[index].name) }
                if inbox.contains(uploads[index].name) || inbox.contains(uploads[index].name + ".part") { sawInbox.insert(uploads[index].name) }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        for (upload, status) in zip(uploads, statuses) {
            #expect(status == 0, "sftp of \(upload.name) failed: \(server.clientErrors)\nsshd log:\n\(server.log)")
        }
        #expect(sawInbox == Set(uploads.map(\.name)), "every upload was seen in progress in the inbox")
        #expect(takenEarly.isEmpty, "taken while the partner was still uploading: \(takenEarly)")

        // Generous: on a loaded machine (CI beside other builds) three files can take long; the assertion is the same.
        #expect(WatchTests.eventually(90) { scratch.archived == uploads.map(\.name).sorted() })
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty)
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.count == uploads.count, "one package per upload: \(packages)")
        let rowCounts = packages.map { scratch.text(scratch.workspace.outbox + "/" + $0).split(separator: "\r\n").count - 1 }
        #expect(rowCounts.sorted() == uploads.map(\.rows.count).sorted(), "every package holds its whole upload")
        let archivedOld = try #require(scratch.files(in: scratch.workspace.archive).first)
        let oldTime = try FileManager.default.attributesOfItem(
            atPath: scratch.workspace.archive + "/" + archivedOld + "/accounts-old.csv")[.modificationDate] as? Date
        #expect(oldTime == yearsAgo, "put -p kept the partner's old modification time")
        #expect(watcher.stop() == 0)
    }
}
