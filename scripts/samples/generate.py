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
CATALOGUE = os.path.join(ROOT, "Sources/Ferry/Layers/EntityCatalogue+Definitions.swift")

FIRST = ["Anna", "Béla", "Csaba", "Dóra", "Erzsébet", "Ferenc", "Gábor", "Hajnalka", "John", "María", "Zoë", "Jürgen"]
LAST = ["Kovács", "Nagy", "Szabó", "Tóth", "Varga", "Horváth", "Smith", "Müller", "O'Brien", "Nowak"]
COMPANY = ["Árvíztűrő Kft.", "Contoso Ltd.", "Fabrikam, Inc.", "Tükörfúró Zrt.", "Litware \"Global\"", "Adventure Works",
           "Northwind Traders", "Wide World Importers", "Alpine Ski House", "Coho Winery", "Lamna Healthcare", "Trey Research"]
CITIES = [("Budapest", "1051", "HU"), ("Debrecen", "4025", "HU"), ("Szeged", "6720", "HU"), ("Seattle", "98052", "US"),
          ("München", "80331", "DE"), ("Zürich", "8001", "CH"), ("Warszawa", "00-001", "PL")]
STREETS = ["Fő utca", "Váci út", "Andrássy út", "Main Street", "Hauptstraße"]
# Sales units (uom) and their F&O symbols: samples/templates/units.csv holds the same pairs.
UNITS = [("Primary Unit", "ea"), ("Piece", "pcs"), ("Kilogram", "kg"), ("Hour", "h"), ("Box", "box")]
# Sales currencies (transactioncurrency): ISO code, name (the table's primary column), symbol.
CURRENCIES = [("EUR", "Euro", "€"), ("USD", "US Dollar", "$"), ("HUF", "Hungarian Forint", "Ft")]
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
        # A generator of their own, so the other samples' GUIDs do not move when a currency is added.
        currency_rng = random.Random(4217)
        self.currencies = {code: {"transactioncurrencyid": str(uuid.UUID(int=currency_rng.getrandbits(128))), "isocurrencycode": code,
                                  "currencyname": name, "currencysymbol": symbol} for code, name, symbol in CURRENCIES}
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
        self.build_sales_orders()
        self.build_fo_orders_and_invoices()

    def build_sales_orders(self):
        """Sales orders as Sales exports them: activated ones are sent to F&O; drafts, cancelled orders and orders that
        came from F&O are not. Rejected: an order without a requested delivery date, one for an account never
        delivered; a write-in product line; a negative quantity."""
        rng = self.rng
        good = [a for a in self.accounts if a["accountnumber"] and a["statecode"] == "0" and a["customertypecode"] != "99"]
        self.orders, self.order_lines = [], []
        plan = [("Active", "0", "0"), ("Active", "0", "0"), ("Draft", "0", "0"), ("Active", "0", "0"), ("Confirmed", "0", "1"),
                ("Active", "2", "0"), ("Active", "0", "0"), ("Active", "0", "0"), ("Active", "0", "0"), ("Active", "0", "0"), ("Active", "0", "0")]
        for i, (processing, state, external) in enumerate(plan):
            account = good[(i * 5) % len(good)]
            order = {"salesorderid": self.guid(), "ordernumber": self.key("ORD", i), "name": f"Order {i}", "customer": account,
                     "currency": ["EUR", "USD", "HUF"][i % 3], "requestdeliveryby": f"2027-02-{10 + i}", "statecode": state,
                     "msdynce_processingstatus": processing, "msdynce_ismaintainedexternally": external,
                     "shipto_line1": f"{i + 7} Andrássy út", "shipto_line2": "", "shipto_city": "Budapest", "shipto_postalcode": "1061",
                     "shipto_country": "" if i == 3 else "HU"}
            if i == 6:
                order["requestdeliveryby"] = ""                                            # rejected: F&O requires a date
            if i == 7:
                order["customer"] = {"accountid": self.guid(), "name": "Unknown Account"}  # rejected: never delivered
            self.orders.append(order)
            for line in range(1, 2 + i % 3):
                product = self.products[(i * 2 + line) % len(self.products)]
                self.order_lines.append({"salesorderdetailid": self.guid(), "order": order, "lineitemnumber": str(line), "product": product,
                                         "quantity": "3" if line == 1 else str(rng.randint(1, 25)), "priceperunit": product["price"],
                                         "unit": product["unit"], "manualdiscountamount": "10.00" if line == 1 else "",
                                         "description": rng.choice(["", "Gift wrap", "Deliver to gate 2"])})
        self.order_lines[1]["product"] = None                                             # rejected: a write-in product
        self.order_lines[2]["quantity"] = "-1"                                             # rejected: negative quantity

    def build_fo_orders_and_invoices(self):
        """F&O sales orders and invoices of customers that came from Sales, as Data management exports them. Filtered:
        an order not confirmed, one whose totals are not calculated. Rejected: an order and an invoice of an F&O
        customer that did not come from Sales, a line for an item Sales does not have."""
        rng = self.rng
        good = [a for a in self.accounts if a["accountnumber"] and a["statecode"] == "0" and a["customertypecode"] != "99"]
        sellable = [p for i, p in enumerate(self.products) if i not in (4, 11)]   # the ones the products flow delivers
        self.fo_orders, self.fo_order_lines = [], []
        plan = [("Confirmed", "Yes"), ("Invoiced", "Yes"), ("Active", "Yes"), ("Shipped", "Yes"), ("Confirmed", "No"),
                ("PartiallyShipped", "Yes"), ("Confirmed", "Yes"), ("Picked", "Yes"), ("Confirmed", "Yes")]
        for i, (processing, totals) in enumerate(plan):
            account = good[(i * 3 + 1) % len(good)]["accountnumber"] if i != 6 else "US-00042"   # rejected: not from Sales
            order = {"SALESORDERNUMBER": f"SO-{1200 + i:06d}", "ORDERINGCUSTOMERACCOUNTNUMBER": account, "INVOICECUSTOMERACCOUNTNUMBER": account,
                     "CURRENCYCODE": ["EUR", "HUF", "USD"][i % 3], "SALESORDERNAME": "", "CUSTOMERSORDERREFERENCE": f"PO-{7700 + i}",
                     "REQUESTEDSHIPPINGDATE": f"2026-12-{12 + i}T12:00:00", "DELIVERYADDRESSSTREET": f"{20 + i} Váci út",
                     "DELIVERYADDRESSCITY": "Budapest", "DELIVERYADDRESSZIPCODE": "1132", "DELIVERYADDRESSCOUNTRYREGIONISOCODE": "HU",
                     "SALESORDERSTATUS": "Invoiced" if processing == "Invoiced" else "Backorder", "SALESORDERPROCESSINGSTATUS": processing,
                     "ARETOTALSCALCULATED": totals, "DEFAULTSHIPPINGSITEID": "1", "DEFAULTSHIPPINGWAREHOUSEID": "13"}
            self.fo_orders.append(order)
            for line in range(1, 2 + (i + 1) % 3):
                product = sellable[(i * 3 + line) % len(sellable)]
                quantity = 3 if line == 1 else rng.randint(1, 12)
                discount, charges = ("3.33", "-0.01") if line == 1 else (f"{rng.uniform(0, 5):.2f}", "0")   # P2C's example: 3 x 3.33 + 0.01 = 10.00
                self.fo_order_lines.append({"SALESORDERNUMBER": order["SALESORDERNUMBER"], "LINECREATIONSEQUENCENUMBER": str(line),
                                            "ITEMNUMBER": product["productnumber"], "LINEDESCRIPTION": product["name"],
                                            "ORDEREDSALESQUANTITY": str(quantity), "SALESPRICE": product["price"],
                                            "SALESUNITSYMBOL": product["unit"]["symbol"], "LINEDISCOUNTAMOUNT": discount, "FIXEDPRICECHARGES": charges,
                                            "REQUESTEDSHIPPINGDATE": order["REQUESTEDSHIPPINGDATE"], "SHIPPINGSITEID": "1", "SHIPPINGWAREHOUSEID": "13"})
        self.fo_order_lines[2]["ITEMNUMBER"] = "X-9999"                                    # rejected: Sales has no such product
        self.invoices, self.invoice_lines = [], []
        invoiced = [o for o in self.fo_orders if o["SALESORDERPROCESSINGSTATUS"] in ("Invoiced", "Shipped", "PartiallyShipped")] + [self.fo_orders[6]]
        for i, order in enumerate(invoiced):
            lines = [l for l in self.fo_order_lines if l["SALESORDERNUMBER"] == order["SALESORDERNUMBER"]]
            number = f"CIV-{5000 + i:06d}"
            amounts = []
            for l in lines:
                quantity, price = int(l["ORDEREDSALESQUANTITY"]), float(l["SALESPRICE"])
                discount = round(quantity * float(l["LINEDISCOUNTAMOUNT"]) - float(l["FIXEDPRICECHARGES"]), 2)
                amount = round(quantity * price - discount, 2)
                tax = round(amount * 0.27, 2)
                amounts.append((amount, discount, tax))
                self.invoice_lines.append({"INVOICENUMBER": number, "LINECREATIONSEQUENCENUMBER": l["LINECREATIONSEQUENCENUMBER"],
                                           "PRODUCTNUMBER": l["ITEMNUMBER"], "PRODUCTNAME": l["LINEDESCRIPTION"], "PRODUCTDESCRIPTION": "",
                                           "INVOICEDQUANTITY": str(quantity), "SALESPRICE": l["SALESPRICE"], "SALESUNITSYMBOL": l["SALESUNITSYMBOL"],
                                           "LINETOTALDISCOUNTAMOUNT": f"{discount:.2f}", "LINETOTALTAXAMOUNT": f"{tax:.2f}", "LINEAMOUNT": f"{amount:.2f}",
                                           "CURRENCYCODE": order["CURRENCYCODE"], "INVOICEDATE": f"2026-12-{20 + i}T12:00:00"})
            self.invoices.append({"INVOICENUMBER": number, "INVOICEDATE": f"2026-12-{20 + i}T12:00:00",
                                  "INVOICECUSTOMERACCOUNTNUMBER": order["INVOICECUSTOMERACCOUNTNUMBER"], "SALESORDERNUMBER": order["SALESORDERNUMBER"],
                                  "CURRENCYCODE": order["CURRENCYCODE"], "TOTALINVOICEAMOUNT": f"{sum(a + t for a, _, t in amounts):.2f}",
                                  "TOTALDISCOUNTAMOUNT": "0.00", "TOTALTAXAMOUNT": f"{sum(t for _, _, t in amounts):.2f}",
                                  "INVOICEADDRESSSTREET": order["DELIVERYADDRESSSTREET"], "INVOICEADDRESSCITY": "Budapest",
                                  "INVOICEADDRESSZIPCODE": "1132", "INVOICEADDRESSCOUNTRYREGIONID": "HUN" if i % 2 == 0 else "DEU"})

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

    def currency_id(self, code):
        """A lookup as a Web API export writes it: the currency's GUID."""
        return self.currencies[code]["transactioncurrencyid"]

    def accounts_rows(self):
        columns = ["accountid", "accountnumber", "name", "telephone1", "emailaddress1", "websiteurl", "address1_line1", "address1_city",
                   "address1_postalcode", "address1_country", "customertypecode", "transactioncurrencyid", "statecode", "createdon"]
        return [columns] + [[self.currency_id(a[c]) if c == "transactioncurrencyid" else a[c] for c in columns] for a in self.accounts]

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
        return [columns] + [[q["customer"]["accountid"] if k == "customerid" else self.currency_id(q[k]) if k == "transactioncurrencyid" else q[k]
                             for k in columns] for q in self.quotes]

    def quotes_excel_rows(self):
        columns = ["quotenumber", "name", "customerid", "transactioncurrencyid", "effectiveto", "requestdeliveryby", "shipto_city",
                   "shipto_postalcode", "shipto_country", "statecode"]
        rows = [[self.display("quote", c) for c in columns]]
        for q in self.quotes[:6]:
            rows.append([q["customer"]["name"] if k == "customerid" else self.label("quote", "statecode", q[k]) if k == "statecode"
                         else self.currencies[q[k]]["currencyname"] if k == "transactioncurrencyid" else q[k] for k in columns])
        return rows

    def lines_rows(self):
        columns = ["quotedetailid", "quoteid", "lineitemnumber", "productid", "quantity", "priceperunit", "uomid", "manualdiscountamount", "description"]
        rows = [columns]
        for l in self.lines:
            rows.append([l["quotedetailid"], l["quote"]["quoteid"], l["lineitemnumber"], l["product"]["productid"], l["quantity"],
                         l["priceperunit"], l["unit"]["uomid"], l["manualdiscountamount"], l["description"]])
        return rows

    def sales_orders_rows(self):
        columns = ["salesorderid", "ordernumber", "name", "customerid", "transactioncurrencyid", "requestdeliveryby", "shipto_line1",
                   "shipto_line2", "shipto_city", "shipto_postalcode", "shipto_country", "statecode", "msdynce_processingstatus", "msdynce_ismaintainedexternally"]
        rows = [columns]
        for o in self.orders:
            rows.append([o["customer"]["accountid"] if k == "customerid" else self.currency_id(o["currency"]) if k == "transactioncurrencyid"
                         else o[k] for k in columns])
        return rows

    def sales_order_lines_rows(self):
        columns = ["salesorderdetailid", "salesorderid", "lineitemnumber", "productid", "quantity", "priceperunit", "uomid",
                   "manualdiscountamount", "description"]
        rows = [columns]
        for l in self.order_lines:
            rows.append([l["salesorderdetailid"], l["order"]["salesorderid"], l["lineitemnumber"], l["product"]["productid"] if l["product"] else "",
                         l["quantity"], l["priceperunit"], l["unit"]["uomid"], l["manualdiscountamount"], l["description"]])
        return rows

    FO_ORDER_COLUMNS = ["SALESORDERNUMBER", "ORDERINGCUSTOMERACCOUNTNUMBER", "INVOICECUSTOMERACCOUNTNUMBER", "CURRENCYCODE", "SALESORDERNAME",
                        "CUSTOMERSORDERREFERENCE", "REQUESTEDSHIPPINGDATE", "DELIVERYADDRESSSTREET", "DELIVERYADDRESSCITY", "DELIVERYADDRESSZIPCODE",
                        "DELIVERYADDRESSCOUNTRYREGIONISOCODE", "SALESORDERSTATUS", "SALESORDERPROCESSINGSTATUS", "ARETOTALSCALCULATED",
                        "DEFAULTSHIPPINGSITEID", "DEFAULTSHIPPINGWAREHOUSEID"]
    FO_ORDER_LINE_COLUMNS = ["SALESORDERNUMBER", "LINECREATIONSEQUENCENUMBER", "ITEMNUMBER", "LINEDESCRIPTION", "ORDEREDSALESQUANTITY", "SALESPRICE",
                             "SALESUNITSYMBOL", "LINEDISCOUNTAMOUNT", "FIXEDPRICECHARGES", "REQUESTEDSHIPPINGDATE", "SHIPPINGSITEID", "SHIPPINGWAREHOUSEID"]
    INVOICE_COLUMNS = ["INVOICENUMBER", "INVOICEDATE", "INVOICECUSTOMERACCOUNTNUMBER", "SALESORDERNUMBER", "CURRENCYCODE", "TOTALINVOICEAMOUNT",
                       "TOTALDISCOUNTAMOUNT", "TOTALTAXAMOUNT", "INVOICEADDRESSSTREET", "INVOICEADDRESSCITY", "INVOICEADDRESSZIPCODE",
                       "INVOICEADDRESSCOUNTRYREGIONID"]
    INVOICE_LINE_COLUMNS = ["INVOICENUMBER", "LINECREATIONSEQUENCENUMBER", "PRODUCTNUMBER", "PRODUCTNAME", "PRODUCTDESCRIPTION", "INVOICEDQUANTITY",
                            "SALESPRICE", "SALESUNITSYMBOL", "LINETOTALDISCOUNTAMOUNT", "LINETOTALTAXAMOUNT", "LINEAMOUNT", "CURRENCYCODE", "INVOICEDATE"]

    @staticmethod
    def table(columns, records):
        return [columns] + [[r[c] for c in columns] for r in records]

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

    def fo_package(self, path, group, description, entities):
        """An F&O export data package: UTF-16 LE manifest and header, each entity file as CSV-Unicode.
        `entities`: (label, AOT name, rows) in execution order. The manifest has the elements of a real export
        (../shared/reference/fo-exported-package), in its order, but for QueryData: F&O's serialized export query,
        a binary blob no public source describes."""
        blocks = ""
        for level, (label, entity, rows) in enumerate(entities, start=1):
            maps = "".join(f"\t\t\t\t<EntityMap>\r\n\t\t\t\t\t<ArrayIndex>0</ArrayIndex>\r\n\t\t\t\t\t<EntityField>{c}</EntityField>\r\n"
                           f"\t\t\t\t\t<EntityFieldConversionList i:nil=\"true\" />\r\n\t\t\t\t\t<IsAutoDefault>false</IsAutoDefault>\r\n"
                           f"\t\t\t\t\t<IsAutoGenerated>false</IsAutoGenerated>\r\n\t\t\t\t\t<IsDefaultValueEqualNull>false</IsDefaultValueEqualNull>\r\n"
                           f"\t\t\t\t\t<UseTextQualifier>false</UseTextQualifier>\r\n\t\t\t\t\t<XMLField>{c}</XMLField>\r\n\t\t\t\t</EntityMap>\r\n" for c in rows[0])
            blocks += ("\t\t<DataManagementPackageEntityData>\r\n\t\t\t<DefaultRefreshType>FullPush</DefaultRefreshType>\r\n"
                       f"\t\t\t<Disable>false</Disable>\r\n\t\t\t<EntityMapList>\r\n{maps}\t\t\t</EntityMapList>\r\n\t\t\t<EntityName>{label}</EntityName>\r\n"
                       "\t\t\t<EntityTransformList i:nil=\"true\" />\r\n\t\t\t<ExcelSheetName />\r\n"
                       "\t\t\t<ExecutionUnit>1</ExecutionUnit>\r\n\t\t\t<FailExecutionUnitOnError>false</FailExecutionUnitOnError>\r\n"
                       f"\t\t\t<FailLevelOnError>false</FailLevelOnError>\r\n\t\t\t<InputFilePath>{label}.csv</InputFilePath>\r\n"
                       f"\t\t\t<LevelInExecutionUnit>{level}</LevelInExecutionUnit>\r\n\t\t\t<QueryFilter i:nil=\"true\" />\r\n"
                       "\t\t\t<RunBusinessLogic>true</RunBusinessLogic>\r\n\t\t\t<RunBusinessValidation>true</RunBusinessValidation>\r\n"
                       "\t\t\t<SampleFilePath />\r\n\t\t\t<SequenceInLevel>1</SequenceInLevel>\r\n\t\t\t<SourceFormat>CSV-Unicode</SourceFormat>\r\n"
                       f"\t\t\t<TargetEntity>{entity}</TargetEntity>\r\n\t\t\t<ValidationStatus>Yes</ValidationStatus>\r\n"
                       "\t\t</DataManagementPackageEntityData>\r\n")
        manifest = ('<DataManagementPackageManifest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
                    'xmlns="http://schemas.microsoft.com/dynamics/2015/01/DataManagement">\r\n'
                    f"\t<DefinitionGroupName>{group}</DefinitionGroupName>\r\n\t<Description>{description}</Description>\r\n"
                    f"\t<PackageEntityList>\r\n{blocks}\t</PackageEntityList>\r\n"
                    "\t<ProjectCategory>0</ProjectCategory>\r\n\t<RulesData i:nil=\"true\" />\r\n</DataManagementPackageManifest>")
        header = ('<DataManagementPackageHeader xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
                  f'xmlns="http://schemas.microsoft.com/dynamics/2015/01/DataManagement">\r\n\t<Description>{description}</Description>\r\n'
                  "\t<ManifestType>Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest</ManifestType>\r\n"
                  "\t<PackageType>DefinitionGroup</PackageType>\r\n\t<PackageVersion>2</PackageVersion>\r\n</DataManagementPackageHeader>")
        utf16 = lambda text: b"\xff\xfe" + text.encode("utf-16-le")
        members = [("Manifest.xml", utf16(manifest)), ("PackageHeader.xml", utf16(header))]
        members += [(f"{label}.csv", utf16(self.csv_text(rows))) for label, _, rows in entities]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in members:
                info = zipfile.ZipInfo(name, date_time=(2026, 11, 24, 22, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, content)

    def accounts_xml(self, path):
        def esc(text): return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        columns = self.accounts_rows()[0]
        lines = ['<?xml version="1.0" encoding="utf-8"?>', "<accounts>"]
        for a in self.accounts[:8]:
            lines.append("  <account>" + "".join(f"<{c}>{esc(self.currency_id(a[c]) if c == 'transactioncurrencyid' else a[c])}</{c}>"
                                                 for c in columns) + "</account>")
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
        self.fo_package(os.path.join(folder, "fo-sellable-released-products.zip"), "P2C sellable products", "Sellable released products for Sales",
                        [("Sellable released products", "EcoResSellableReleasedProductEntity", self.sellable_rows()[:12])])
        self.write(folder, "sales-currencies.csv", self.table(["transactioncurrencyid", "isocurrencycode", "currencyname", "currencysymbol"],
                                                              list(self.currencies.values())))
        self.write(folder, "salesorders.csv", self.sales_orders_rows())
        self.write(folder, "salesorderdetails.csv", self.sales_order_lines_rows())
        # F&O sales orders: the export data package (both entities, UTF-16), and a CSV pair of another week.
        week49 = self.fo_orders[:4]
        self.fo_package(os.path.join(folder, "fo-sales-orders.zip"), "P2C sales orders", "Sales orders for Sales",
                        [("Sales order headers V2", "SalesOrderHeaderV2Entity", self.table(self.FO_ORDER_COLUMNS, week49)),
                         ("Sales order lines V2", "SalesOrderLineV2Entity",
                          self.table(self.FO_ORDER_LINE_COLUMNS, [l for l in self.fo_order_lines if any(l["SALESORDERNUMBER"] == o["SALESORDERNUMBER"] for o in week49)]))])
        rest = self.fo_orders[4:]
        self.write(folder, "sales-order-headers-week49.csv", self.table(self.FO_ORDER_COLUMNS, rest), bom=True)
        self.write(folder, "sales-order-lines-week49.csv",
                   self.table(self.FO_ORDER_LINE_COLUMNS, [l for l in self.fo_order_lines if any(l["SALESORDERNUMBER"] == o["SALESORDERNUMBER"] for o in rest)]), bom=True)
        self.write(folder, "sales-invoice-headers.csv", self.table(self.INVOICE_COLUMNS, self.invoices), bom=True)
        self.write(folder, "sales-invoice-lines.csv", self.table(self.INVOICE_LINE_COLUMNS, self.invoice_lines), bom=True)
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
