/// Ranks templates so that each comes after the ones its `after:` names (customers before contacts).
struct DependencyOrder {
    private let ranks: [String: Int]

    init(templates: [Template]) throws {
        var ranks: [String: Int] = [:]
        let byName = Dictionary(templates.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func rank(_ name: String, _ visiting: Set<String>) throws -> Int {
            if let known = ranks[name] { return known }
            guard let template = byName[name] else { return 0 }
            if visiting.contains(name) {
                throw InputError(.schema, InputLocation(file: template.path),
                                 "the templates' after: entries form a cycle through \(name)", hint: "remove one of the after: entries")
            }
            let value = try template.after.map { try rank($0, visiting.union([name])) + 1 }.max() ?? 0
            ranks[name] = value
            return value
        }
        for name in byName.keys { _ = try rank(name, []) }
        self.ranks = ranks
    }

    func rank(_ template: Template) -> Int { ranks[template.name] ?? 0 }
}
