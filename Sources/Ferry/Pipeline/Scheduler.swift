#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// The watcher's bookkeeping: which inbox files are in hand, which wait for a retry, whether the outbox
/// is too full to take more, and which ready files to start next. What the inbox holds is the
/// `InboxIndex`'s.
struct Scheduler {
    let index: InboxIndex
    private let logger: Logger
    /// Called for each file a worker is done with (the ledger drops its sighting); the scheduler keeps no store.
    var workerDone: (String) -> Void = { _ in }
    private var inFlight = Set<String>()
    /// The partner files taken with a file (they leave the flight with it), and the unit's ledger name.
    private var units: [String: (partners: [String], name: String)] = [:]
    private var retries: [String: (attempts: Int, notBefore: Double)] = [:]
    private var pausedForOutbox = false
    /// The outbox's package count and when it was counted (counted at most once per scan interval).
    private var outboxCount: (count: Int, at: Double)?
    /// When waiting delivery plans are next tried, and how often they were tried.
    private var plansNotBefore: Double?
    private var planAttempts = 0

    init(index: InboxIndex, logger: Logger) {
        self.index = index
        self.logger = logger
    }

    var inFlightCount: Int { inFlight.count }
    /// The files in hand, and the ledger names of the units they make (`quotes-1.csv + quotedetails-1.csv`).
    var busyNames: Set<String> { inFlight.union(units.values.map(\.name)) }

    /// True when a delivery plan waits and its backoff has passed.
    func plansDue(now: Double) -> Bool {
        guard let plansNotBefore else { return false }
        return now >= plansNotBefore
    }

    mutating func plansCompleted(_ count: Int, stillWaiting: Bool, options: WatchOptions, now: Double) {
        guard stillWaiting else {
            plansNotBefore = nil
            planAttempts = 0
            return
        }
        planAttempts += 1
        plansNotBefore = now + min(options.maxBackoff, options.initialBackoff * pow(2, Double(planAttempts - 1)))
    }

    mutating func started(_ name: String, partners: [String] = []) {
        inFlight.insert(name)
        inFlight.formUnion(partners)
        units[name] = (partners, ([name] + partners).joined(separator: " + "))
    }

    mutating func finished(_ name: String, report: FileReport?, error: String?, options: WatchOptions, now: Double) {
        let partners = units.removeValue(forKey: name)?.partners ?? []
        for file in [name] + partners {
            inFlight.remove(file)
            workerDone(file)
        }
        if let error {
            logger.error("could not process", metadata: ["file": "\(FileName.display(name))", "error": "\(error)"])
        }
        if report?.outcome == .deliveryWaiting {
            // Its input stays claimed with a plan in the ledger; the plan is retried, not the file.
            if plansNotBefore == nil { plansNotBefore = now + options.initialBackoff }
            logger.warning("delivery waiting", metadata: ["file": "\(FileName.display(name))", "reason": "\(report?.error ?? "")"])
        } else if report?.outcome == .retryLater || error != nil {
            let attempts = (retries[name]?.attempts ?? 0) + 1
            let wait = min(options.maxBackoff, options.initialBackoff * pow(2, Double(attempts - 1)))
            retries[name] = (attempts, now + wait)
            logger.warning("will retry", metadata: ["file": "\(FileName.display(name))", "in_seconds": "\(Int(wait))", "attempt": "\(attempts)"])
        } else {
            retries[name] = nil
        }
        if let report, report.outcome != .retryLater && report.outcome != .deliveryWaiting && !report.outputs.isEmpty {
            outboxCount?.count += report.outputs.count
        }
        for file in [name] + partners { index.finished(file, now: now) }
    }

    /// Templates were reloaded: files that waited for a broken one may go now, a retry backoff starts over.
    mutating func templatesChanged(now: Double) {
        retries = [:]
        index.templatesChanged(now: now)
    }

    /// The files to start now (each with the partner files that travel with it), given free workers and
    /// the outbox's fill. Costs what is due: deadlines passed, and the first ready files in order.
    mutating func dispatch(now: Double, outbox: String, options: WatchOptions,
                           partners: (String) -> [String]) -> [(file: InboxFile, partners: [InboxFile])] {
        index.advance(now: now)
        guard !outboxFull(outbox, options: options, now: now) else { return [] }
        var started: [(file: InboxFile, partners: [InboxFile])] = []
        var position = 0
        while inFlight.count + started.count < options.workers, let name = index.readyName(at: position) {
            if let retry = retries[name], retry.notBefore > now {
                index.postpone(name, until: retry.notBefore)
                continue
            }
            // A partner still arriving holds the file back; one not in the inbox does not.
            let travelling = partners(name).compactMap { index.entry($0) }.filter { $0.status != .taken }
            guard travelling.allSatisfy({ $0.status == .ready }) else {
                position += 1
                continue
            }
            guard let file = index.take(name, now: now) else { continue }
            let taken = travelling.compactMap { index.take($0.file.name, now: now) }
            guard taken.count == travelling.count else {
                // A partner changed at the last moment: both wait for the next round.
                for file in [file] + taken { index.finished(file.name, now: now) }
                position += 1
                continue
            }
            started.append((file, taken))
        }
        return started
    }

    /// When outbox/ holds more packages than allowed the target is not draining it: take nothing.
    private mutating func outboxFull(_ outbox: String, options: WatchOptions, now: Double) -> Bool {
        guard options.maxOutboxPackages > 0 else { return false }
        if outboxCount == nil || now - (outboxCount?.at ?? 0) >= options.scanInterval {
            let count = ((try? InboxIndex.list(outbox)) ?? []).filter { !$0.hasPrefix(".") }.count
            outboxCount = (count, now)
        }
        let waiting = outboxCount?.count ?? 0
        if waiting > options.maxOutboxPackages {
            if !pausedForOutbox {
                logger.warning("outbox holds \(waiting) packages (limit \(options.maxOutboxPackages)): not taking new inputs until the target system drains it")
                pausedForOutbox = true
            }
            return true
        }
        if pausedForOutbox {
            logger.notice("outbox drained to \(waiting) packages: taking inputs again")
            pausedForOutbox = false
        }
        return false
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
