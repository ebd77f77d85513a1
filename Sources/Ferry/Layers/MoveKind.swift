/// What a planned move carries: an output (package or report), the input itself, or a failure note.
public enum MoveKind: String, Sendable { case package, report, input, note }
