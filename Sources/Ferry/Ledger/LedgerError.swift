/// Why the ledger cannot be used, written for the operator who has to act on it.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// The ledger is missing or empty in a workspace that was used before (`evidence` says how we know):
    /// a new, empty ledger would deliver every input again.
    case missing(path: String, evidence: [String])
    /// SQLite cannot read the ledger (truncated, overwritten, a disk fault).
    case damaged(path: String, sqlite: String)
    /// Written by a newer Ferry.
    case newer(version: Int64, supported: Int64)
    /// The shared PostgreSQL ledger cannot be reached or refused a statement.
    case unreachable(url: String, message: String)
    /// The database did not hand back the id of a new entry.
    case noRowID(name: String)
    /// `ferry ledger rebuild` on a ledger that is fine.
    case healthy(path: String, entries: Int)
    /// SQLite refused a read or write of a readable ledger (disk full, locked, permissions).
    case unusable(path: String, sqlite: SQLiteError)

    public var description: String {
        switch self {
        case .missing(let path, let evidence):
            """
            the ledger \(path) is missing (or empty), but this workspace has been used: \(evidence.joined(separator: ", ")). \
            Without its ledger Ferry cannot tell what it delivered before and would deliver the same content again, so it stops here. \
            Restore the ledger from your backup; or rebuild it from archive/ and failed/ with `ferry ledger rebuild`; \
            or, to start with an empty history on purpose (content delivered before will be delivered again), `ferry ledger rebuild --empty`.
            """
        case .damaged(let path, let sqlite):
            """
            the ledger \(path) is damaged and cannot be read (SQLite: \(sqlite)). Ferry keeps its record of every delivery there \
            and will not work without it. Stop every Ferry process in this workspace, then restore the ledger from your backup \
            (remove the ledger.sqlite3-wal and -shm files beside it first), or rebuild it from archive/ and failed/ with \
            `ferry ledger rebuild`, which keeps the damaged file beside it as ledger.sqlite3.damaged-<time>.
            """
        case .newer(let version, let supported):
            "the ledger .ferry/ledger.sqlite3 was written by a newer Ferry (ledger version \(version); this Ferry knows up to \(supported)): "
                + "run the newer Ferry in this workspace"
        case .unreachable(let url, let message):
            "the shared ledger \(url) cannot be used (PostgreSQL: \(message)). Ferry records every claim and delivery there "
                + "and takes no file without it: check that the server runs and the URL in ferry.yaml is right; files wait in the inbox"
        case .noRowID(let name):
            "the ledger did not return an entry id for \(name); nothing was moved, the file stays in the inbox"
        case .healthy(let path, let entries):
            "the ledger \(path) is readable and holds \(entries) \(entries == 1 ? "entry" : "entries"): nothing to rebuild (it would lose that history)"
        case .unusable(let path, let sqlite):
            "Ferry could not read or write its ledger \(path) (SQLite: \(sqlite.message), code \(sqlite.code)), so it stops "
                + "rather than deliver what it cannot record; files it had in hand go back to the inbox or wait for the next start. "
                + Self.remedy(sqliteCode: sqlite.code)
        }
    }

    /// Wraps a fault of the ledger's database: damage, or any other refusal.
    init(_ error: SQLiteError, path: String) {
        self = Self.isDamage(error) ? .damaged(path: path, sqlite: error.message) : .unusable(path: path, sqlite: error)
    }

    /// Whether the ledger's database refused an operation; such a fault stops a run.
    var isDatabaseFault: Bool {
        if case .unusable = self { true } else { false }
    }

    private static func remedy(sqliteCode code: Int32) -> String {
        switch code & 0xFF {
        case 13: "Free space on the disk that holds the workspace's .ferry/ folder, then run Ferry again."
        case 5, 6: "Another process holds the ledger locked: let it finish (or stop it), then run Ferry again."
        case 3, 8, 14: "Check that the user running Ferry may read and write .ferry/ and the ledger files in it, then run Ferry again."
        case 10: "The disk reported an I/O error: check the disk (dmesg), then run Ferry again."
        default: "Fix what SQLite names, then run Ferry again."
        }
    }

    /// SQLite's result codes for a file that is not a (whole) database: SQLITE_CORRUPT, SQLITE_NOTADB.
    static func isDamage(_ error: SQLiteError) -> Bool {
        error.code & 0xFF == 11 || error.code & 0xFF == 26
    }
}
