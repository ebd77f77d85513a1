import Foundation
import Logging

/// Logs one line per file outcome (and notices) through swift-log.
final class LogObserver: RunObserver, Sendable {
    let logger: Logger
    private let pacer: ProgressPacer

    /// A long file logs how far it is every `progressEvery` seconds.
    init(logger: Logger, progressEvery: Double = 10) {
        self.logger = logger
        pacer = ProgressPacer(interval: progressEvery)
    }

    func fileStarted(_ name: String, size: Int64, template: String?) {
        pacer.started(name)
        logger.debug("processing", metadata: ["file": "\(FileName.display(name))", "bytes": "\(size)", "template": "\(template ?? "-")"])
    }

    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        guard let report = pacer.due(name, bytesRead: bytesRead, size: size, rows: rows) else { return }
        logger.info("progress", metadata: [
            "file": "\(FileName.display(name))", "percent": "\(report.percent)", "bytes_read": "\(report.bytesRead)", "bytes": "\(report.size)",
            "rows": "\(report.rows)", "rows_per_second": "\(report.rowsPerSecond)", "seconds": "\(Int(report.seconds))",
        ])
    }

    func fileFinished(_ report: FileReport) {
        pacer.finished(report.name)
        var metadata: Logger.Metadata = [
            "file": "\(FileName.display(report.name))", "outcome": "\(report.outcome.rawValue)", "template": "\(report.template ?? "-")",
            "rows_read": "\(report.rowsRead)", "rows_written": "\(report.rowsWritten)",
            "rows_filtered": "\(report.rowsFiltered)", "rows_rejected": "\(report.rowsRejected)",
            "seconds": "\((report.seconds * 1000).rounded() / 1000)",
        ]
        if !report.outputs.isEmpty { metadata["outputs"] = "\(report.outputs.map { ($0 as NSString).lastPathComponent }.joined(separator: ","))" }
        if let rejects = report.rejectsReport { metadata["rejects"] = "\(FileName.display(rejects))" }
        if !report.ignoredMembers.isEmpty { metadata["ignored_members"] = "\(report.ignoredMembers.joined(separator: ","))" }
        if let error = report.error { metadata["reason"] = "\(error.split(separator: "\n").first ?? "")" }
        switch report.outcome {
        case .delivered, .duplicate: logger.info("file done", metadata: metadata)
        case .failed: logger.warning("file failed", metadata: metadata)
        case .retryLater: logger.warning("file put back", metadata: metadata)
        case .deliveryWaiting: logger.warning("delivery waiting", metadata: metadata)
        }
    }

    func notice(_ text: String) {
        logger.notice("\(text)")
    }
}
