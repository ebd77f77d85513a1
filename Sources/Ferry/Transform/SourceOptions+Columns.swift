/// The two shapes of a Sales export: a Web API / Synapse Link style CSV names columns by logical name
/// (`customerid`), an "Export to Excel" file by display name (`Potential Customer`). A template may
/// name a column either way; these give every name it can have.
extension SourceOptions {
    /// The names to look for in the header for a column the template calls `name`, in order.
    func columnNames(for name: String) -> [String] {
        var names = [name]
        for (logical, display) in columnAliases {
            if logical.lowercased() == name.lowercased() { names.append(display) }
            if display.lowercased() == name.lowercased() { names.append(logical) }
        }
        if let table = table.flatMap(EntityCatalogue.table), let logical = table.logicalName(of: name) {
            names.append(logical)
            if let display = table.columns[logical]?.display { names.append(display) }
        }
        return names.uniqued()
    }

    /// For an option-set column of the source table: label -> value (`Active` -> `1`).
    func optionValues(for name: String) -> [String: String]? {
        guard let table = table.flatMap(EntityCatalogue.table), let logical = table.logicalName(of: name),
              let options = table.columns[logical]?.options, !options.isEmpty else { return nil }
        return Dictionary(options.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
    }
}
