import Foundation

/// `ferry run`: one pass over the inbox. Every file found ends in exactly one place: archive/
/// (delivered), failed/ (with its reason), or back in the inbox (a fault outside the file, retried later).
public struct RunPass: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    /// `--template`: this one template for every file, whatever its name.
    public let forcedTemplate: Template?
    private let clock: @Sendable () -> UTCDateTime

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                clock: @escaping @Sendable () -> UTCDateTime = UTCDateTime.now) {
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
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
        if let forcedTemplate { return .success(forcedTemplate) }
        let matching = templates.filter { $0.takes(fileName: name) }
        switch matching.count {
        case 1:
            return .success(matching[0])
        case 0:
            let tried = templates.map { "\($0.name): \($0.patterns.joined(separator: ", "))" }.joined(separator: "; ")
            return .failure(InputError(.noTemplate, InputLocation(file: name), "no template matches this file name",
                                       hint: templates.isEmpty ? "there are no templates; add one to the templates folder"
                                           : "patterns tried: \(tried). Rename the file or add a pattern to a template's takes:"))
        default:
            return .failure(InputError(.noTemplate, InputLocation(file: name),
                                       "more than one template matches this file name: \(matching.map(\.name).joined(separator: ", "))",
                                       hint: "make the templates' takes: patterns distinct"))
        }
    }

    private func process(_ claimed: ClaimedFile, inbox: Inbox, observer: RunObserver) -> FileReport {
        let started = Date()
        let time = clock()
        let disposition = InputDisposition(workspace: workspace)
        let chosen = template(for: claimed.name)
        let template = try? chosen.get()
        var report = FileReport(name: claimed.name, template: template?.name, outcome: .delivered)
        observer.fileStarted(claimed.name, size: claimed.size, template: template?.name)

        do {
            let template = try chosen.get()
            try FilePipeline(workspace: workspace).process(claimed, with: template, at: time, observer: observer, report: &report)
            report.inputNowAt = try disposition.archive(claimed, at: time)
        } catch let error as InputError {
            report.outcome = .failed
            let reason = error.description
            report.error = reason
            do {
                report.inputNowAt = try disposition.fail(claimed, template: template, reason: reason, at: time)
            } catch {
                report.error = reason + "\n(and it could not be moved to failed/: \(error))"
            }
        } catch {
            // Not the file's fault (disk full, permissions): keep it for the next run.
            report.outcome = .retryLater
            report.error = "\(error)"
            report.inputNowAt = try? inbox.release(claimed)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
