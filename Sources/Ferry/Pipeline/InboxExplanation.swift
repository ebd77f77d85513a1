#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `ferry explain`: why a file in the inbox has not been taken (or what became of it), judged as the
/// running watcher judges it: the same settings, and its templates' state when one runs.
public struct InboxExplanation: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    public let forcedTemplate: Template?
    /// Broken templates (as loaded now).
    public let broken: [BrokenTemplate]
    /// The running watcher's state, if one runs.
    public let service: ServiceState?
    public let policy: ReadinessPolicy
    public let maxOutboxPackages: Int
    public let maxInterruptions: Int

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil, broken: [BrokenTemplate] = [],
                service: ServiceState? = nil, policy: ReadinessPolicy = ReadinessPolicy(), maxOutboxPackages: Int = 1000,
                maxInterruptions: Int = 3) {
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
        self.broken = broken
        self.service = service
        self.policy = policy
        self.maxOutboxPackages = maxOutboxPackages
        self.maxInterruptions = maxInterruptions
    }

    /// Sentences, most important first.
    public func explain(_ pathOrName: String) throws -> [String] {
        let name = (pathOrName as NSString).lastPathComponent
        let shown = FileName.display(name)
        let path = workspace.inbox + "/" + name
        let ledger = try Ledger(workspace: workspace)
        var info = stat()
        guard SystemCall.lstat(path, &info) == 0 else {
            guard let last = try ledger.history(limit: 1, name: name).first else {
                return ["\(shown) is not in the inbox, and the ledger has no record of it."]
            }
            return ["\(shown) is not in the inbox. Ledger entry \(last.id) (\(last.claimedAt)): \(last.state.rawValue)"
                    + (last.inputNowAt.map { ", now at \(FileName.display($0))" } ?? "") + (last.error.map { ". \($0)" } ?? "")]
        }
        if (info.st_mode & S_IFMT) != S_IFREG { return ["\(shown) is not a regular file (a folder or a link): Ferry never takes it."] }
        if Inbox.isLitter(name) { return ["\(shown) is ignored: operating systems and editors leave such files in folders by themselves (Thumbs.db, desktop.ini, backups ending in ~, .swp). Ferry never takes it."] }
        if Inbox.isInProgressName(name) { return ["\(shown) is ignored: its name is one uploaders use while writing (.part, .filepart, .tmp, ~$, dot files). It is taken once it is renamed."] }
        if ReadinessPolicy.isMarker(name) { return try explainMarker(name, ledger: ledger) }

        var lines: [String] = []
        let size = Int64(info.st_size)
        let router = TemplateRouter(templates: templates, forced: forcedTemplate, held: held)
        if let bundle = (try? BundleKind.detect(path: path, displayName: name, limits: DecompressionLimits())) ?? nil {
            lines.append("\(shown) is a \(bundle == .zip ? "zip" : "tar") bundle: each member is routed to its own template when it is processed.")
        } else {
            switch router.template(for: [name], displayName: name) {
            case .success(let template):
                lines.append("\(shown) matches template \(template.name) (\(template.path)).")
                let partners = router.partners(of: name, template: template)
                if !partners.isEmpty {
                    let present = partners.filter { SystemCall.exists(workspace.inbox + "/" + $0) }
                    lines.append(present.isEmpty
                        ? "Its partner \(partners.map(FileName.display).joined(separator: ", ")) (package \(template.packageName ?? "")) is not in the inbox: it is processed on its own."
                        : "It travels with \(present.map(FileName.display).joined(separator: ", ")) (package \(template.packageName ?? "")): they go into one package together, once all are complete.")
                }
            case .failure(let error) where error.kind == .templateUnavailable:
                guard let template = router.heldBy([name]) else { return [error.message] }
                return brokenTemplateLines(name, template)
            case .failure(let error):
                return ["\(shown) will go to failed/: \(error.message). \(error.hint ?? "")"]
            }
        }
        let digest = try SHA256.file(path, displayName: name)
        if let previous = try ledger.delivered(digest: digest) {
            lines.append("Its content was already delivered as ledger entry \(previous.id) (\(FileName.display(previous.name)), \(previous.finishedAt ?? previous.claimedAt)): it will be archived as a duplicate, with no new package (use --force to deliver again).")
        }
        let interruptions = try ledger.interruptions(name: name, size: size)
        if interruptions.quarantine(maxCrashes: maxInterruptions) {
            lines.append("Processing this file was cut short \(interruptions.total) times (\(interruptions.description)): it will be quarantined in failed/.")
        }
        if policy.requireDoneMarker && !ReadinessPolicy.markerSuffixes.contains(where: { SystemCall.exists(path + $0) }) {
            lines.append("Waiting for its done marker: \(shown).done or \(shown).ok.")
        }
        if size == 0 { lines.append("It is empty: it waits until it has content.") }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        if let sighting = try ledger.sighting(name: name), sighting.size == size, sighting.modified == modified {
            let remaining = policy.settleSeconds - (Date().timeIntervalSince1970 - sighting.firstSeen)
            if remaining > 0 { lines.append("Still settling: unchanged for \(Int(policy.settleSeconds - remaining)) s, taken after \(Int(remaining.rounded(.up))) more seconds without change.") }
        } else {
            lines.append("A running watcher has not seen it at this size yet (it settles for \(policy.settleSeconds) s from when it is first seen).")
        }
        if ReadinessPolicy.isOpenForWriting(path) { lines.append("Another process has it open for writing: it waits until that is closed.") }
        if case .incomplete(let reason) = Completeness.check(path: path, size: size) {
            lines.append("Its format says it is incomplete: \(reason). It waits up to \(Int(policy.incompleteGraceSeconds)) s more, then fails with the exact reason.")
        }
        let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: workspace.outbox)) ?? []).filter { !$0.hasPrefix(".") }.count
        if maxOutboxPackages > 0 && waiting > maxOutboxPackages {
            lines.append("The outbox holds \(waiting) packages (limit \(maxOutboxPackages)): the watcher takes no new inputs until the target drains it.")
        }
        if lines.count == 1 {
            lines.append(service == nil ? "Ready: `ferry run` takes it now; no watcher runs in this workspace."
                                        : "Ready: the running watcher (pid \(service?.pid ?? 0)) takes it as soon as a worker is free.")
        }
        return lines
    }

    /// The broken templates with no good version: as loaded now, minus those a running watcher runs
    /// its last good version of.
    private var held: [BrokenTemplate] {
        broken.filter { broken in service?.flows.first { $0.path == broken.path }?.status != "last-good" }
    }

    private func brokenTemplateLines(_ name: String, _ template: BrokenTemplate) -> [String] {
        var lines = ["\(FileName.display(name)) waits in the inbox: the template that takes it, \(template.name) (\(template.path)), is broken: \(template.error.message)"
                     + (template.error.line.map { " (line \($0))" } ?? "")]
        if template.patterns == nil {
            lines.append("Its takes: cannot be read, so every file no working template takes waits for it.")
        }
        lines.append(service == nil
            ? "`ferry run` refuses to start while a template is broken; `ferry watch` holds its files until it is fixed. `ferry check \(template.path)` lists every problem."
            : "The running watcher holds the file and takes it once the template is fixed (it reloads templates when the folder changes, or on SIGHUP). `ferry check \(template.path)` lists every problem.")
        return lines
    }

    private func explainMarker(_ name: String, ledger: Ledger) throws -> [String] {
        let data = String(name.dropLast(ReadinessPolicy.markerSuffixes.first { name.hasSuffix($0) }?.count ?? 0))
        var lines = ["\(FileName.display(name)) is a done marker: it releases \(FileName.display(data)), it is not an input" + (policy.requireDoneMarker ? "." : " (the watcher runs without --done-marker, so it waits for nothing).")]
        if !FileManager.default.fileExists(atPath: workspace.inbox + "/" + data) {
            lines.append(try ledger.history(limit: 1, name: data).isEmpty
                ? "\(data) has not arrived: the marker waits for it."
                : "\(data) is no longer in the inbox: the watcher removes the marker \(policy.settleSeconds) s after its file was taken or gone.")
        }
        return lines
    }
}
