/// `nodes:` in ferry.yaml: how long a node may stay silent before the others take it for dead.
public struct NodeSettings: Sendable, Equatable {
    /// Seconds without a heartbeat after which another node recovers this one's files.
    public var lease: Double = 30
    /// Seconds between heartbeats; well below `lease`.
    public var heartbeat: Double = 5

    public init() {}
}
