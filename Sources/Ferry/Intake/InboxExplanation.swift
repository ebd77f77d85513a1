#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `ferry explain`: why a file in the inbox has not been taken (or what became of it).
public struct InboxExplanation: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    public let forcedTemplate: Template?
    public let policy: ReadinessPolicy
    public let maxOutboxPackages: Int

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                policy: ReadinessPolicy = ReadinessPolicy(), maxOutboxPackages: Int = 1000) {
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
        self.policy = policy
        self.maxOutboxPackages = maxOutboxPackages
    }

    /// Sentences, most important first.
    public func explain(_ pathOrName: String) throws -> [String] {
        let name = (pathOrName as NSString).lastPathComponent
        let path = workspace.inbox + "/" + name
        let ledger = try Ledger(workspace: workspace)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard let last = try ledger.history(limit: 1, name: name).first else {
                return ["\(name) is not in the inbox, and the ledger has no record of it."]
            }
            return ["\(name) is not in the inbox. Ledger entry \(last.id) (\(last.claimedAt)): \(last.state.rawValue)"
                    + (last.inputNowAt.map { ", now at \($0)" } ?? "") + (last.error.map { ". \($0)" } ?? "")]
        }
        if (info.st_mode & S_IFMT) != S_IFREG { return ["\(name) is not a regular file (a folder or a link): Ferry never takes it."] }
        if Inbox.isLitter(name) { return ["\(name) is ignored: operating systems and editors leave such files in folders by themselves (Thumbs.db, desktop.ini, backups ending in ~, .swp). Ferry never takes it."] }
        if Inbox.isInProgressName(name) { return ["\(name) is ignored: its name is one uploaders use while writing (.part, .filepart, .tmp, ~$, dot files). It is taken once it is renamed."] }
        if policy.requireDoneMarker && ReadinessPolicy.isMarker(name) { return ["\(name) is a done marker: it releases the file it names, it is not an input."] }

        var lines: [String] = []
        let size = Int64(info.st_size)
        let router = TemplateRouter(templates: templates, forced: forcedTemplate)
        if let bundle = (try? BundleKind.detect(path: path, displayName: name, limits: DecompressionLimits())) ?? nil {
            lines.append("\(name) is a \(bundle == .zip ? "zip" : "tar") bundle: each member is routed to its own template when it is processed.")
        } else {
            switch router.template(for: [name], displayName: name) {
            case .success(let template):
                lines.append("\(name) matches template \(template.name) (\(template.path)).")
                let partners = router.partners(of: name, template: template)
                if !partners.isEmpty {
                    let present = partners.filter { FileManager.default.fileExists(atPath: workspace.inbox + "/" + $0) }
                    lines.append(present.isEmpty
                        ? "Its partner \(partners.joined(separator: ", ")) (package \(template.packageName ?? "")) is not in the inbox: it is processed on its own."
                        : "It travels with \(present.joined(separator: ", ")) (package \(template.packageName ?? "")): they go into one package together, once all are complete.")
                }
            case .failure(let error):
                return ["\(name) will go to failed/: \(error.message). \(error.hint ?? "")"]
            }
        }
        let digest = try SHA256.file(path, displayName: name)
        if let previous = try ledger.delivered(digest: digest) {
            lines.append("Its content was already delivered as ledger entry \(previous.id) (\(previous.name), \(previous.finishedAt ?? previous.claimedAt)): it will be archived as a duplicate, with no new package (use --force to deliver again).")
        }
        let interruptions = try ledger.interruptions(name: name, size: size)
        if interruptions >= 3 {
            lines.append("Processing this file was interrupted \(interruptions) times: it will be quarantined in failed/.")
        }
        if policy.requireDoneMarker && !ReadinessPolicy.markerSuffixes.contains(where: { FileManager.default.fileExists(atPath: path + $0) }) {
            lines.append("Waiting for its done marker: \(name).done or \(name).ok.")
        }
        if size == 0 { lines.append("It is empty: it waits until it has content.") }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        if let sighting = try ledger.sighting(name: name), sighting.size == size, sighting.modified == modified {
            let remaining = policy.settleSeconds - (Date().timeIntervalSince1970 - sighting.firstSeen)
            if remaining > 0 { lines.append("Still settling: unchanged for \(Int(policy.settleSeconds - remaining)) s, taken after \(Int(remaining.rounded(.up))) more seconds without change.") }
        } else {
            lines.append("A running watcher has not seen it at this size yet (it settles for \(policy.settleSeconds) s from when it is first seen).")
        }
        if ReadinessTracker.isOpenForWriting(path) { lines.append("Another process has it open for writing: it waits until that is closed.") }
        if case .incomplete(let reason) = Completeness.check(path: path, size: size) {
            lines.append("Its format says it is incomplete: \(reason). It waits up to \(Int(policy.incompleteGraceSeconds)) s more, then fails with the exact reason.")
        }
        let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: workspace.outbox)) ?? []).filter { !$0.hasPrefix(".") }.count
        if maxOutboxPackages > 0 && waiting > maxOutboxPackages {
            lines.append("The outbox holds \(waiting) packages (limit \(maxOutboxPackages)): the watcher takes no new inputs until the target drains it.")
        }
        if lines.count == 1 { lines.append("Ready: a running `ferry watch` takes it at its next scan; `ferry run` takes it now.") }
        return lines
    }
}
