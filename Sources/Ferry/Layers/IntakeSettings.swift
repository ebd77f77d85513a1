/// Which inbox files Ferry accepts at all: `intake:` in `ferry.yaml`.
///
/// ```yaml
/// intake:
///   hard_links: accept     # default: refuse
/// ```
public struct IntakeSettings: Sendable, Equatable {
    /// Read inputs that have more than one name. Off by default: a hard link can give an uploader a file
    /// from outside the inbox, so such files are refused, as mail and spool daemons do.
    public var acceptHardLinks = false

    public init() {}

    /// The keys of `intake:` in `ferry.yaml`.
    static let keys = ["hard_links"]
}
