import Dispatch
import Ferry
import Logging

/// `ferry watch`'s SFTP exchanges: a pass at start and every `interval` seconds until the watcher stops. A pass runs
/// on its own thread (transfers block); a stop lets the pass in hand finish.
struct ExchangeLoop: Sendable {
    let exchange: SFTPExchange
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            let exchange = exchange, logger = logger
            let report: ExchangeReport = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    do {
                        continuation.resume(returning: try exchange.run { logger.warning("\($0)") })
                    } catch {
                        var report = ExchangeReport()
                        report.failures.append("\(error)")
                        continuation.resume(returning: report)
                    }
                }
            }
            for line in report.pulled { logger.info("sftp pulled \(line)") }
            for line in report.pushed { logger.info("sftp pushed \(line)") }
            for line in report.failures { logger.error("sftp \(line)") }
            try? await Task.sleep(nanoseconds: UInt64(exchange.settings.interval * 1_000_000_000))
        }
    }
}
