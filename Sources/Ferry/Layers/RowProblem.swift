/// A row-level problem: the row goes to the rejects report, the rest of the file goes on.
public struct RowProblem: Sendable, Equatable, CustomStringConvertible {
    public var location: InputLocation
    /// The offending value, when there is one.
    public var value: String?
    public var reason: String

    public init(location: InputLocation, value: String? = nil, reason: String) {
        self.location = location
        self.value = value
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
