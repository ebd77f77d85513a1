import Foundation
import Testing
@testable import Ferry

/// A template reads its own reference data and nothing else of the machine.
@Suite("lookup files")
struct LookupFileTests {
    /// A templates folder with `t.yaml` whose lookup names `file` (`ROOT` stands for the scratch folder); the loader's error text.
    static func load(file: String, prepare: (String) throws -> Void = { _ in }) throws -> String {
        let scratch = try TemporaryWorkspace()
        let folder = scratch.root + "/templates"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try prepare(scratch.root)
        let path = folder + "/t.yaml"
        try """
        takes: a.csv
        target: {system: file, entity: x, name: out}
        fields:
          C: country | lookup countries
        lookups:
          countries: {file: \(file.replacingOccurrences(of: "ROOT", with: scratch.root)), key: iso2, value: iso3}
        """.write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try TemplateLoader().load(path: path)
            return ""
        } catch {
            return "\(error)"
        }
    }

    static let secret = "iso2,iso3\nHU,TOP-SECRET-VALUE\n"

    @Test("a lookup file outside the templates folder is refused: a relative way out, an absolute path, a symlink", arguments: [
        "../outside/secret.csv", "ROOT/outside/secret.csv", "link.csv",
    ])
    func outsideRefused(file: String) throws {
        let error = try Self.load(file: file) { scratchRoot in
            try FileManager.default.createDirectory(atPath: scratchRoot + "/outside", withIntermediateDirectories: true)
            try Self.secret.write(toFile: scratchRoot + "/outside/secret.csv", atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: scratchRoot + "/templates/link.csv", withDestinationPath: scratchRoot + "/outside/secret.csv")
        }
        #expect(error.contains("outside the template's folder"), "\(error)")
        #expect(!error.contains("TOP-SECRET"))
    }

    @Test("a file that is not a lookup table is refused without quoting a line of it")
    func contentNeverQuoted() throws {
        let error = try Self.load(file: "/etc/passwd")
        #expect(error.contains("cannot read /etc/passwd"), "\(error)")
        #expect(!error.contains("root:"))
        let wrongHeader = try Self.load(file: "countries.csv") { root in
            try "code,secret-column-name\nHU,x\n".write(toFile: root + "/templates/countries.csv", atomically: false, encoding: .utf8)
        }
        #expect(wrongHeader.contains("its header has no column \"iso2\" or \"iso3\" (it has 2 columns)"), "\(wrongHeader)")
        #expect(!wrongHeader.contains("secret-column-name"))
    }

    @Test("a lookup file beside the template, also through a symlink inside the folder, is read")
    func insideRead() throws {
        let error = try Self.load(file: "alias.csv") { root in
            try "iso2,iso3\nHU,HUN\n".write(toFile: root + "/templates/countries.csv", atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: root + "/templates/alias.csv", withDestinationPath: "countries.csv")
        }
        #expect(error.isEmpty, "\(error)")
    }
}
