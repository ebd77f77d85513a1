/// A file waiting in the inbox.
public struct InboxFile: Sendable, Equatable {
    public var name: String
    public var path: String
    public var size: Int64
    /// Modification time, seconds since 1970 (a change means the file is still being written).
    public var modified: Double = 0
}

/// An inbox file Ferry has taken: moved into the work area, out of every other reader's way.
public struct ClaimedFile: Sendable, Equatable {
    /// The name it had in the inbox; reports and outputs use it.
    public var name: String
    /// Where it is now.
    public var path: String
    public var size: Int64
    /// False for a copy made for a replay: on a fault outside it, it is dropped, not put into the inbox.
    public var returnable = true

    /// The name without its extensions (`accounts.csv.gz` -> `accounts`).
    public var stem: String { FileMover.split(name).stem }
}
