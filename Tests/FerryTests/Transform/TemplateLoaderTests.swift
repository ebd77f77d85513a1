import Testing
@testable import Ferry

@Suite("Template loading")
struct TemplateLoaderTests {
    static let valid = """
    version: 1
    takes: accounts*.csv
    target:
      system: finance-and-operations
      entity: CustCustomerV3Entity
      label: Customers V3
      name: customers
    filter: statecode == 0
    fields:
      CUSTOMERACCOUNT: accountnumber | trim | required
      PARTYTYPE: "Organization"
      SITEID: 1
      CUSTOMERGROUPID: customertypecode | map groups
    maps:
      groups:
        "3": "10"
        "*": "90"
    max_rejects: 5%
    """

    @Test("a valid template loads into its compiled form")
    func loadsValid() throws {
        let template = try Fixtures.template(Self.valid, name: "accounts")
        #expect(template.name == "accounts")
        #expect(template.patterns == ["accounts*.csv"])
        #expect(template.target.system == .financeAndOperations)
        #expect(PackageManifest.sourceFormat(of: template.target.format) == "CSV-Unicode")
        #expect(template.target.outputName == "customers")
        #expect(template.fields.map(\.target) == ["CUSTOMERACCOUNT", "PARTYTYPE", "SITEID", "CUSTOMERGROUPID"])
        #expect(template.fields[1].source == .text("Organization"))
        #expect(template.fields[2].source == .text("1"))
        #expect(template.fields[0].steps == [.trim, .required])
        #expect(template.rejectLimit == .percent(5))
        #expect(template.takes(fileName: "accounts-2026.csv"))
        #expect(!template.takes(fileName: "contacts.csv"))
    }

    @Test("refusals name the file, line and column", arguments: [
        ("fields:\n  A: name | uper\n", 2, "unknown function \"uper\"", "did you mean \"upper\""),
        ("fields:\n  A: code | map nowhere\n", 2, "unknown map \"nowhere\"", nil),
        ("fields:\n  A: name | truncate many\n", 2, "truncate needs a whole number", nil),
        ("filter: statecode = 0\nfields:\n  A: name\n", 1, "\"=\" is not an operator", nil),
        ("fields:\n  A: name\nfeilds: 1\n", 3, "unknown key \"feilds\"", "did you mean \"fields\""),
        ("fields:\n  A: name\n   B: x: y\n", 3, "YAML syntax", nil),
        ("fields:\n  A: name\nmax_rejects: lots\n", 3, "neither a count nor a percentage", nil),
        ("fields:\n  A: name\nreferences: {field: B, template: headers}\n", 3, "references: B is not one of this target's fields", nil),
    ] as [(String, Int, String, String?)])
    func refusals(body: String, line: Int, message: String, hint: String?) throws {
        let yaml = """
        takes: a.csv
        target: {system: sales, entity: account}

        """ + body
        let error = #expect(throws: TemplateError.self) { try Fixtures.template(yaml, name: "broken") }
        #expect(error?.file == "broken.yaml")
        #expect(error?.line == line + 2)
        #expect(error?.column != nil)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        if let hint { #expect(error?.hint?.contains(hint) == true, "\(String(describing: error))") }
    }

    @Test("the column of an unknown function points at the function name")
    func columnPrecision() throws {
        let yaml = "takes: a.csv\ntarget: {system: sales, entity: account}\nfields:\n  A: name | trim | shout\n"
        let error = #expect(throws: TemplateError.self) { try Fixtures.template(yaml) }
        #expect(error?.line == 4)
        #expect(error?.column == 20)
    }

    @Test("an F&O target needs the entity label")
    func labelRequired() throws {
        let yaml = "takes: a.csv\ntarget: {system: fno, entity: CustCustomerV3Entity}\nfields:\n  A: name\n"
        let error = #expect(throws: TemplateError.self) { try Fixtures.template(yaml) }
        #expect(error?.message.contains("\"label\" is missing") == true)
    }

    @Test("the shipped sample templates all load")
    func samplesLoad() throws {
        let folder = Fixtures.packageRoot + "/samples/templates"
        let templates = try TemplateLoader().loadFolder(folder)
        #expect(templates.count >= 5)
    }
}
