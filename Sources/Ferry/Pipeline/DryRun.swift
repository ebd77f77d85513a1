import Foundation

/// `ferry run --dry-run`: the whole pass, validation included, with would-be outputs, reports and
/// failure notes written into a scratch folder. Inputs are never claimed, moved or deleted, and the
/// ledger is not touched.
public struct DryRun: Sendable {
    public let settings: RunSettings
    private var workspace: Workspace { settings.workspace }

    public init(settings: RunSettings) {
        self.settings = settings
    }

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                limits: DecompressionLimits = DecompressionLimits(), clock: @escaping @Sendable () -> UTCDateTime = UTCDateTime.now) {
        self.init(settings: RunSettings(workspace: workspace, templates: templates, forcedTemplate: forcedTemplate, limits: limits, clock: clock))
    }

    /// Runs the pass; returns the summary and the scratch folder holding what would have been written.
    public func run(observer: RunObserver = SilentObserver()) throws -> (summary: RunSummary, scratch: String) {
        let started = Date()
        let time = settings.clock()
        let scratch = Workspace(root: workspace.root + "/.ferry/dry-runs/" + time.compact)
        for folder in [scratch.outbox, scratch.reports, scratch.failed, scratch.staging] { try Workspace.makeFolder(folder) }
        let router = settings.router
        var summary = RunSummary()
        // Keys the real ledger learned, and what this pass would teach, as a real run would know them.
        let ledgerKeys = try LearnedKeys.reading(workspaceRoot: workspace.root)
        var learned: [any KeyResolver] = []
        let files = InputProcessor.order(try Inbox(workspace: workspace).files(), router: router)
        var taken = Set<String>()
        for file in files where !taken.contains(file.name) {
            // Related files travel together, as in a real run; nothing is claimed.
            let partners = router.partnerFiles(of: file, in: files).filter { !taken.contains($0.name) }
            taken.formUnion([file.name] + partners.map(\.name))
            let unit = ([file] + partners).map { ClaimedFile(name: $0.name, path: $0.path, size: $0.size) }
            var report = FileReport(name: unit.map(\.name).joined(separator: " + "), template: nil, outcome: .delivered)
            let fileStarted = Date()
            do {
                let template = try? router.template(for: [file.name], displayName: file.name).get()
                let known = ResolverChain(learned + (ledgerKeys.map { [$0] } ?? []))
                let prepared = try UnitPreparation(workspace: scratch, router: router, limits: settings.limits, learnedKeys: known)
                    .prepare(unit, template: template, at: time, observer: observer, outputSuffix: "", report: &report)
                learned = prepared.learned.reversed() + learned
                for output in try prepared.detach() {
                    let path = try FileMover.moveNoReplace(output.stagingPath, into: output.folder, name: output.name)
                    if output.kind == .package { report.outputs.append(path) } else { report.rejectsReport = path }
                }
            } catch let failure as PreparedFailure {
                record(failure.error, rejectsPath: failure.rejectsPath, for: file.name, in: scratch, at: time, report: &report)
            } catch let error as InputError {
                record(error, rejectsPath: nil, for: file.name, in: scratch, at: time, report: &report)
            } catch {
                report.outcome = .retryLater
                report.error = "\(error)"
            }
            report.seconds = Date().timeIntervalSince(fileStarted)
            summary.files.append(report)
            observer.fileFinished(report)
        }
        try? FileManager.default.removeItem(atPath: scratch.staging)
        try? FileManager.default.removeItem(atPath: scratch.root + "/.ferry")
        summary.seconds = Date().timeIntervalSince(started)
        return (summary, scratch.root)
    }

    private func record(_ error: InputError, rejectsPath: String?, for name: String, in scratch: Workspace, at time: UTCDateTime, report: inout FileReport) {
        report.outcome = .failed
        report.error = error.description
        let note = FailureNote.text(file: name, template: nil, error: error.description, at: time)
        try? Data(note.utf8).write(to: URL(fileURLWithPath: scratch.failed + "/" + name + ".error.txt"))
        if let rejectsPath {
            report.rejectsReport = try? FileMover.moveNoReplace(rejectsPath, into: scratch.failed, name: name + ".rejects.csv")
        }
    }
}
