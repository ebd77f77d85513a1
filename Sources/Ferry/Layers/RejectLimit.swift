/// How many rejected rows a file may have before the whole file fails.
public enum RejectLimit: Sendable, Equatable {
    case count(Int)
    case percent(Double)
    case unlimited

    /// Whether `rejected` of `total` rows is over the limit.
    public func isExceeded(rejected: Int, total: Int) -> Bool {
        switch self {
        case .count(let limit): rejected > limit
        case .percent(let limit): total > 0 && Double(rejected) * 100 > limit * Double(total)
        case .unlimited: false
        }
    }

    /// True when the limit is already exceeded whatever comes later (stop reading early).
    public func isExceededForGood(rejected: Int) -> Bool {
        if case .count(let limit) = self { return rejected > limit }
        return false
    }

    public var description: String {
        switch self {
        case .count(let limit): "\(limit) rows"
        case .percent(let limit): "\(limit.formatted)%"
        case .unlimited: "no limit"
        }
    }
}
