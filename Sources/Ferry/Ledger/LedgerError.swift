/// Why the ledger cannot be used, written for the operator who has to act on it.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// Written by a newer Ferry.
    case newer(version: Int64, supported: Int64)

    public var description: String {
        switch self {
        case .newer(let version, let supported):
            "the ledger .ferry/ledger.sqlite3 was written by a newer Ferry (ledger version \(version); this Ferry knows up to \(supported)): "
                + "run the newer Ferry in this workspace"
        }
    }
}
