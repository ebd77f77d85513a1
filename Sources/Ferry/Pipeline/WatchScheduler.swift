#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// The watcher's bookkeeping: which inbox files are ready, which are in hand, which wait for a
/// retry, and whether the outbox is too full to take more.
struct Scheduler {
    private let tracker: ReadinessTracker
    private let ledger: Ledger
    private let logger: Logger
    private var inFlight = Set<String>()
    /// The partner files taken with a file (they leave the flight with it).
    private var partnersInFlight: [String: [String]] = [:]
    private var retries: [String: (attempts: Int, notBefore: Double)] = [:]
    private var pausedForOutbox = false
    /// When waiting delivery plans are next tried, and how often they were tried.
    private var plansNotBefore: Double?
    private var planAttempts = 0

    init(policy: ReadinessPolicy, ledger: Ledger, logger: Logger) {
        tracker = ReadinessTracker(policy: policy)
        self.ledger = ledger
        self.logger = logger
    }

    var inFlightCount: Int { inFlight.count }
    var inFlightNames: Set<String> { inFlight }

    /// True when a delivery plan waits and its backoff has passed.
    func plansDue() -> Bool {
        guard let plansNotBefore else { return false }
        return Self.now() >= plansNotBefore
    }

    mutating func plansCompleted(_ count: Int, stillWaiting: Bool, options: WatchOptions) {
        guard stillWaiting else {
            plansNotBefore = nil
            planAttempts = 0
            return
        }
        planAttempts += 1
        plansNotBefore = Self.now() + min(options.maxBackoff, options.initialBackoff * pow(2, Double(planAttempts - 1)))
    }

    mutating func started(_ name: String, partners: [String] = []) {
        inFlight.insert(name)
        inFlight.formUnion(partners)
        partnersInFlight[name] = partners
    }

    mutating func finished(_ name: String, report: FileReport?, error: String?, options: WatchOptions) {
        inFlight.remove(name)
        for partner in partnersInFlight.removeValue(forKey: name) ?? [] { inFlight.remove(partner) }
        if let error {
            logger.error("could not process", metadata: ["file": "\(name)", "error": "\(error)"])
        }
        if report?.outcome == .deliveryWaiting {
            // Its input stays claimed with a plan in the ledger; the plan is retried, not the file.
            if plansNotBefore == nil { plansNotBefore = Self.now() + options.initialBackoff }
            logger.warning("delivery waiting", metadata: ["file": "\(name)", "reason": "\(report?.error ?? "")"])
        } else if report?.outcome == .retryLater || error != nil {
            let attempts = (retries[name]?.attempts ?? 0) + 1
            let wait = min(options.maxBackoff, options.initialBackoff * pow(2, Double(attempts - 1)))
            retries[name] = (attempts, Self.now() + wait)
            logger.warning("will retry", metadata: ["file": "\(name)", "in_seconds": "\(Int(wait))", "attempt": "\(attempts)"])
        } else {
            retries[name] = nil
        }
        try? ledger.forgetSighting(name: name)
    }

    /// The files to start now (each with the partner files that travel with it), given free workers
    /// and the outbox's fill. A file whose partner is still arriving waits for it.
    mutating func scan(inbox: Inbox, outbox: String, options: WatchOptions,
                       partners: (InboxFile, [InboxFile]) -> [InboxFile]) throws -> [(file: InboxFile, partners: [InboxFile])] {
        let files = try inbox.files()
        let names = Set(files.map(\.name))
        tracker.forget(allBut: names)
        if options.maxOutboxPackages > 0 {
            let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { !$0.hasPrefix(".") }.count
            if waiting > options.maxOutboxPackages {
                if !pausedForOutbox {
                    logger.warning("outbox holds \(waiting) packages (limit \(options.maxOutboxPackages)): not taking new inputs until the target system drains it")
                    pausedForOutbox = true
                }
                return []
            }
            if pausedForOutbox {
                logger.notice("outbox drained to \(waiting) packages: taking inputs again")
                pausedForOutbox = false
            }
        }
        let now = Self.now()
        var verdicts: [String: ReadinessVerdict] = [:]
        for file in files where !inFlight.contains(file.name) {
            if options.readiness.requireDoneMarker && ReadinessPolicy.isMarker(file.name) { continue }
            let (verdict, changed) = tracker.verdict(for: file, names: names, now: now)
            if changed {
                try? ledger.sighted(name: file.name, size: file.size, modified: file.modified, firstSeen: Date().timeIntervalSince1970)
            }
            verdicts[file.name] = verdict
        }
        var ready: [(file: InboxFile, partners: [InboxFile])] = []
        var taken = Set<String>()
        for file in files where verdicts[file.name] == .ready && !taken.contains(file.name) {
            if let retry = retries[file.name], retry.notBefore > now { continue }
            if inFlight.count + ready.count >= options.workers { break }
            let travelling = partners(file, files)
            guard travelling.allSatisfy({ verdicts[$0.name] == .ready && !taken.contains($0.name) }) else { continue }
            taken.formUnion([file.name] + travelling.map(\.name))
            ready.append((file, travelling))
        }
        return ready
    }

    /// A done marker (`data.csv.done`, `data.csv.ok`) has served its purpose once its file is taken.
    static func removeMarkers(of file: InboxFile) {
        for suffix in ReadinessPolicy.markerSuffixes { unlink(file.path + suffix) }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

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
        logger.debug("processing", metadata: ["file": "\(name)", "bytes": "\(size)", "template": "\(template ?? "-")"])
    }

    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        guard let report = pacer.due(name, bytesRead: bytesRead, size: size, rows: rows) else { return }
        logger.info("progress", metadata: [
            "file": "\(name)", "percent": "\(report.percent)", "bytes_read": "\(report.bytesRead)", "bytes": "\(report.size)",
            "rows": "\(report.rows)", "rows_per_second": "\(report.rowsPerSecond)", "seconds": "\(Int(report.seconds))",
        ])
    }

    func fileFinished(_ report: FileReport) {
        pacer.finished(report.name)
        var metadata: Logger.Metadata = [
            "file": "\(report.name)", "outcome": "\(report.outcome.rawValue)", "template": "\(report.template ?? "-")",
            "rows_read": "\(report.rowsRead)", "rows_written": "\(report.rowsWritten)",
            "rows_filtered": "\(report.rowsFiltered)", "rows_rejected": "\(report.rowsRejected)",
            "seconds": "\((report.seconds * 1000).rounded() / 1000)",
        ]
        if !report.outputs.isEmpty { metadata["outputs"] = "\(report.outputs.map { ($0 as NSString).lastPathComponent }.joined(separator: ","))" }
        if let rejects = report.rejectsReport { metadata["rejects"] = "\(rejects)" }
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
