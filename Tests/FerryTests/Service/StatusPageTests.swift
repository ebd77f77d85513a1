import Foundation
import Testing
@testable import Ferry

/// The status page at `/`, loaded in headless Chromium during a watch with a waiting, an in-progress and
/// a failed file; retry from the page.
@Suite("status page", .serialized)
struct StatusPageTests {
    static let template = """
    takes: accounts*.csv
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
      name: name
    max_rejects: 1
    """

    func workspace(http: String = "127.0.0.1:0") throws -> TemporaryWorkspace {
        try TemporaryWorkspace(accountsTemplate: Self.template, config: "version: 1\nhttp: \(http)\n")
    }

    @Test("Chromium shows what waits and why, the file in progress, the failed file with its reason; retry from the page delivers it")
    func pageInChromium() throws {
        let chromium = try Chromium.require()
        let scratch = try workspace()
        let watcher = try ServedWatcher(root: scratch.root, arguments: ["--settle", "0.3", "--workers", "2"])
        let base = try watcher.baseURL()

        try scratch.drop("accounts-bad.csv", "accountnumber,name\n,no number\n,none either\nACC-1,one\n")
        #expect(waitFor { FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv") })
        // Waiting: a file another process still writes.
        let open = scratch.workspace.inbox + "/accounts-open.csv"
        _ = FileManager.default.createFile(atPath: open, contents: Data("accountnumber,name\nACC-7,seven\n".utf8))
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: open))
        defer { try? writer.close() }
        // In progress: a file large enough to be caught while it is read.
        var big = Data("accountnumber,name\n".utf8)
        let line = Data("ACC-0000000,Northwind Traders in progress\n".utf8)
        for _ in 0..<500_000 { big.append(line) }
        try big.write(to: URL(fileURLWithPath: scratch.root + "/accounts-big.csv.tmp"))
        try FileManager.default.moveItem(atPath: scratch.root + "/accounts-big.csv.tmp", toPath: scratch.workspace.inbox + "/accounts-big.csv")
        #expect(waitFor(60) { try curl(base + "/status.json").body.contains("\"in_progress\":[{") }, "the big file is taken: \(watcher.output.suffix(1000))")

        let dom = try chromium.dumpDOM(base + "/")
        let screenshot = try chromium.screenshot(base + "/", name: "status-page")
        let text = Chromium.visibleText(dom)
        #expect(text.contains("Waiting in the inbox"))
        #expect(text.contains("accounts-open.csv"))
        #expect(text.contains("Another process has it open for writing"), "explain's reason on the page: \(text.prefix(3000))")
        #expect(text.contains("In progress") && text.contains("accounts-big.csv"))
        #expect(dom.contains("<progress max=\"100\" value=\""))
        #expect(text.contains("Failed") && text.contains("accounts-bad.csv"))
        #expect(text.contains("rejected"), "the failure note's reason")
        #expect(dom.contains("href=\"/files/failed/accounts-bad.csv.rejects.csv\""))
        #expect(dom.contains("<form method=\"post\" action=\"/retry\"><input type=\"hidden\" name=\"file\" value=\"accounts-bad.csv\">"))
        #expect(text.contains("Per template") && text.contains("accounts"))
        #expect(!dom.contains("http://") || !dom.contains("<script"), "no script, nothing fetched from elsewhere")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG at \(screenshot)")
        let rejects = try curl(base + "/files/failed/accounts-bad.csv.rejects.csv")
        #expect(rejects.status == 200 && rejects.body.contains("accountnumber"))

        // Fix the template (the watcher reloads it), then retry the file as the page's form does.
        try Data(Self.template.replacingOccurrences(of: "max_rejects: 1", with: "max_rejects: unlimited").utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        #expect(waitFor { watcher.output.contains("templates reloaded") })
        let retried = try curl(base + "/retry", ["--data-urlencode", "file=accounts-bad.csv"])
        #expect(retried.status == 303, "\(retried.body)")
        #expect(retried.headers.contains("Location: /?retried=accounts-bad.csv"))
        #expect(waitFor(60) {
            ((try? runProcess(ferryExecutable(), ["history", "--json", "--name", "accounts-bad.csv", "--limit", "1", "--root", scratch.root]).output) ?? "")
                .contains("\"state\":\"done\"")
        }, "the retried file is delivered: \(watcher.output.suffix(3000))")
        #expect(!FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv"))
        let after = Chromium.visibleText(try chromium.dumpDOM(base + "/?retried=accounts-bad.csv"))
        #expect(after.contains("Put back into the inbox: accounts-bad.csv"))
        #expect(after.contains("Last deliveries"))
        _ = watcher.stop()
    }

    @Test("bound beyond loopback, retry needs the token; a cross-site POST is refused on loopback too")
    func retryGuards() throws {
        let scratch = try workspace(http: "0.0.0.0:0")
        let watcher = try ServedWatcher(root: scratch.root, arguments: ["--settle", "0.2"], environment: ["FERRY_HTTP_TOKEN": "s3cret-token"])
        let base = try watcher.baseURL().replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1")
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n,x\n,y\n")
        #expect(waitFor { FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv") })
        #expect(try curl(base + "/").body.contains("name=\"token\""))
        #expect(try curl(base + "/retry", ["--data-urlencode", "file=accounts-bad.csv"]).status == 403)
        #expect(try curl(base + "/retry", ["--data-urlencode", "file=accounts-bad.csv", "--data-urlencode", "token=wrong"]).status == 403)
        #expect(try curl(base + "/retry", ["-H", "Origin: http://attacker.example", "--data-urlencode", "file=accounts-bad.csv",
                                           "--data-urlencode", "token=s3cret-token"]).status == 403)
        #expect(FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv"), "nothing was retried yet")
        let retried = try curl(base + "/retry", ["--data-urlencode", "file=accounts-bad.csv", "--data-urlencode", "token=s3cret-token"])
        #expect(retried.status == 303)
        #expect(!FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv.error.txt") ||
                waitFor { FileManager.default.fileExists(atPath: scratch.workspace.failed + "/accounts-bad.csv") })
        _ = watcher.stop()
    }
}

/// Debian's headless Chromium (installed with apt-get when missing and the test runs as root).
struct Chromium {
    let path: String
    static let output = Fixtures.packageRoot + "/.build/test-output"

    static func require() throws -> Chromium {
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        if !candidates.contains(where: FileManager.default.isExecutableFile), getuid() == 0 {
            _ = try runProcess("/usr/bin/env", ["apt-get", "install", "-y", "-qq", "chromium"], environment: ["DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        }
        let found = candidates.first(where: FileManager.default.isExecutableFile)
        let path = try #require(found, "Debian's chromium is needed for the status page test: apt-get install chromium")
        return Chromium(path: path)
    }

    private func arguments(_ extra: [String]) -> [String] {
        let profile = FileManager.default.temporaryDirectory.path + "/ferry-chromium-\(UUID().uuidString)"
        return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1280,1400", "--virtual-time-budget=2000"] + extra
    }

    func dumpDOM(_ url: String) throws -> String {
        let result = try runProcess(path, arguments(["--dump-dom", url]))
        try #require(result.status == 0 && result.output.contains("</html>"), "chromium --dump-dom failed: \(result.error.suffix(1000))")
        return result.output
    }

    /// Saves a PNG under .build/test-output/ and returns its path.
    func screenshot(_ url: String, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: Self.output, withIntermediateDirectories: true)
        let file = Self.output + "/\(name).png"
        try? FileManager.default.removeItem(atPath: file)
        let result = try runProcess(path, arguments(["--screenshot=" + file, url]))
        try #require(FileManager.default.fileExists(atPath: file), "chromium --screenshot wrote nothing: \(result.error.suffix(1000))")
        return file
    }

    /// The DOM's text without tags and entities, whitespace collapsed.
    static func visibleText(_ dom: String) -> String {
        var text = dom.replacingOccurrences(of: "<style[^>]*>[\\s\\S]*?</style>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }
}
