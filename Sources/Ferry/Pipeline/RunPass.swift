import Foundation
import Logging

/// `ferry run`: one pass over the inbox. Every file found ends in exactly one place: archive/
/// (delivered, or a duplicate of something delivered), failed/ (with its reason), or back in the
/// inbox (a fault outside the file, retried later).
public struct RunPass: Sendable {
    public let settings: RunSettings
    private var workspace: Workspace { settings.workspace }

    public init(settings: RunSettings) {
        self.settings = settings
    }

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                limits: DecompressionLimits = DecompressionLimits(), force: Bool = false, intake: IntakeSettings = IntakeSettings(),
                clock: @escaping @Sendable () -> UTCDateTime = UTCDateTime.now) {
        self.init(settings: RunSettings(workspace: workspace, templates: templates, forcedTemplate: forcedTemplate, limits: limits,
                                        force: force, intake: intake, clock: clock))
    }

    public func run(observer: RunObserver = SilentObserver()) throws -> RunSummary {
        let started = Date()
        try workspace.prepare()
        let lock = try WorkspaceLock(workspace: workspace)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try Ledger(workspace: workspace)
        // As one of several nodes: holds a lease while it runs (and recovers no other node: that is the watchers' housekeeping).
        let lease = try NodeLease.join(workspace, ledger: ledger, settings: settings.nodes, logger: Logger(label: "ferry"))
        defer { lease?.leave() }
        var summary = RunSummary()
        // A `ferry replay` at work has files in hand that are not this run's to recover: wait for it.
        let recovered = try WorkspaceLock.withoutGuests(workspace, wait: true, waiting: {
            observer.notice("waiting for a ferry replay at work in this workspace to finish before recovering")
        }) { try Recovery(workspace: workspace, ledger: ledger).run() } ?? Recovery.Outcome()
        try ledger.releaseAllClaims()
        CrashMarker.install(at: CrashMarker.path(inState: workspace.state))
        summary.recovered = recovered.returned
        for name in recovered.returned {
            observer.notice("\(FileName.display(name)): found in the work area after an interrupted run; returned to the inbox and processed again")
        }
        for name in recovered.completed {
            observer.notice("\(FileName.display(name)): its delivery was interrupted; completed from the ledger")
        }
        for report in recovered.lost {
            observer.notice("\(FileName.display(report.name)): \(report.error ?? "its staged outputs were lost")")
            if report.outcome == .failed {
                summary.files.append(report)
                observer.fileFinished(report)
            }
        }
        for blocked in recovered.blocked {
            observer.notice("waiting delivery still blocked: \(blocked)")
        }
        summary.blockedDeliveries = recovered.blocked.count
        let processor = InputProcessor(settings: settings, ledger: ledger)
        let files = try processor.inDependencyOrder(Inbox(workspace: workspace).files())
        // Small files are delivered in batches (one sync of the ledger and of each folder per batch); see DeliveryBatch.
        let batch = ledger.batchesDeliveries ? DeliveryBatch(capacity: settings.deliveryBatch) : nil
        func collect(_ reports: [FileReport]) {
            for report in reports {
                summary.files.append(report)
                observer.fileFinished(report)
            }
        }
        var taken = Set<String>()
        for file in files where !taken.contains(file.name) {
            let partners = processor.partners(of: file, in: files).filter { !taken.contains($0.name) }
            taken.formUnion([file.name] + partners.map(\.name))
            if let batch, batch.isFull || batch.teaches(to: processor.template(of: file, partners: partners)) {
                try processor.deliver(batch)
                collect(batch.takeReports())
            }
            var report = FileReport(name: ([file] + partners).map(\.name).joined(separator: " + "), template: nil, outcome: .retryLater)
            do {
                let processed = try processor.process(file, partners: partners, observer: observer, batch: batch)
                collect(batch?.takeReports() ?? [])
                guard let processed else { continue }
                report = processed
            } catch let error where !(error is SQLiteError || error is LedgerError) {
                // One file's fault outside its data (its claim, its failure note) never stops the others.
                collect(batch?.takeReports() ?? [])
                report.error = "\(error)"
            }
            collect([report])
        }
        if let batch {
            try processor.deliver(batch)
            collect(batch.takeReports())
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

}
