#!/usr/bin/env python3
"""Writes samples/exports/: Prospect-to-cash exports in the shapes Dataverse and F&O produce them.

    scripts/samples/generate.py [--out samples/exports]

Sales (Dataverse) exports come in two shapes: logical-name CSVs whose lookups are GUIDs (Web API /
Synapse Link style) and "Export to Excel" CSVs with display-name headers, display values for lookups and
labels for option sets (the display names are read from Ferry's generated entity catalogue). F&O exports
come as Data management writes them: a CSV of Sellable released products, and an export data package
(zip: Manifest.xml, PackageHeader.xml, the entity file in UTF-16 LE with BOM and CRLF). Some rows are
meant to be rejected (no account number, an unknown customer, a negative quantity, a price with a decimal
comma a lookup cannot fix). Same script, same bytes.
"""
import argparse, csv, gzip, io, json, os, random, uuid, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUE = os.path.join(ROOT, "Sources/Ferry/Model/EntityCatalogue+Definitions.swift")

FIRST = ["Anna", "Béla", "Csaba", "Dóra", "Erzsébet", "Ferenc", "Gábor", "Hajnalka", "John", "María", "Zoë", "Jürgen"]
LAST = ["Kovács", "Nagy", "Szabó", "Tóth", "Varga", "Horváth", "Smith", "Müller", "O'Brien", "Nowak"]
COMPANY = ["Árvíztűrő Kft.", "Contoso Ltd.", "Fabrikam, Inc.", "Tükörfúró Zrt.", "Litware \"Global\"", "Adventure Works",
           "Northwind Traders", "Wide World Importers", "Alpine Ski House", "Coho Winery", "Lamna Healthcare", "Trey Research"]
CITIES = [("Budapest", "1051", "HU"), ("Debrecen", "4025", "HU"), ("Szeged", "6720", "HU"), ("Seattle", "98052", "US"),
          ("München", "80331", "DE"), ("Zürich", "8001", "CH"), ("Warszawa", "00-001", "PL")]
STREETS = ["Fő utca", "Váci út", "Andrássy út", "Main Street", "Hauptstraße"]
# Sales units (uom) and their F&O symbols: samples/templates/units.csv holds the same pairs.
UNITS = [("Primary Unit", "ea"), ("Piece", "pcs"), ("Kilogram", "kg"), ("Hour", "h"), ("Box", "box")]
PRODUCT_NAMES = ["Speaker", "Cable", "Monitor", "Service hour", "Bolt", "Router", "Headset"]


class Samples:
    def __init__(self, seed=48):
        self.rng = random.Random(seed)
        text = open(CATALOGUE, encoding="utf-8").read()
        self.catalogue = json.loads(text[text.index('#"""') + 4:text.rindex('"""#')])

    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128)))

    def display(self, table, column):
        return self.catalogue["dataverse"][table]["columns"][column]["display"]

    def label(self, table, column, value):
        return self.catalogue["dataverse"][table]["columns"][column]["options"][str(value)]

    @staticmethod
    def key(prefix, i):
        """Sales-style natural key with a six-character suffix (ACC-01000-BVRCPS); same i -> same key."""
        n, suffix = (i * 2654435761 + 12345) % 36 ** 6, ""
        for _ in range(6):
            n, d = divmod(n, 36)
            suffix += "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[d]
        return f"{prefix}-{i:05d}-{suffix}"

    def build(self):
        rng = self.rng
        self.accounts = []
        for i in range(24):
            city, zipc, country = rng.choice(CITIES)
            self.accounts.append({
                "accountid": self.guid(), "accountnumber": self.key("ACC", i), "name": f"{COMPANY[i % len(COMPANY)]}" + ("" if i < 12 else f" {city}"),
                "telephone1": f"+36 1 {rng.randint(1000000, 9999999)}", "emailaddress1": f"info{i}@example.com",
                "websiteurl": f"https://example{i}.com", "address1_line1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
                "address1_city": city, "address1_postalcode": zipc, "address1_country": country,
                "customertypecode": str(rng.choice([3, 3, 3, 5, 8])), "transactioncurrencyid": rng.choice(["HUF", "EUR", "USD"]),
                "statecode": "1" if i in (7, 19) else "0", "createdon": f"2024-0{1 + i % 9}-1{i % 10}T08:30:00Z"})
        self.accounts[9]["accountnumber"] = ""          # rejected: no account number
        self.accounts[13]["customertypecode"] = "99"    # rejected: no customer group for this relationship type
        self.units = [{"uomid": self.guid(), "name": name, "symbol": symbol} for name, symbol in UNITS]
        self.products = []
        for i in range(14):
            name = f"{PRODUCT_NAMES[i % len(PRODUCT_NAMES)]} {100 + i}"
            unit = self.units[i % len(self.units)]
            self.products.append({"productid": self.guid(), "productnumber": f"P{i:06d}", "name": name, "unit": unit,
                                  "type": "Service" if unit["symbol"] == "h" else "Item",
                                  "price": f"{rng.uniform(2, 900):.2f}", "currency": "EUR" if i % 3 else "USD"})
        # Variants: a product master's variants come with their own product numbers.
        for i, color in enumerate(["Black", "White"]):
            self.products.append({"productid": self.guid(), "productnumber": f"P000003-{color[:3].upper()}", "name": f"Monitor 103 {color}",
                                  "unit": self.units[0], "type": "Item", "price": "249.00", "currency": "EUR"})
        self.contacts = []
        for i in range(16):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
            parent = self.accounts[(i * 5) % 24] if i % 4 != 3 else None
            self.contacts.append({
                "contactid": self.guid(), "msdynce_contactnumber": self.key("CON", 1000 + i), "firstname": first, "lastname": last,
                "jobtitle": ["Buyer", "CFO", "Owner", ""][i % 4], "emailaddress1": f"contact{i}@example.com",
                "telephone1": f"+36 30 {rng.randint(1000000, 9999999)}", "parent": parent,
                "address1_line1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}", "address1_city": "Budapest",
                "address1_postalcode": "1051", "address1_country": "HU",
                "msdynce_isactivecustomer": "1" if parent is None and i % 8 == 3 else "0", "statecode": "1" if i == 10 else "0"})
        self.contacts[6]["lastname"] = ""                                  # rejected: Dataverse requires a last name
        self.contacts[14]["parent"] = {"accountid": self.guid(), "name": "Unknown Account"}   # rejected: an account never delivered
        self.quotes, self.lines = [], []
        for i in range(10):
            account = self.accounts[(i * 7) % 24]
            if account["accountnumber"] == "" or account["statecode"] != "0":
                account = self.accounts[0]
            quote = {"quoteid": self.guid(), "quotenumber": self.key("QUO", i), "name": f"Quote {i}", "customer": account,
                     "transactioncurrencyid": "EUR" if i % 3 else "HUF", "statecode": str([1, 1, 0, 1, 2, 1, 1, 3, 1, 1][i]),
                     "effectiveto": f"2026-12-{10 + i}", "requestdeliveryby": f"2027-01-{10 + i}",
                     "shipto_line1": f"{i + 3} Váci út", "shipto_city": "Budapest", "shipto_postalcode": "1051", "shipto_country": "HU"}
            if i == 8:
                quote["customer"] = {"accountid": self.guid(), "name": "Unknown Account"}   # rejected: customer never delivered
            self.quotes.append(quote)
            for line in range(1, 1 + (i % 3) + 1):
                product = self.products[(i * 3 + line) % len(self.products)]
                self.lines.append({"quotedetailid": self.guid(), "quote": quote, "lineitemnumber": str(line), "product": product,
                                   "quantity": "-2" if (i, line) == (5, 2) else str(rng.randint(1, 40)),
                                   "priceperunit": product["price"], "unit": product["unit"],
                                   "manualdiscountamount": f"{rng.uniform(0, 20):.2f}", "description": rng.choice(["", "Rush", "Semi;colon, comma"])})

    # MARK: writers

    @staticmethod
    def csv_text(rows, line_ending="\r\n"):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=line_ending)
        for row in rows:
            writer.writerow(row)
        return out.getvalue()

    def write(self, folder, name, rows, bom=False):
        data = self.csv_text(rows).encode("utf-8")
        with open(os.path.join(folder, name), "wb") as f:
            f.write((b"\xef\xbb\xbf" if bom else b"") + data)

    def accounts_rows(self):
        columns = ["accountid", "accountnumber", "name", "telephone1", "emailaddress1", "websiteurl", "address1_line1", "address1_city",
                   "address1_postalcode", "address1_country", "customertypecode", "transactioncurrencyid", "statecode", "createdon"]
        return [columns] + [[a[c] for c in columns] for a in self.accounts]

    def contacts_rows(self):
        columns = ["contactid", "msdynce_contactnumber", "firstname", "lastname", "jobtitle", "emailaddress1", "telephone1",
                   "parentcustomerid", "address1_line1", "address1_city", "address1_postalcode", "address1_country",
                   "msdynce_isactivecustomer", "statecode"]
        return [columns] + [[c["parent"]["accountid"] if k == "parentcustomerid" and c["parent"] else ("" if k == "parentcustomerid" else c[k])
                             for k in columns] for c in self.contacts]

    def contacts_excel_rows(self):
        """Export to Excel: display names, the parent account's name, labels for option sets and Yes/No."""
        columns = ["msdynce_contactnumber", "firstname", "lastname", "jobtitle", "emailaddress1", "telephone1", "parentcustomerid",
                   "msdynce_isactivecustomer", "statecode"]
        header = [{"msdynce_contactnumber": "Contact Number", "msdynce_isactivecustomer": "Is Active Customer"}.get(c) or self.display("contact", c)
                  for c in columns]
        rows = [header]
        for c in self.contacts[:8]:
            values = []
            for k in columns:
                if k == "parentcustomerid": values.append(c["parent"]["name"] if c["parent"] else "")
                elif k == "msdynce_isactivecustomer": values.append("Yes" if c[k] == "1" else "No")
                elif k == "statecode": values.append(self.label("contact", "statecode", c[k]))
                else: values.append(c[k])
            rows.append(values)
        return rows

    def quotes_rows(self):
        columns = ["quoteid", "quotenumber", "name", "customerid", "transactioncurrencyid", "effectiveto", "requestdeliveryby",
                   "shipto_line1", "shipto_city", "shipto_postalcode", "shipto_country", "statecode"]
        return [columns] + [[q["customer"]["accountid"] if k == "customerid" else q[k] for k in columns] for q in self.quotes]

    def quotes_excel_rows(self):
        columns = ["quotenumber", "name", "customerid", "transactioncurrencyid", "effectiveto", "requestdeliveryby", "shipto_city",
                   "shipto_postalcode", "shipto_country", "statecode"]
        rows = [[self.display("quote", c) for c in columns]]
        for q in self.quotes[:6]:
            rows.append([q["customer"]["name"] if k == "customerid" else (self.label("quote", "statecode", q[k]) if k == "statecode" else q[k])
                         for k in columns])
        return rows

    def lines_rows(self):
        columns = ["quotedetailid", "quoteid", "lineitemnumber", "productid", "quantity", "priceperunit", "uomid", "manualdiscountamount", "description"]
        rows = [columns]
        for l in self.lines:
            rows.append([l["quotedetailid"], l["quote"]["quoteid"], l["lineitemnumber"], l["product"]["productid"], l["quantity"],
                         l["priceperunit"], l["unit"]["uomid"], l["manualdiscountamount"], l["description"]])
        return rows

    def sellable_rows(self):
        """EcoResSellableReleasedProductEntity as Data management exports it (its public field names)."""
        columns = ["PRODUCTNUMBER", "PRODUCTNAME", "PRODUCTDESCRIPTION", "PRODUCTTYPE", "SALESUNITSYMBOL", "SALESPRICE", "CURRENCYCODE",
                   "ISSALESSTOPPED", "INVENTORYUNITSYMBOL"]
        rows = [columns]
        for i, p in enumerate(self.products):
            price = "12,50" if i == 4 else p["price"]     # rejected: a decimal comma where F&O writes a point
            rows.append([p["productnumber"], p["name"], "Árvíztűrő tükörfúrógép" if i == 2 else "", p["type"], p["unit"]["symbol"],
                         price, p["currency"], "Yes" if i == 11 else "No", p["unit"]["symbol"]])
        return rows

    def fo_package(self, path):
        """An F&O export data package: UTF-16 LE manifest and header, the entity file as CSV-Unicode."""
        label, entity = "Sellable released products", "EcoResSellableReleasedProductEntity"
        columns = self.sellable_rows()[0]
        maps = "".join(f"\t\t\t\t<EntityMap>\r\n\t\t\t\t\t<ArrayIndex>0</ArrayIndex>\r\n\t\t\t\t\t<EntityField>{c}</EntityField>\r\n"
                       f"\t\t\t\t\t<EntityFieldConversionList i:nil=\"true\" />\r\n\t\t\t\t\t<IsAutoDefault>false</IsAutoDefault>\r\n"
                       f"\t\t\t\t\t<IsAutoGenerated>false</IsAutoGenerated>\r\n\t\t\t\t\t<IsDefaultValueEqualNull>false</IsDefaultValueEqualNull>\r\n"
                       f"\t\t\t\t\t<UseTextQualifier>false</UseTextQualifier>\r\n\t\t\t\t\t<XMLField>{c}</XMLField>\r\n\t\t\t\t</EntityMap>\r\n" for c in columns)
        manifest = ('<DataManagementPackageManifest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
                    'xmlns="http://schemas.microsoft.com/dynamics/2015/01/DataManagement">\r\n'
                    f"\t<DefinitionGroupName>P2C sellable products</DefinitionGroupName>\r\n\t<Description>Sellable released products for Sales</Description>\r\n"
                    "\t<PackageEntityList>\r\n\t\t<DataManagementPackageEntityData>\r\n\t\t\t<DefaultRefreshType>FullPush</DefaultRefreshType>\r\n"
                    f"\t\t\t<Disable>false</Disable>\r\n\t\t\t<EntityMapList>\r\n{maps}\t\t\t</EntityMapList>\r\n\t\t\t<EntityName>{label}</EntityName>\r\n"
                    "\t\t\t<ExecutionUnit>1</ExecutionUnit>\r\n\t\t\t<FailExecutionUnitOnError>false</FailExecutionUnitOnError>\r\n"
                    f"\t\t\t<FailLevelOnError>false</FailLevelOnError>\r\n\t\t\t<InputFilePath>{label}.csv</InputFilePath>\r\n"
                    "\t\t\t<LevelInExecutionUnit>1</LevelInExecutionUnit>\r\n\t\t\t<QueryFilter i:nil=\"true\" />\r\n"
                    "\t\t\t<SequenceInLevel>1</SequenceInLevel>\r\n\t\t\t<SkipStaging>false</SkipStaging>\r\n\t\t\t<SourceFormat>CSV-Unicode</SourceFormat>\r\n"
                    f"\t\t\t<TargetEntity>{entity}</TargetEntity>\r\n\t\t</DataManagementPackageEntityData>\r\n\t</PackageEntityList>\r\n"
                    "</DataManagementPackageManifest>")
        header = ('<DataManagementPackageHeader xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
                  'xmlns="http://schemas.microsoft.com/dynamics/2015/01/DataManagement">\r\n\t<Description>Sellable released products for Sales</Description>\r\n'
                  "\t<ManifestType>Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest</ManifestType>\r\n"
                  "\t<PackageType>DefinitionGroup</PackageType>\r\n\t<PackageVersion>2</PackageVersion>\r\n</DataManagementPackageHeader>")
        utf16 = lambda text: b"\xff\xfe" + text.encode("utf-16-le")
        data = utf16(self.csv_text(self.sellable_rows()[:12]))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in [("Manifest.xml", utf16(manifest)), ("PackageHeader.xml", utf16(header)), (f"{label}.csv", data)]:
                info = zipfile.ZipInfo(name, date_time=(2026, 11, 24, 22, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, content)

    def accounts_xml(self, path):
        def esc(text): return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        columns = self.accounts_rows()[0]
        lines = ['<?xml version="1.0" encoding="utf-8"?>', "<accounts>"]
        for a in self.accounts[:8]:
            lines.append("  <account>" + "".join(f"<{c}>{esc(a[c])}</{c}>" for c in columns) + "</account>")
        lines.append("</accounts>")
        open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")

    def write_all(self, folder):
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        self.write(folder, "accounts.csv", self.accounts_rows())
        self.accounts_xml(os.path.join(folder, "accounts-hu.xml"))
        self.write(folder, "contacts.csv", self.contacts_rows())
        self.write(folder, "contacts-excel.csv", self.contacts_excel_rows(), bom=True)
        self.write(folder, "sales-units.csv", [["uomid", "name"]] + [[u["uomid"], u["name"]] for u in self.units])
        self.write(folder, "sales-products.csv", [["productid", "productnumber", "name"]] +
                   [[p["productid"], p["productnumber"], p["name"]] for p in self.products])
        self.write(folder, "quotes.csv", self.quotes_rows())
        self.write(folder, "quotedetails.csv", self.lines_rows())
        self.write(folder, "quotes-excel.csv", self.quotes_excel_rows(), bom=True)
        self.write(folder, "sellable-released-products.csv", self.sellable_rows(), bom=True)
        self.fo_package(os.path.join(folder, "fo-sellable-released-products.zip"))
        raw = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", mtime=0, fileobj=raw) as z:
            z.write(b"\xef\xbb\xbf" + self.csv_text(self.sellable_rows()[:9]).encode("utf-8"))
        open(os.path.join(folder, "sellable-released-products-week48.csv.gz"), "wb").write(raw.getvalue())
        with zipfile.ZipFile(os.path.join(folder, "sales-quotes-week48.zip"), "w", zipfile.ZIP_DEFLATED) as z:
            quotes = self.quotes[5:]
            lines = [l for l in self.lines if l["quote"] in quotes]
            keep_quotes, keep_lines = self.quotes, self.lines
            self.quotes, self.lines = quotes, lines
            for name, rows in [("quotes-week48.csv", self.quotes_rows()), ("quotedetails-week48.csv", self.lines_rows())]:
                info = zipfile.ZipInfo(name, date_time=(2026, 11, 24, 22, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, self.csv_text(rows).encode("utf-8"))
            self.quotes, self.lines = keep_quotes, keep_lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "samples/exports"))
    options = parser.parse_args()
    samples = Samples()
    samples.build()
    samples.write_all(options.out)
    print(f"wrote {len(os.listdir(options.out))} files to {os.path.relpath(options.out, ROOT)}")


if __name__ == "__main__":
    main()
