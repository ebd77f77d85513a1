import Foundation
import Testing
@testable import Ferry

@Suite("completeness by format")
struct CompletenessTests {
    static func utf16(_ text: String, littleEndian: Bool, byteOrderMark: Bool) -> [UInt8] {
        let units = (byteOrderMark ? [0xFEFF] : []) + Array(text.utf16)
        return units.flatMap { littleEndian ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func check(_ bytes: [UInt8]) throws -> Completeness {
        let scratch = try TemporaryWorkspace()
        let path = scratch.workspace.inbox + "/a.xml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return Completeness.check(path: path, size: Int64(bytes.count))
    }

    @Test("a UTF-16 XML document is complete once its root closes, with or without a byte order mark", arguments: [
        (true, true), (true, false), (false, true), (false, false),
    ])
    func utf16XML(littleEndian: Bool, byteOrderMark: Bool) throws {
        let whole = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<accounts><account><name>Łódź</name></account></accounts>\r\n"
        #expect(try Self.check(Self.utf16(whole, littleEndian: littleEndian, byteOrderMark: byteOrderMark)) == .complete)
        let cut = String(whole.dropLast(14))
        #expect(try Self.check(Self.utf16(cut, littleEndian: littleEndian, byteOrderMark: byteOrderMark))
                == .incomplete("the XML root element <accounts> is not closed yet"))
    }
}
