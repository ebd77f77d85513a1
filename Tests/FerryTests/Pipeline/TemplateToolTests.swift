import Foundation
import Testing
@testable import Ferry

@Suite("check, preview and dry run")
struct TemplateToolTests {
    @Test("ferry check: the shipped templates are clean")
    func samplesClean() throws {
        let result = try runProcess(ferryExecutable(), ["check", Fixtures.packageRoot + "/samples/templates"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("14 templates checked, no problems"))
    }

    @Test("ferry check: every problem of a broken template, each at its line, and exit 1")
    func brokenTemplate() throws {
        let scratch = try TemporaryWorkspace()
        let path = scratch.root + "/broken.yaml"
        try Data("""
        takes: accounts*.csv
        target:
          system: finance-and-operations
          entity: CustCustomerV3Entity
          label: Customers V3
        fields:
          CUSTOMERACCOUNT: accountnumber | trim | requird
          ORGANISATIONNAME: name | trim
          CUSTOMERGROUPID: customertypecode | map groups
          SALESCURRENCYCODE: transactioncurrency | upper
        """.utf8).write(to: URL(fileURLWithPath: path))
        let result = try runProcess(ferryExecutable(), ["check", path])
        #expect(result.status == 1)
        #expect(result.output.contains("broken.yaml:7:43: unknown function \"requird\" (hint: did you mean \"required\"?)"), "\(result.output)")
        #expect(result.output.contains("broken.yaml:9:43: unknown map \"groups\""))
        #expect(result.output.contains("broken.yaml:8:3: ORGANISATIONNAME is not a field of CustCustomerV3Entity"), "found in the same round")
        #expect(result.output.contains("3 problems"))

        try Data(scratch.text(path).replacingOccurrences(of: " | requird", with: "").replacingOccurrences(of: " | map groups", with: "")
            .utf8).write(to: URL(fileURLWithPath: path))
        let withSample = try runProcess(ferryExecutable(), ["check", path, "--sample", Fixtures.packageRoot + "/samples/exports/accounts.csv"])
        #expect(withSample.status == 1)
        #expect(withSample.output.contains("broken.yaml:8:3: ORGANISATIONNAME is not a field of CustCustomerV3Entity (hint: did you mean ORGANIZATIONNAME?)"), "\(withSample.output)")
        #expect(withSample.output.contains("broken.yaml:10:22: unknown column \"transactioncurrency\": the sample accounts.csv has no such column (hint: did you mean transactioncurrencyid?)"))
    }

    @Test("ferry preview: target rows, filtered and rejected rows with reasons, lookups through the workspace's learned keys; nothing written")
    func preview() throws {
        // The accounts' currencies are GUIDs: a workspace that delivered the Sales currencies export knows them.
        let scratch = try TemporaryWorkspace()
        try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/exports/sales-currencies.csv",
                                         toPath: scratch.workspace.inbox + "/sales-currencies.csv")
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        #expect(try RunPass(workspace: scratch.workspace, templates: templates).run().succeeded)
        let template = try TemplateLoader().load(path: Fixtures.packageRoot + "/samples/templates/accounts-to-customers.yaml")
        let unknowing = try Preview().run(template: template, file: Fixtures.packageRoot + "/samples/exports/accounts.csv", rows: 24)
        #expect(unknowing.totalRejected == 22, "without the workspace's keys no currency GUID resolves")
        var preview = Preview()
        preview.learnedKeys = try LearnedKeys(ledgerPath: scratch.root + "/.ferry/ledger.sqlite3", create: false)
        let result = try preview.run(template: template, file: Fixtures.packageRoot + "/samples/exports/accounts.csv", rows: 24)
        #expect(result.recordsRead == 24)
        #expect(result.targets[0].rows.count == 20)
        #expect(result.targets[0].rows[0].values[0] == "ACC-00000-XI9000")
        #expect(result.filtered.count == 2)
        #expect(result.rejected.map(\.location.line) == [11, 15])

        let output = try runProcess(ferryExecutable(), ["preview", Fixtures.packageRoot + "/samples/templates/accounts-to-customers.yaml",
                                                        Fixtures.packageRoot + "/samples/exports/accounts.csv", "--rows", "12", "--root", scratch.root])
        #expect(output.status == 0)
        #expect(output.output.contains("CustCustomerV3Entity: 10 rows"))
        #expect(output.output.contains("line 11, CUSTOMERACCOUNT: the account has no account number"))
        #expect(output.output.contains("12 records shown of 24 read: 2 filtered, 2 rejected in the whole file."))
        #expect(output.output.contains("Nothing was written or moved."))
    }

    @Test("ferry run --dry-run validates everything, writes only to its scratch folder and moves nothing")
    func dryRun() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        for name in ["accounts-to-customers.yaml", "countries.csv", "sales-currencies-reference.yaml"] {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/templates/" + name, toPath: scratch.root + "/templates/" + name)
        }
        // The accounts' currencies are GUIDs: the currencies export dropped with them teaches what they stand for.
        for name in ["accounts.csv", "sales-currencies.csv"] {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/exports/" + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n\"unclosed\n")
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.workspace.inbox).sorted()
        let result = try runProcess(ferryExecutable(), ["run", "--dry-run", "--root", scratch.root])
        #expect(result.status == 1, "the broken file would fail: \(result.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.workspace.inbox).sorted() == before, "nothing moved")
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.archive).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/.ferry/ledger.sqlite3"))
        #expect(result.output.contains("rejected 2"), "validation ran: \(result.output)")
        let line = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("Dry run:") })
        let folder = String(line.split(separator: " ").last ?? "")
        #expect(scratch.files(in: folder + "/outbox").count == 1)
        #expect(scratch.files(in: folder + "/reports").count == 1)
        #expect(scratch.files(in: folder + "/failed") == ["accounts-bad.csv.error.txt"])
    }
}

@Suite("ferry check against the entity catalogue")
struct CatalogueCheckTests {
    /// The contacts template as it was before issue 12: the label and fields of another entity.
    static let oldContacts = """
    takes: contacts*.csv
    target:
      system: finance-and-operations
      entity: smmContactPersonV2Entity
      label: Contact persons V2
    fields:
      LASTNAME: lastname
      ASSOCIATEDCONTACTNUMBER: parentcustomerid
    """

    @Test("a wrong label, a field the entity lacks (closest name), an unmapped mandatory field, an entity not in the catalogue")
    func catalogueProblems() throws {
        let scratch = try TemporaryWorkspace()
        try Data(Self.oldContacts.utf8).write(to: URL(fileURLWithPath: scratch.root + "/contacts.yaml"))
        try Data("takes: x.csv\ntarget: {system: finance-and-operations, entity: VendVendorV2Entity, label: Vendors V2}\nfields:\n  VENDORACCOUNTNUMBER: a\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/vendors.yaml"))
        try Data("takes: p.csv\ntarget: {system: sales, entity: product}\nfields:\n  productnumber: a\n  nmae: b\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/products.yaml"))
        let result = try runProcess(ferryExecutable(), ["check", scratch.root])
        #expect(result.status == 1)
        #expect(result.output.contains("contacts.yaml:3:3: label \"Contact persons V2\" is not the Data management name of smmContactPersonV2Entity (hint: it is \"Contacts V2\""), "\(result.output)")
        #expect(result.output.contains("contacts.yaml:8:3: ASSOCIATEDCONTACTNUMBER is not a field of smmContactPersonV2Entity (hint: the closest field is ASSOCIATEDPARTYNUMBER)"))
        #expect(result.output.contains("mandatory field ASSOCIATEDPARTYNUMBER of smmContactPersonV2Entity is not mapped"))
        #expect(result.output.contains("products.yaml:5:3: nmae is not a field of the Dataverse table product (hint: did you mean name?)"))
        #expect(result.output.contains("required column name of product is not mapped"))
        #expect(result.output.contains("note: \(scratch.root)/vendors.yaml: VendVendorV2Entity is not in Ferry's entity catalogue"))
    }

    @Test("the catalogue holds every entity and table the flows use, with labels and display names from the definitions")
    func catalogueContents() throws {
        let labels = ["CustCustomerV3Entity": "Customers V3", "smmContactPersonV2Entity": "Contacts V2", "smmContactPersonCDSV2Entity": "CDS Contacts V2",
                      "SalesQuotationHeaderV2Entity": "Sales quotation headers V2", "SalesQuotationLineV2Entity": "Sales quotation lines V2",
                      "SalesOrderHeaderV2Entity": "Sales order headers V2", "SalesOrderLineV2Entity": "Sales order lines V2",
                      "SalesInvoiceHeaderV2Entity": "Sales invoice headers V2", "SalesInvoiceLineV2Entity": "Sales invoice lines V2",
                      "EcoResSellableReleasedProductEntity": "Sellable released products", "EcoResReleasedProductV2Entity": "Released products V2"]
        for (entity, label) in labels { #expect(EntityCatalogue.entity(entity)?.label == label, "\(entity)") }
        let customers = try #require(EntityCatalogue.entity("CustCustomerV3Entity"))
        for field in ["SITEID", "WAREHOUSEID", "ISEXTERNALLYMAINTAINED", "ADDRESSCOUNTRYREGIONISOCODE"] { #expect(customers.fields.contains(field)) }
        #expect(Set(customers.mandatory) == ["CUSTOMERACCOUNT", "CUSTOMERGROUPID", "SALESCURRENCYCODE"])
        #expect(EntityCatalogue.entity("smmContactPersonV2Entity")?.fields.contains("ASSOCIATEDCONTACTTYPE") == false)
        #expect(EntityCatalogue.entity("smmContactPersonCDSV2Entity")?.fields.contains("ASSOCIATEDCONTACTTYPE") == true)
        for table in ["account", "contact", "product", "productpricelevel", "quote", "quotedetail", "salesorder", "salesorderdetail", "invoice", "invoicedetail"] {
            #expect(EntityCatalogue.table(table) != nil, "\(table)")
        }
        let quote = try #require(EntityCatalogue.table("quote"))
        #expect(quote.logicalName(of: "Potential Customer") == "customerid")
        #expect(quote.columns["statecode"]?.options == ["0": "Draft", "1": "Active", "2": "Won", "3": "Closed"])
        // The columns every standard table has (CdsStandard: owner, created/modified, record created on, import sequence).
        for table in ["account", "contact", "quote", "salesorder", "salesorderdetail", "invoice", "invoicedetail"] {
            let columns = try #require(EntityCatalogue.table(table)).columns
            for column in ["ownerid", "createdon", "overriddencreatedon", "importsequencenumber"] { #expect(columns[column] != nil, "\(table).\(column)") }
        }
        #expect(EntityCatalogue.table("salesorder")?.logicalName(of: "Record Created On") == "overriddencreatedon")
    }

    @Test("the package check finds what F&O would refuse: a wrong label, a foreign field, a mandatory field missing")
    func packageCheckFails() throws {
        let scratch = try TemporaryWorkspace()
        let template = try Fixtures.template(Self.oldContacts, name: "contacts")
        try scratch.drop("contacts.csv", "lastname,parentcustomerid\nNagy,ACC-1\n")
        _ = try RunPass(workspace: scratch.workspace, templates: [template], clock: { RunPassTests.fixedTime }).run()
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first)
        let problems = try PackageCheck.check(scratch.workspace.outbox + "/" + package)
        #expect(problems.contains { $0.contains("EntityName \"Contact persons V2\", the entity's label is \"Contacts V2\"") }, "\(problems)")
        #expect(problems.contains { $0.contains("ASSOCIATEDCONTACTNUMBER is not a field of the entity") })
        #expect(problems.contains { $0.contains("the mandatory field ASSOCIATEDPARTYNUMBER is not a column") })
    }
}
