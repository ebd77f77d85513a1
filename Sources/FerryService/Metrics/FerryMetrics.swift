import CoreMetrics
import Ferry
import Foundation
import Prometheus
import Synchronization

/// Ferry's Prometheus metrics, recorded through swift-metrics: counters and the duration histogram as
/// files finish, the workspace's gauges (what waits, what failed, the outbox) read when scraped.
/// README "Metrics" lists every name.
public final class FerryMetrics: RunObserver, Sendable {
    public let registry: PrometheusCollectorRegistry
    private let sizes = Mutex<[String: Int64]>([:])
    private let ledgerErrors: CoreMetrics.Counter

    /// Seconds; a file takes from milliseconds (a few rows) to an hour (millions).
    static let durationBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    /// Bootstraps swift-metrics with the Prometheus backend. Once per process: the metrics system is global.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["ferry_file_duration_seconds"] = Self.durationBuckets.map { .milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(factory)
        self.registry = registry
        ledgerErrors = CoreMetrics.Counter(label: "ferry_ledger_errors_total")
        CoreMetrics.Gauge(label: "ferry_build_info", dimensions: [("version", FerryVersion.current)]).record(1)
    }

    public func fileStarted(_ name: String, size: Int64, template: String?) {
        sizes.withLock { $0[name] = size }
    }

    public func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {}

    public func fileFinished(_ report: FileReport) {
        let template = report.template ?? "none"
        let bytes = sizes.withLock { $0.removeValue(forKey: report.name) } ?? 0
        CoreMetrics.Counter(label: "ferry_files_total", dimensions: [("outcome", report.outcome.rawValue), ("template", template)]).increment()
        let byTemplate = [("template", template)]
        CoreMetrics.Counter(label: "ferry_rows_read_total", dimensions: byTemplate).increment(by: report.rowsRead)
        CoreMetrics.Counter(label: "ferry_rows_written_total", dimensions: byTemplate).increment(by: report.rowsWritten)
        CoreMetrics.Counter(label: "ferry_rows_filtered_total", dimensions: byTemplate).increment(by: report.rowsFiltered)
        CoreMetrics.Counter(label: "ferry_rows_rejected_total", dimensions: byTemplate).increment(by: report.rowsRejected)
        CoreMetrics.Counter(label: "ferry_input_bytes_total", dimensions: byTemplate).increment(by: Int(bytes))
        CoreMetrics.Timer(label: "ferry_file_duration_seconds", dimensions: byTemplate).recordNanoseconds(Int64(report.seconds * 1e9))
        if report.outcome == .delivered {
            CoreMetrics.Gauge(label: "ferry_last_delivery_timestamp_seconds", dimensions: byTemplate).record(Date().timeIntervalSince1970)
        }
    }

    public func notice(_ text: String) {}

    /// Sets the gauges from the workspace as it is now.
    public func record(_ status: StatusSnapshot) {
        CoreMetrics.Gauge(label: "ferry_inbox_files").record(status.waiting.count)
        CoreMetrics.Gauge(label: "ferry_in_progress_files").record(status.inProgress.count)
        CoreMetrics.Gauge(label: "ferry_failed_files").record(status.failed.count)
        CoreMetrics.Gauge(label: "ferry_outbox_packages").record(status.outboxPackages)
        CoreMetrics.Gauge(label: "ferry_delivery_waiting_files").record(status.deliveryWaiting.count)
        CoreMetrics.Gauge(label: "ferry_oldest_waiting_file_age_seconds").record(status.waiting.map(\.age).max() ?? 0)
        for state in ["active", "last-good", "disabled", "loads", "broken"] {
            CoreMetrics.Gauge(label: "ferry_templates", dimensions: [("status", state)]).record(status.templates.filter { $0.status == state }.count)
        }
    }

    /// The ledger could not be read (a scrape, /readyz).
    public func ledgerFailed() { ledgerErrors.increment() }

    /// The Prometheus text format (version 0.0.4).
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension FerryMetrics {
    /// `ferry run --metrics-textfile`: the run's metrics and the workspace's gauges, replaced in one rename
    /// so node_exporter's textfile collector never reads half a file.
    public func writeTextfile(_ path: String, workspace: Workspace) throws {
        if let status = try? StatusSnapshot.read(workspace, templatesFolder: nil) { record(status) }
        CoreMetrics.Gauge(label: "ferry_run_finished_timestamp_seconds").record(Date().timeIntervalSince1970)
        let temporary = path + ".tmp"
        try Data(exposition().utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
