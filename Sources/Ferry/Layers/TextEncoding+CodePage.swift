extension TextEncoding {
    /// The upper-half table of a single-byte code page.
    var codePage: [UInt16]? {
        switch self {
        case .windows1250: CodePageTables.windows1250
        case .windows1252: CodePageTables.windows1252
        case .iso8859_2: CodePageTables.iso8859_2
        case .iso8859_1: (0x80...0xFF).map { UInt16($0) }
        default: nil
        }
    }
}
