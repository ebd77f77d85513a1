/// The rules every bundle member must pass before a byte of it is written: no path tricks,
/// no links, no more members or bytes than the limits allow.
struct BundleSafety {
    static let maxMembers = 1000

    let bundleName: String

    /// The plain file name to extract to, or an error when the member's path is unsafe.
    func fileName(for memberPath: String) throws -> String {
        let path = memberPath.replacingAll("\\", with: "/")
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if path.hasPrefix("/") || parts.contains("..") || parts.first?.contains(":") == true {
            throw refusal("member \"\(memberPath)\" has a path that leads outside the bundle (absolute, a drive letter or ..)")
        }
        guard let last = parts.last, !last.hasPrefix(".") || last.count > 1 else {
            throw refusal("member \"\(memberPath)\" has no file name")
        }
        guard last.utf8.count <= Self.maxNameBytes else {
            throw refusal("member \"\(last.prefix(60))...\" has a file name of \(last.utf8.count) bytes, more than file systems allow (\(Self.maxNameBytes))",
                          hint: "give the files in the bundle shorter names")
        }
        return String(last)
    }

    /// NAME_MAX of Linux file systems: a member is written under its own name.
    static let maxNameBytes = 255

    func refusal(_ message: String, hint: String = "send a bundle of plain data files (no links, no folders outside the bundle)") -> InputError {
        InputError(.limit, InputLocation(file: bundleName), "refused: \(message)", hint: hint)
    }

    /// The refusal for a bundle with more members than Ferry takes at once.
    func tooManyMembers(_ count: Int?) -> InputError {
        refusal("the bundle has " + (count.map { "\($0) members, more than \(Self.maxMembers)" } ?? "more than \(Self.maxMembers) members"),
                hint: "split it into bundles of at most \(Self.maxMembers) files, or drop the files into the inbox as they are")
    }
}
