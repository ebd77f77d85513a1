import Ferry
import Foundation

/// The status page: plain HTML and CSS, no script and nothing fetched from elsewhere; it reloads itself
/// every 5 seconds.
struct StatusPage {
    let root: String
    let status: StatusSnapshot
    let progress: [ProgressBoard.File]
    let explanations: [String: [String]]
    let deliveries: [Ledger.Entry]
    let totals: [Ledger.Totals]
    let retryNeedsToken: Bool
    let retryEnabled: Bool
    let message: String?
    let problem: String?

    func html() -> String {
        var body = header()
        if let message { body += "<p class=\"message\" id=\"message\">\(escape(message))</p>\n" }
        if let problem { body += "<p class=\"problem\" id=\"problem\">\(escape(problem))</p>\n" }
        body += nodesSection() + templatesSection() + waitingSection() + progressSection() + failedSection() + deliveriesSection() + totalsSection()
        return Self.document(title: "Ferry: \(root)", body: body)
    }

    static func failure(_ text: String) -> String {
        document(title: "Ferry", body: "<h1>Ferry</h1>\n<p class=\"problem\">\(escape(text))</p>\n")
    }

    private func header() -> String {
        let alive = status.nodes.filter { $0.state == "running" && !$0.leaseExpired }.count
        let running = !status.nodes.isEmpty ? "\(alive) of \(status.nodes.count) nodes running"
            : status.holder.map { "running (\(escape($0)))" } ?? "not running in this workspace"
        return """
        <header><h1>Ferry <small>\(escape(FerryVersion.current))</small></h1>
        <p>Workspace <code>\(escape(root))</code>: \(running). \
        <span class="count" id="summary">\(status.waiting.count) waiting, \(status.inProgress.count) in progress, \
        \(status.failed.count) failed, \(status.outboxPackages) packages in outbox/\(status.deliveryWaiting.isEmpty ? "" : ", \(status.deliveryWaiting.count) deliveries waiting")</span></p>
        </header>

        """
    }

    /// Only with a shared ledger: every node, its lease and what it holds.
    private func nodesSection() -> String {
        guard !status.nodes.isEmpty else { return "" }
        let rows = status.nodes.map { node in
            let state = node.leaseExpired ? "lease expired" : node.state == "recovered" ? "recovered by \(node.recoveredBy ?? "?")" : node.state
            return "<tr class=\"\(node.leaseExpired ? "expired" : escape(node.state))\"><td>\(escape(node.node))</td><td>\(escape(state))</td>"
                + "<td class=\"n\">\(String(format: "%.1f", node.secondsSinceHeartbeat)) s</td><td class=\"n\">\(Int(node.leaseSeconds)) s</td>"
                + "<td>pid \(node.pid) on \(escape(node.host))</td><td class=\"n\">\(node.inHand)</td></tr>"
        }
        return section("nodes", "Nodes", table(["node", "state", "last heartbeat", "lease", "process", "in hand"], rows))
    }

    private func templatesSection() -> String {
        let rows = status.templates.map { template in
            "<tr class=\"\(escape(template.status))\"><td>\(escape(template.name))</td><td>\(escape(template.status))</td>"
                + "<td><code>\(escape(template.version ?? ""))</code></td><td>\(escape(firstLine(template.error)))</td></tr>"
        }
        return section("templates", "Templates", rows.isEmpty ? nil : table(["template", "status", "version", "problem"], rows))
    }

    private func waitingSection() -> String {
        let items = status.waiting.map { file -> String in
            let reasons = explanations[file.name].map { "<ul class=\"reasons\">" + $0.map { "<li>\(escape($0))</li>" }.joined() + "</ul>" } ?? ""
            return "<li><b>\(escape(FileName.display(file.name)))</b> <span class=\"meta\">\(Self.bytes(file.size)), "
                + "unchanged for \(Int(file.age)) s</span>\(reasons)</li>"
        }
        return section("waiting", "Waiting in the inbox", items.isEmpty ? nil : "<ul>\(items.joined())</ul>")
    }

    private func progressSection() -> String {
        var rows = progress.map { file in
            "<tr><td>\(escape(FileName.display(file.name)))</td><td>\(escape(file.template ?? "-"))</td>"
                + "<td><progress max=\"100\" value=\"\(file.percent)\">\(file.percent)%</progress> \(file.percent)%</td>"
                + "<td>\(file.rows) rows, \(Self.bytes(file.bytesRead)) of \(Self.bytes(file.size))</td></tr>"
        }
        // Claimed by another Ferry process (a ferry run beside the page's watcher is refused, but a replay is not).
        let shown = Set(progress.map(\.name))
        rows += status.inProgress.filter { !shown.contains($0.name) }.map { file in
            "<tr><td>\(escape(FileName.display(file.name)))</td><td>\(escape(file.template ?? "-"))</td><td>claimed \(escape(file.claimedAt))</td><td>\(Self.bytes(file.size))</td></tr>"
        }
        return section("progress", "In progress", rows.isEmpty ? nil : table(["file", "template", "progress", "read"], rows))
    }

    private func failedSection() -> String {
        let items = status.failed.map { file -> String in
            var item = "<li><b>\(escape(FileName.display(file.name)))</b> <a href=\"/files/failed/\(link(file.name + ".error.txt"))\">note</a>"
            if let rejects = file.rejectsReport {
                item += " <a href=\"/files/failed/\(link((rejects as NSString).lastPathComponent))\">rejects report</a>"
            }
            item += "<pre class=\"reason\">\(escape(file.reason))</pre>"
            if retryEnabled {
                let token = retryNeedsToken ? "<input type=\"password\" name=\"token\" placeholder=\"token\" required> " : ""
                item += "<form method=\"post\" action=\"/retry\"><input type=\"hidden\" name=\"file\" value=\"\(escape(file.name))\">"
                    + "\(token)<button type=\"submit\">Retry</button></form>"
            }
            return item + "</li>"
        }
        return section("failed", "Failed", items.isEmpty ? nil : "<ul>\(items.joined())</ul>")
    }

    private func deliveriesSection() -> String {
        let rows = deliveries.map { entry -> String in
            let outputs = entry.outputs.map { escape(($0 as NSString).lastPathComponent) }.joined(separator: "<br>")
            return "<tr><td>\(escape(entry.finishedAt ?? entry.claimedAt))</td><td>\(escape(FileName.display(entry.name)))</td>"
                + "<td>\(escape(entry.template ?? "-"))</td><td class=\"n\">\(entry.rowsRead)</td><td class=\"n\">\(entry.rowsWritten)</td>"
                + "<td class=\"n\">\(entry.rowsRejected)</td><td>\(outputs)</td></tr>"
        }
        return section("deliveries", "Last deliveries",
                       rows.isEmpty ? nil : table(["finished (UTC)", "file", "template", "read", "written", "rejected", "packages"], rows))
    }

    private func totalsSection() -> String {
        var byTemplate: [String: [Ledger.State: Ledger.Totals]] = [:]
        for total in totals { byTemplate[total.template ?? "(none)", default: [:]][total.state] = total }
        let rows = byTemplate.keys.sorted().map { name -> String in
            let states = byTemplate[name] ?? [:]
            let count = { (state: Ledger.State) in states[state]?.files ?? 0 }
            let rows = states.values.reduce((0, 0, 0)) { ($0.0 + $1.rowsRead, $0.1 + $1.rowsWritten, $0.2 + $1.rowsRejected) }
            let last = states[.done]?.lastFinishedAt ?? "-"
            return "<tr><td>\(escape(name))</td><td class=\"n\">\(count(.done))</td><td class=\"n\">\(count(.failed))</td>"
                + "<td class=\"n\">\(count(.duplicate))</td><td class=\"n\">\(rows.0)</td><td class=\"n\">\(rows.1)</td>"
                + "<td class=\"n\">\(rows.2)</td><td>\(escape(last))</td></tr>"
        }
        return section("totals", "Per template (the whole ledger)", rows.isEmpty ? nil
            : table(["template", "delivered", "failed", "duplicates", "rows read", "written", "rejected", "last delivery"], rows))
    }

    private func section(_ id: String, _ title: String, _ content: String?) -> String {
        "<section id=\"\(id)\"><h2>\(title)</h2>\n\(content ?? "<p class=\"none\">None.</p>")\n</section>\n"
    }

    private func table(_ header: [String], _ rows: [String]) -> String {
        "<table><thead><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>" + rows.joined() + "</tbody></table>"
    }

    private func firstLine(_ text: String?) -> String { String((text ?? "").split(separator: "\n").first ?? "") }

    private func link(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
    }

    private func escape(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func bytes(_ count: Int64) -> String {
        count < 10_000 ? "\(count) B" : count < 10_000_000 ? "\(count / 1000) kB" : "\(count / 1_000_000) MB"
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #1d232a; background: #fafbfc; }
        h1 small { font-weight: normal; color: #6a737d; font-size: 60%; }
        h2 { font-size: 1.1em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; margin-top: 1.6em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #eaeef2; vertical-align: top; }
        th { background: #f0f3f6; font-weight: 600; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        ul { padding-left: 1.2em; } li { margin: .4em 0; }
        ul.reasons { color: #57606a; margin: .2em 0; }
        .meta, .none { color: #6a737d; }
        pre.reason { white-space: pre-wrap; background: #fff5f5; border-left: 3px solid #cf222e; padding: .4em .6em; margin: .3em 0; }
        progress { width: 12em; vertical-align: middle; }
        tr.broken td, tr.disabled td { color: #cf222e; } tr.last-good td { color: #9a6700; }
        .message { background: #dafbe1; padding: .5em; } .problem { background: #ffebe9; padding: .5em; }
        form { display: inline; } button { cursor: pointer; }
        </style></head>
        <body>
        \(body)</body></html>

        """
    }
}
