/// What an input is, judged by its first bytes (the file name is only a hint).
enum ContentKind: Equatable {
    case gzip
    case zip
    case tar
    case xml
    case text

    static func detect(_ head: [UInt8]) -> ContentKind {
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B, head[2] == 0x03, head[3] == 0x04 { return .zip }
        if head.count >= 262, Array(head[257..<262]) == Array("ustar".utf8) { return .tar }
        if looksLikeXML(head) { return .xml }
        return .text
    }

    /// `<` as the first non-blank character, after an optional byte order mark (UTF-8 or UTF-16).
    private static func looksLikeXML(_ head: [UInt8]) -> Bool {
        var index = 0
        var step = 1
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        else if head.starts(with: [0xFF, 0xFE]) { index = 2; step = 2 }
        else if head.starts(with: [0xFE, 0xFF]) { index = 3; step = 2 }
        else if head.starts(with: [0x00, 0x3C]) { return true }  // UTF-16 BE without a byte order mark
        while index < head.count {
            let byte = head[index]
            if byte == UInt8(ascii: "<") { return true }
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return false }
            index += step
        }
        return false
    }

    var isBundle: Bool { self == .zip || self == .tar }

    var label: String {
        switch self {
        case .gzip: "gzip"
        case .zip: "zip"
        case .tar: "tar"
        case .xml: "XML"
        case .text: "text"
        }
    }
}
