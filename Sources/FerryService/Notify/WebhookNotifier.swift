import Ferry
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Synchronization

/// `notify:` in ferry.yaml: a JSON POST per event to each webhook that asked for it. Events queue in
/// memory and go out from a thread of their own, retried with backoff, so a slow or dead receiver never
/// holds up a file.
public final class WebhookNotifier: RunObserver, Sendable {
    public struct Backoff: Sendable {
        public var attempts = 6
        public var first: Double = 1
        public var maximum: Double = 60
        public var timeout: Double = 10

        public init() {}
    }

    private let hooks: [WebhookSettings]
    private let backoff: Backoff
    private let logger: Logger
    private let workspaceRoot: String
    private let queue = Mutex<(events: [(WebhookSettings, Data)], stopped: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)
    /// Beyond this many undelivered events the oldest are dropped (and logged): memory stays bounded.
    static let maxQueued = 1000

    public init(hooks: [WebhookSettings], workspaceRoot: String, backoff: Backoff = Backoff(), logger: Logger) {
        self.hooks = hooks
        self.backoff = backoff
        self.logger = logger
        self.workspaceRoot = workspaceRoot
        let thread = Thread { [self] in sendLoop() }
        thread.name = "ferry-notify"
        thread.start()
    }

    public func fileStarted(_ name: String, size: Int64, template: String?) {}
    public func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {}
    public func notice(_ text: String) {}

    public func fileFinished(_ report: FileReport) {
        guard let event = Self.event(for: report) else { return }
        let body = JSONLine.encode(WebhookEvent(event: event, report: report, root: workspaceRoot))
        for hook in hooks where hook.events.contains(event) || (event == "quarantined" && hook.events.contains("failed")) {
            enqueue(hook, Data(body.utf8))
        }
    }

    /// The event a finished file makes, if any.
    static func event(for report: FileReport) -> String? {
        switch report.outcome {
        case .failed: (report.error ?? "").hasPrefix("quarantined") ? "quarantined" : "failed"
        case .deliveryWaiting: "delivery-waiting"
        default: nil
        }
    }

    /// Stops after the events in hand have had their attempts (or at once when `drain` is false).
    public func stop() {
        queue.withLock { $0.stopped = true }
        wake.signal()
    }

    private func enqueue(_ hook: WebhookSettings, _ body: Data) {
        let dropped = queue.withLock { state -> Int in
            state.events.append((hook, body))
            let over = max(0, state.events.count - Self.maxQueued)
            state.events.removeFirst(over)
            return over
        }
        if dropped > 0 { logger.warning("webhook queue full: dropped the oldest events", metadata: ["dropped": "\(dropped)"]) }
        wake.signal()
    }

    private func sendLoop() {
        while true {
            wake.wait()
            while let (hook, body) = queue.withLock({ state -> (WebhookSettings, Data)? in
                state.stopped || state.events.isEmpty ? nil : state.events.removeFirst()
            }) {
                deliver(body, to: hook)
            }
            if queue.withLock({ $0.stopped }) { return }
        }
    }

    private func deliver(_ body: Data, to hook: WebhookSettings) {
        var delay = backoff.first
        for attempt in 1...backoff.attempts {
            let outcome = post(body, to: hook)
            if outcome == nil { return }
            if attempt == backoff.attempts || queue.withLock({ $0.stopped }) {
                logger.error("webhook not delivered", metadata: ["url": "\(hook.url)", "attempts": "\(attempt)", "error": "\(outcome ?? "")"])
                return
            }
            logger.warning("webhook failed, retrying", metadata: ["url": "\(hook.url)", "attempt": "\(attempt)", "retry_in": "\(delay) s", "error": "\(outcome ?? "")"])
            Thread.sleep(forTimeInterval: delay)
            delay = min(backoff.maximum, delay * 2)
        }
    }

    /// nil when the receiver took it (2xx); otherwise what went wrong.
    private func post(_ body: Data, to hook: WebhookSettings) -> String? {
        guard let url = URL(string: hook.url) else { return "not a URL" }
        var request = URLRequest(url: url, timeoutInterval: backoff.timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("ferry/\(FerryVersion.current)", forHTTPHeaderField: "User-Agent")
        for (name, value) in hook.headers { request.setValue(value, forHTTPHeaderField: name) }
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<String?>("no answer")
        let task = URLSession.shared.dataTask(with: request) { _, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            result.withLock { $0 = error.map { "\($0.localizedDescription)" } ?? ((200..<300).contains(status) ? nil : "HTTP \(status)") }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + backoff.timeout + 5) == .timedOut {
            task.cancel()
            return "timed out"
        }
        return result.withLock { $0 }
    }
}

/// The webhook's JSON body: the `file` record's keys plus the event, a one-line `text` (what Slack and
/// Teams incoming webhooks show), the host and the workspace.
struct WebhookEvent: Encodable {
    let version = JSONLine.schemaVersion
    let type = "event"
    var event: String
    var text: String
    var host: String
    var workspace: String
    var time: String
    var file: FileRecord

    init(event: String, report: FileReport, root: String) {
        self.event = event
        let reason = String((report.error ?? "").split(separator: "\n").first ?? "")
        text = "Ferry on \(ProcessInfo.processInfo.hostName): \(FileName.display(report.name)) \(event)" + (reason.isEmpty ? "" : ": \(reason)")
        host = ProcessInfo.processInfo.hostName
        workspace = root
        time = ISO8601DateFormatter().string(from: Date())
        file = FileRecord(report, root: root)
    }
}
