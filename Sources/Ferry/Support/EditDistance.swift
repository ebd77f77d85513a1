/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// The candidate closest to a misspelt `name`, when it is close enough to be what was meant: fewer
/// edits for short names (`zzz` is not a misspelt `a`), up to a third of a long one
/// (`address1_town` -> `address1_city`).
func closestMatch(to name: String, in candidates: some Sequence<String>) -> String? {
    let best = candidates.min { editDistance($0, name) < editDistance($1, name) }
    guard let best, editDistance(best, name) <= min(max(1, name.count / 2), max(3, name.count / 3)) else { return nil }
    return best
}
