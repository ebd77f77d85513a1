/// Whether a file's own format says it is whole: a gzip whose trailer verifies, a zip with its
/// central directory, an XML document whose root element closes. Text formats have no such signal.
public enum Completeness: Sendable, Equatable {
    case complete
    case incomplete(String)
    /// The format has no completeness signal (CSV), or the file is too large to verify cheaply.
    case unknown
}
