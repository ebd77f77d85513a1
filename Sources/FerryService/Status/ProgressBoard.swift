import Ferry
import Foundation
import Synchronization

/// The files a watcher is processing right now and how far each is, for the status page's progress bars.
public final class ProgressBoard: RunObserver, Sendable {
    public struct File: Sendable, Equatable {
        public var name: String
        public var template: String?
        public var size: Int64
        public var bytesRead: Int64 = 0
        public var rows = 0
        public var startedAt: Double

        /// 0...100; a file's size is unknown (0) until it is read.
        public var percent: Int { size > 0 ? Int(min(100, (Double(bytesRead) / Double(size) * 100).rounded(.down))) : 0 }
    }

    private let files = Mutex<[String: File]>([:])

    public init() {}

    public var current: [File] { files.withLock { Array($0.values) }.sorted { $0.startedAt < $1.startedAt } }

    public func fileStarted(_ name: String, size: Int64, template: String?) {
        files.withLock { $0[name] = File(name: name, template: template, size: size, startedAt: Date().timeIntervalSince1970) }
    }

    public func progress(_ name: String, bytesRead: Int64, size: Int64, rows: Int) {
        files.withLock { files in
            files[name]?.bytesRead = bytesRead
            files[name]?.rows = rows
            if size > 0 { files[name]?.size = size }
        }
    }

    public func fileFinished(_ report: FileReport) {
        _ = files.withLock { $0.removeValue(forKey: report.name) }
    }

    public func notice(_ text: String) {}
}
