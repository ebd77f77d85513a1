import Synchronization

/// Things worth telling the operator about an input that is processed anyway ("512 zero bytes of
/// padding after the gzip data were ignored"). Decoders add them from whichever thread they run on;
/// the pipeline hands them to its observer once the file is read.
public final class Notices: Sendable {
    private let texts = Mutex<[String]>([])

    public init() {}

    /// Adds a notice once (an input read twice, for `duplicates: last`, says it once).
    func add(_ text: String) {
        texts.withLock { texts in
            if !texts.contains(text) { texts.append(text) }
        }
    }

    /// The notices so far, oldest first; the list is emptied.
    func drain() -> [String] {
        texts.withLock { texts in
            defer { texts = [] }
            return texts
        }
    }
}
