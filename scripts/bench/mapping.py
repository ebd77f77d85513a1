"""The benchmark mapping with Python's csv module: what a user could write instead of Ferry."""
import csv, sys
GROUPS = {"1": "90", "2": "90", "3": "10", "5": "20", "8": "30", "9": "20"}
with open(sys.argv[1], newline="", encoding="utf-8") as source, open(sys.argv[2], "w", newline="", encoding="utf-8") as target:
    reader = csv.DictReader(source)
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["ACCOUNT", "NAME", "PHONE", "EMAIL", "STREET", "CITY", "ZIP", "COUNTRY", "GROUP", "CURRENCY", "REVENUE", "CREATED"])
    for r in reader:
        if r["statecode"] != "0":
            continue
        writer.writerow([r["accountnumber"].strip(), r["name"].strip().upper(), r["telephone1"], r["emailaddress1"].strip(),
                         r["address1_line1"].strip(), r["address1_city"].strip(), r["address1_postalcode"], r["address1_country"].upper(),
                         GROUPS.get(r["customertypecode"], "90"), r["transactioncurrencyid"], r["revenue"], r["createdon"][:10]])
