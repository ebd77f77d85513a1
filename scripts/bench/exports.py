"""The benchmark's inputs: gen_exports.py's exports (deterministic), in the shapes the shipped templates read.

gen_exports.py writes Dataverse logical names close to, but not the same as, the shipped samples
(samples/exports, what the templates are written for). The differences are bridged here, value for value:
  contacts:     the Contact Number column (msdynce_contactnumber, CON-00000-XXXXXX) is added; the
                Is Active Customer column gets the samples' name (msdynce_isactivecustomer).
  quotedetails: quotenumber/productnumber become quoteid/productid (the lookups take numbers as well as GUIDs);
                uomid holds the unit's GUID from samples/exports/sales-units.csv instead of its symbol.
  releasedproducts -> sellable-released-products: CURRENCYCODE and ISSALESSTOPPED added (every 20th stopped).
  sales-products.csv (reference): the released products the quote lines name, with a GUID made from the number.
Accounts and quotes are used as generated. Everything is cached under the data folder by row count.
"""
import csv, gzip, importlib.util, os, shutil, subprocess, sys, uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CURRENCIES = ["USD", "EUR", "HUF"]


def generator_path():
    return os.environ.get("GEN_EXPORTS") or os.path.join(REPO, "..", "shared", "tools", "gen_exports.py")


def _generator():
    spec = importlib.util.spec_from_file_location("gen_exports", generator_path())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(entity, rows, out, *extra):
    if os.path.exists(out):
        return out
    subprocess.run([sys.executable, generator_path(), entity, "--rows", str(rows), "--out", out + ".part", *extra], check=True)
    os.rename(out + ".part", out)
    return out


def _reshape(source, out, change):
    """Rewrites CSV `source` into `out` row by row: change(header) returns a function for each data row."""
    if os.path.exists(out):
        return out
    with open(source, newline="", encoding="utf-8") as f, open(out + ".part", "w", newline="", encoding="utf-8") as g:
        reader, writer = csv.reader(f), csv.writer(g, lineterminator="\r\n")
        header, row_change = change(next(reader))
        writer.writerow(header)
        for i, row in enumerate(reader):
            writer.writerow(row_change(i, row))
    os.rename(out + ".part", out)
    return out


def _count_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _unit_guids():
    """Unit symbol (ea) -> the Sales unit's GUID in the samples (through units.csv's name -> symbol)."""
    with open(os.path.join(REPO, "samples/templates/units.csv"), newline="", encoding="utf-8") as f:
        symbol_by_name = {r["name"]: r["symbol"] for r in csv.DictReader(f)}
    with open(os.path.join(REPO, "samples/exports/sales-units.csv"), newline="", encoding="utf-8-sig") as f:
        return {symbol_by_name[r["name"]]: r["uomid"] for r in csv.DictReader(f)}


def prepare(data, rows, quotes, cases):
    """Writes (or finds) the inputs `cases` need for `rows` rows under `data`; returns name -> path and row counts."""
    os.makedirs(data, exist_ok=True)
    gen = _generator()
    p = lambda name: os.path.join(data, name)
    files = {}
    for name in ("sales-currencies.csv", "sales-units.csv"):
        files[name] = os.path.join(REPO, "samples/exports", name)
    files["accounts.csv"] = generate("accounts", rows, p("accounts.csv"))
    if "gz" in cases and not os.path.exists(p("accounts.csv.gz")):
        with open(p("accounts.csv.gz.part"), "wb") as out:
            subprocess.run(["gzip", "-6", "-n", "-c", p("accounts.csv")], stdout=out, check=True)
        os.rename(p("accounts.csv.gz.part"), p("accounts.csv.gz"))
    files["accounts.csv.gz"] = p("accounts.csv.gz")
    if "xml" in cases:
        files["accounts.xml"] = generate("accounts", rows, p("accounts.xml"), "--format", "xml")
    if "shipped" not in cases:
        return files, {}

    def contacts(header):
        active = header.index("msdyn_isactivecustomer")
        header = header[:1] + ["msdynce_contactnumber"] + header[1:]
        header[active + 1] = "msdynce_isactivecustomer"
        return header, lambda i, row: row[:1] + [gen.key("CON", i)] + row[1:]
    files["contacts.csv"] = _reshape(generate("contacts", rows, p("gen-contacts.csv")), p("contacts.csv"), contacts)

    def sellable(header):
        return header + ["CURRENCYCODE", "ISSALESSTOPPED"], \
            lambda i, row: row + [CURRENCIES[i % 3], "Yes" if i % 20 == 19 else "No"]
    released = generate("releasedproducts", max(rows, quotes), p("gen-releasedproducts.csv"))
    files["sellable-released-products.csv"] = _reshape(released, p("sellable-released-products.csv"), sellable)

    files["quotes.csv"] = generate("quotes", quotes, p("quotes.csv"))
    units = _unit_guids()
    def lines(header):
        header = ["quoteid" if c == "quotenumber" else "productid" if c == "productnumber" else c for c in header]
        uom = header.index("uomid")
        return header, lambda i, row: row[:uom] + [units.get(row[uom], row[uom])] + row[uom + 1:]
    files["quotedetails.csv"] = _reshape(generate("quotedetails", quotes, p("gen-quotedetails.csv")), p("quotedetails.csv"), lines)

    # The Sales products the quote lines name (P000000 .. quotes - 1), as a Sales products export.
    if not os.path.exists(p("sales-products.csv")):
        with open(released, newline="", encoding="utf-8") as f, open(p("sales-products.csv.part"), "w", newline="", encoding="utf-8") as g:
            reader, writer = csv.DictReader(f), csv.writer(g, lineterminator="\r\n")
            writer.writerow(["productid", "productnumber", "name"])
            for i, r in enumerate(reader):
                if i >= quotes:
                    break
                writer.writerow([str(uuid.uuid5(uuid.NAMESPACE_URL, "product/" + r["PRODUCTNUMBER"])), r["PRODUCTNUMBER"], r["PRODUCTNAME"]])
        os.rename(p("sales-products.csv.part"), p("sales-products.csv"))
    files["sales-products.csv"] = p("sales-products.csv")

    counts_path = p("counts.txt")
    if not os.path.exists(counts_path):
        with open(counts_path, "w") as f:
            f.write(f"{_count_rows(files['quotedetails.csv'])}\n")
    with open(counts_path) as f:
        quote_lines = int(f.read())
    return files, {"quotedetails.csv": quote_lines}


def one_row_files(source, count, folder):
    """`count` exports of one account each (the first `count` rows of `source`, so each has its own content)."""
    os.makedirs(folder, exist_ok=True)
    with open(source, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for i, row in enumerate(reader):
            if i >= count:
                break
            with open(os.path.join(folder, f"accounts-{i:06d}.csv"), "w", newline="", encoding="utf-8") as g:
                writer = csv.writer(g, lineterminator="\r\n")
                writer.writerow(header)
                writer.writerow(row)
