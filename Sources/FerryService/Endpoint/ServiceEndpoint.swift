import Ferry
import Foundation
import Logging

/// What `ferry watch --http` serves: `/metrics`, `/healthz`, `/readyz`, the status page at `/` (and
/// `/status.json`), the notes and rejects reports it links to, and retry of failed files by POST.
public struct ServiceEndpoint: Sendable {
    public let workspace: Workspace
    public let templatesFolder: String?
    public let metrics: FerryMetrics
    public let board: ProgressBoard
    public let address: BindAddress
    /// Required for POSTs when `address` is not loopback; without one, retry from the page is off there.
    public let token: String?
    /// Builds an explainer with the templates as they are now (called once per page).
    public let explainer: @Sendable () -> (@Sendable (String) -> [String])?
    public let logger: Logger

    /// Waiting files explained on the page; explaining reads each file (its digest), so not hundreds a refresh.
    static let explainedFiles = 10
    static let recentDeliveries = 20

    public init(workspace: Workspace, templatesFolder: String?, metrics: FerryMetrics, board: ProgressBoard, address: BindAddress,
                token: String?, explainer: @escaping @Sendable () -> (@Sendable (String) -> [String])?, logger: Logger) {
        self.workspace = workspace
        self.templatesFolder = templatesFolder
        self.metrics = metrics
        self.board = board
        self.address = address
        self.token = token
        self.explainer = explainer
        self.logger = logger
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/healthz"), ("HEAD", "/healthz"):
            return .text(200, "ok")
        case ("GET", "/readyz"), ("HEAD", "/readyz"):
            let problems = readinessProblems()
            return problems.isEmpty ? .text(200, "ready") : .text(503, "not ready:\n" + problems.joined(separator: "\n"))
        case ("GET", "/metrics"):
            if let status = snapshot() { metrics.record(status) }
            return HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        case ("GET", "/"):
            return HTTPResponse(contentType: "text/html; charset=utf-8", body: statusPage(request))
        case ("GET", "/status.json"):
            guard let status = snapshot() else { return .text(503, "the ledger cannot be read") }
            return HTTPResponse(contentType: "application/json", body: JSONLine.encode(StatusRecord(status, root: workspace.root)) + "\n")
        case ("GET", _) where request.path.hasPrefix("/files/"):
            return sideFile(String(request.path.dropFirst("/files/".count)))
        case ("POST", "/retry"):
            return retry(request)
        case (_, "/healthz"), (_, "/readyz"), (_, "/metrics"), (_, "/"), (_, "/retry"), (_, "/status.json"):
            return .text(405, "method not allowed")
        default:
            return .text(404, "not found: \(request.path)")
        }
    }

    /// Empty when the ledger answers and every folder is there and writable.
    func readinessProblems() -> [String] {
        var problems: [String] = []
        for (name, path) in [("inbox", workspace.inbox), ("outbox", workspace.outbox), ("archive", workspace.archive), ("failed", workspace.failed)]
        where access(path, W_OK | X_OK) != 0 {
            problems.append("\(name)/ is not usable: \(String(validatingCString: strerror(errno)) ?? "error \(errno)")")
        }
        do {
            _ = try Ledger(workspace: workspace).history(limit: 1)
        } catch {
            metrics.ledgerFailed()
            problems.append("the ledger cannot be read: \(error)")
        }
        return problems
    }

    func snapshot() -> StatusSnapshot? {
        do {
            return try StatusSnapshot.read(workspace, templatesFolder: templatesFolder)
        } catch {
            metrics.ledgerFailed()
            logger.warning("status page: cannot read the workspace", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func statusPage(_ request: HTTPRequest) -> String {
        guard let status = snapshot() else {
            return StatusPage.failure("The workspace's ledger cannot be read; see the watcher's log.")
        }
        let explain = explainer()
        var explanations: [String: [String]] = [:]
        for file in status.waiting.prefix(Self.explainedFiles) {
            explanations[file.name] = explain?(file.name) ?? []
        }
        let ledger = try? Ledger(workspace: workspace)
        let deliveries = ((try? ledger?.history(limit: 200)) ?? []).filter { $0.state == .done }.prefix(Self.recentDeliveries)
        let page = StatusPage(root: workspace.root, status: status, progress: board.current, explanations: explanations,
                              deliveries: Array(deliveries), totals: (try? ledger?.totalsByTemplate()) ?? [],
                              retryNeedsToken: !address.isLoopback, retryEnabled: address.isLoopback || token != nil,
                              message: request.query["retried"].map { "Put back into the inbox: \($0)" },
                              problem: request.query["problem"])
        return page.html()
    }

    /// A failure note or rejects report the page links to; nothing else of the workspace is served.
    private func sideFile(_ path: String) -> HTTPResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, ["failed", "reports"].contains(parts[0]), !parts[1].hasPrefix("."),
              parts[1].hasSuffix(".rejects.csv") || parts[1].hasSuffix(".error.txt") else {
            return .text(404, "not found")
        }
        let name = HTTPRequest.percentDecoded(parts[1])
        guard !name.contains("/"), let data = FileManager.default.contents(atPath: workspace.root + "/\(parts[0])/" + name) else {
            return .text(404, "not found: \(parts[0])/\(name)")
        }
        return HTTPResponse(contentType: name.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8",
                            body: String(decoding: data, as: UTF8.self))
    }

    private func retry(_ request: HTTPRequest) -> HTTPResponse {
        // A page elsewhere must not make the admin's browser retry files (cross-site request forgery).
        if request.headers["sec-fetch-site"].map({ $0 != "same-origin" && $0 != "none" }) == true {
            return .text(403, "cross-site requests cannot retry files")
        }
        if let origin = request.headers["origin"], let host = request.headers["host"], origin != "http://" + host {
            return .text(403, "cross-origin requests cannot retry files")
        }
        let form = HTTPRequest.formFields(Substring(String(decoding: request.body, as: UTF8.self)))
        if !address.isLoopback {
            guard let token else { return .text(403, "retry from the page is off: the endpoint is not on loopback and has no token (README: HTTP endpoint)") }
            guard let given = form["token"] ?? request.headers["authorization"]?.replacingOccurrences(of: "Bearer ", with: ""),
                  Self.constantTimeEqual(given, token) else {
                return .text(403, "wrong or missing token")
            }
        }
        guard let name = form["file"], !name.isEmpty else { return .text(400, "which file? (form field file)") }
        do {
            let outcome = try Retry(workspace: workspace).run([name])
            if let skipped = outcome.skipped.first {
                return .seeOther("/?problem=" + Self.query("\(skipped.name): \(skipped.reason)"))
            }
            logger.notice("retried from the status page", metadata: ["file": "\(name)", "peer": "\(request.peer)"])
            return .seeOther("/?retried=" + Self.query(name))
        } catch {
            return .seeOther("/?problem=" + Self.query("\(error)"))
        }
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))) ?? ""
    }

    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
