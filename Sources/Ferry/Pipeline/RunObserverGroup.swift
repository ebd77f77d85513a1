/// Hands each event to several observers in turn: the watcher's log and its listener (metrics, the
/// status page's progress, webhooks).
public final class RunObserverGroup: RunObserver, Sendable {
    private let observers: [any RunObserver & Sendable]

    public init(_ observers: [any RunObserver & Sendable]) { self.observers = observers }

    public func fileStarted(_ name: String, size: Int64, template: String?) {
        for observer in observers { observer.fileStarted(name, size: size, template: template) }
    }

    public func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        for observer in observers { observer.progress(name, bytesRead: bytesRead, size: size, rows: rows) }
    }

    public func fileFinished(_ report: FileReport) {
        for observer in observers { observer.fileFinished(report) }
    }

    public func notice(_ text: String) {
        for observer in observers { observer.notice(text) }
    }
}
