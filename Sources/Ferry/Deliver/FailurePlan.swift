#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The moves that send inputs to failed/: each input's note beside it (and the first input's rejects),
/// the notes and reports first, so an input never sits in failed/ without its reason.
enum FailurePlan {
    private static let longestSuffix = ".rejects.csv"

    /// `inputs` are the claimed files (name and path in the work area); `notes` their staged notes, in order.
    static func moves(inputs: [(name: String, path: String)], notes: [String], rejectsPath: String?, failedFolder: String) -> [Ledger.Move] {
        var moves: [Ledger.Move] = []
        var inputMoves: [Ledger.Move] = []
        var taken = Set<String>()
        for (index, input) in inputs.enumerated() {
            let name = MoveExecutor.freeName(in: failedFolder, for: input.name, avoiding: taken)
            taken.insert(failedFolder + "/" + name)
            let beside = failedFolder + "/" + noteStem(of: name)
            moves.append(Ledger.Move(source: notes[index], destination: beside + ".error.txt", kind: .note))
            if index == 0, let rejectsPath { moves.append(Ledger.Move(source: rejectsPath, destination: beside + ".rejects.csv", kind: .report)) }
            inputMoves.append(Ledger.Move(source: input.path, destination: failedFolder + "/" + name, kind: .input))
        }
        return moves + inputMoves
    }

    /// A note (and rejects report) whose input is no longer beside it belongs to an input someone put
    /// back by hand: the input's new failure replaces it, so a note always pairs with its input (the
    /// old reason stays in the ledger).
    static func removeOrphanNotes(of names: [String], in failedFolder: String) {
        for name in names where !SystemCall.exists(failedFolder + "/" + name) {
            for side in [".error.txt", ".rejects.csv"] { unlinkQuietly(failedFolder + "/" + noteStem(of: name) + side) }
        }
    }

    /// The input keeps its name; its note and rejects start with it, shortened when the suffix would not
    /// fit (a name near 255 bytes: `<start>~<hash>.csv.error.txt`).
    static func noteStem(of name: String) -> String {
        FileName.fitted(name, maxBytes: FileName.maxBytes - longestSuffix.utf8.count)
    }
}
