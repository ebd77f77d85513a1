/// Hears what a run is doing, for progress displays and logs. Calls come from the running thread.
public protocol RunObserver: AnyObject {
    func fileStarted(_ name: String, size: Int64, template: String?)
    /// Called every few thousand rows while a file is read.
    func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int)
    func fileFinished(_ report: FileReport)
    func notice(_ text: String)
}

/// An observer that ignores everything (tests, library use).
public final class SilentObserver: RunObserver {
    public init() {}
    public func fileStarted(_ name: String, size: Int64, template: String?) {}
    public func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {}
    public func fileFinished(_ report: FileReport) {}
    public func notice(_ text: String) {}
}
