import Synchronization

/// Remembers what a resolver answered while one input is transformed: most `reference:` lookups ask
/// for a few values again and again (an account's currency, a line's unit), and each question to the
/// ledger is a SQL query. Bounded: past `capacity` values it starts afresh, so inputs whose values
/// are all different (GUIDs) cost a dictionary insert per row and no memory.
final class MemoizedResolver: KeyResolver, Sendable {
    private struct Question: Hashable {
        var value: String
        var reference: String
    }

    static let defaultCapacity = 4_096

    private let resolver: any KeyResolver
    private let capacity: Int
    private let answers = Mutex<[Question: KeyResolution]>([:])

    init(_ resolver: any KeyResolver, capacity: Int = MemoizedResolver.defaultCapacity) {
        self.resolver = resolver
        self.capacity = capacity
    }

    func resolve(_ value: String, in reference: String) -> KeyResolution {
        let question = Question(value: value, reference: reference)
        if let known = answers.withLock({ $0[question] }) { return known }
        let answer = resolver.resolve(value, in: reference)
        answers.withLock { answers in
            if answers.count >= capacity { answers.removeAll(keepingCapacity: true) }
            answers[question] = answer
        }
        return answer
    }
}
