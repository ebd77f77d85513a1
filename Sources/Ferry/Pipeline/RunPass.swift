import Foundation

/// `ferry run`: one pass over the inbox. Every file found ends in exactly one place: archive/
/// (delivered), failed/ (with its reason), or back in the inbox (a fault outside the file, retried later).
public struct RunPass: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    /// `--template`: this one template for every file, whatever its name.
    public let forcedTemplate: Template?
    public let limits: DecompressionLimits
    private let clock: @Sendable () -> UTCDateTime

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                limits: DecompressionLimits = DecompressionLimits(),
                clock: @escaping @Sendable () -> UTCDateTime = UTCDateTime.now) {
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
        self.limits = limits
        self.clock = clock
    }

    public func run(observer: RunObserver = SilentObserver()) throws -> RunSummary {
        let started = Date()
        try workspace.prepare()
        let inbox = Inbox(workspace: workspace)
        var summary = RunSummary()
        summary.recovered = try inbox.recover()
        for name in summary.recovered {
            observer.notice("\(name): found in the work area after an interrupted run; returned to the inbox and processed again")
        }
        for file in try inbox.files() {
            guard let claimed = try inbox.claim(file) else { continue }
            let report = process(claimed, inbox: inbox, observer: observer)
            summary.files.append(report)
            observer.fileFinished(report)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The template for a file name, or the reason there is none.
    public func template(for name: String) -> Result<Template, InputError> {
        TemplateRouter(templates: templates, forced: forcedTemplate).template(for: [name], displayName: name)
    }

    /// Processes one claimed input and moves it to archive/, failed/ or back to the inbox.
    func process(_ claimed: ClaimedFile, inbox: Inbox, observer: RunObserver) -> FileReport {
        let started = Date()
        let time = clock()
        let disposition = InputDisposition(workspace: workspace)
        var report = FileReport(name: claimed.name, template: nil, outcome: .delivered)
        var usedTemplate: Template?

        do {
            let prepared: PreparedOutputs
            if let bundle = try BundleKind.detect(path: claimed.path, displayName: claimed.name, limits: limits) {
                observer.fileStarted(claimed.name, size: claimed.size, template: nil)
                prepared = try BundlePipeline(workspace: workspace, router: TemplateRouter(templates: templates, forced: forcedTemplate), limits: limits)
                    .prepare(claimed, kind: bundle, at: time, observer: observer, report: &report)
            } else {
                let chosen = try template(for: claimed.name).get()
                usedTemplate = chosen
                report.template = chosen.name
                observer.fileStarted(claimed.name, size: claimed.size, template: chosen.name)
                let input = FilePipeline.Input(path: claimed.path, displayName: claimed.name, stem: claimed.stem, size: claimed.size)
                prepared = try FilePipeline(workspace: workspace, limits: limits)
                    .prepare(input, with: chosen, at: time, observer: observer, report: &report)
            }
            let published = try prepared.commit()
            report.outputs = published.packages
            report.rejectsReport = published.reports.first
            report.inputNowAt = try disposition.archive(claimed, at: time)
        } catch let failure as PreparedFailure {
            fail(claimed, template: usedTemplate, error: failure.error, rejectsPath: failure.rejectsPath, at: time, report: &report)
        } catch let error as InputError {
            fail(claimed, template: usedTemplate, error: error, rejectsPath: nil, at: time, report: &report)
        } catch {
            // Not the file's fault (disk full, permissions): keep it for the next run.
            report.outcome = .retryLater
            report.error = "\(error)"
            report.inputNowAt = try? inbox.release(claimed)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func fail(_ claimed: ClaimedFile, template: Template?, error: InputError, rejectsPath: String?,
                      at time: UTCDateTime, report: inout FileReport) {
        let reason = error.description
        report.outcome = .failed
        report.error = reason
        do {
            let destination = try InputDisposition(workspace: workspace).fail(claimed, template: template, reason: reason, at: time)
            report.inputNowAt = destination
            if let rejectsPath {
                let name = String(destination.split(separator: "/").last ?? Substring(claimed.name))
                report.rejectsReport = try FileMover.moveNoReplace(rejectsPath, into: workspace.failed, name: "\(name).rejects.csv")
            }
        } catch {
            report.error = reason + "\n(and it could not be moved to failed/: \(error))"
        }
    }
}
