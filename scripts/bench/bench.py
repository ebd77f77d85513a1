#!/usr/bin/env python3
"""Ferry's benchmark: the shipped templates and the keyless mapping on generated exports, beside Miller 6,
Python's csv module and gzip, in one run. See README "Performance".

  scripts/bench.sh                      1,000,000 rows, every case but the migration
  scripts/bench.sh --rows 100000        any size
  scripts/bench.sh --migration          also the 10,000,000-row keyed migration (long)
  scripts/bench.sh --smoke              CI: every case at 10,000 and 100,000 rows; fails when a case errors or
                                        when CPU time per row grows by more than 2x (a linearity check)
  FERRY=path scripts/bench.sh ...       that binary instead of a release build

Each case runs once in a fresh workspace, with its input hard-linked into the inbox; Ferry's figures cover
everything a real `ferry run` does (claim, digest, ledger, fsync, archive). Wall and CPU time, peak RSS and
exit status come from wait4(2) on the process itself.
"""
import argparse, csv, json, os, platform, shutil, subprocess, sys, tempfile, time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exports

REPO = exports.REPO
BENCH = os.path.join(REPO, "scripts", "bench")
SHIPPED = os.path.join(REPO, "samples", "templates")
KEYLESS_FILE = os.path.join(BENCH, "accounts-to-file.yaml")
KEYLESS_PACKAGE = os.path.join(BENCH, "accounts-to-package.yaml")


@dataclass
class Result:
    key: str                    # the case, the same at every size (pairs the smoke run's two sizes)
    case: str
    rows: int
    bytes: int
    wall: float = 0.0
    cpu: float = 0.0
    rss_kb: int = 0
    load: float = 0.0
    error: str = ""
    files: int = 0              # set for the many-files case: rates are per file
    written: int | None = None
    rejected: int | None = None
    versus: str = ""            # a ratio against a reference, in words
    target: str = ""
    met: str = ""               # "yes", "no" or "" (no target)
    ferry: bool = True

    @property
    def mb_per_s(self): return self.bytes / 1e6 / self.wall if self.wall > 0 else 0.0
    @property
    def mb_per_cpu_s(self): return self.bytes / 1e6 / self.cpu if self.cpu > 0 else 0.0
    @property
    def per_s(self): return (self.files or self.rows) / self.wall if self.wall > 0 else 0.0
    @property
    def cpu_per_unit(self): return self.cpu / max(self.files or self.rows, 1)


def measure(result, command, stdout=subprocess.DEVNULL, cwd=None):
    """Runs `command`, filling in wall time, CPU time (user + system, children included) and peak RSS."""
    result.load = os.getloadavg()[0]
    stderr = tempfile.TemporaryFile()
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    result.wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    result.cpu = usage.ru_utime + usage.ru_stime
    result.rss_kb = usage.ru_maxrss
    if process.returncode != 0:
        stderr.seek(0)
        result.error = f"exit {process.returncode}: " + stderr.read().decode(errors="replace").strip()[-2000:]
    return process.returncode


class Workspace:
    """A fresh Ferry workspace under the data folder; inputs are hard-linked into its inbox."""
    def __init__(self, data, name):
        self.root = tempfile.mkdtemp(prefix=name + ".", dir=data)
        os.makedirs(os.path.join(self.root, "inbox"))
        with open(os.path.join(self.root, "ferry.yaml"), "w") as f:
            f.write("version: 1\nintake:\n  hard_links: accept\n")

    def drop(self, *paths):
        for path in paths:
            target = os.path.join(self.root, "inbox", os.path.basename(path))
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def ferry_run(ferry, result, workspace, templates, expect_rows=None):
    """`ferry run --json` over the workspace; a case errors unless every file is delivered (rows as expected)."""
    option = "--templates" if os.path.isdir(templates) else "--template"
    output = tempfile.TemporaryFile()
    measure(result, [ferry, "run", "--json", "--root", workspace.root, option, templates], stdout=output)
    output.seek(0)
    lines = [json.loads(line) for line in output.read().decode().splitlines() if line.startswith("{")]
    summary = next((l for l in lines if l.get("type") == "summary"), None)
    if summary is None:
        result.error = result.error or "no summary line in ferry run --json"
        return result
    result.written, result.rejected = summary.get("rows_written", 0), summary.get("rows_rejected", 0)
    failed = [l for l in lines if l.get("type") == "file" and l.get("outcome") != "delivered"]
    if failed and not result.error:
        result.error = "; ".join(f"{l.get('file')}: {l.get('outcome')} {l.get('error', '')}" for l in failed[:3])
    if expect_rows is not None and summary.get("rows_read") != expect_rows and not result.error:
        result.error = f"read {summary.get('rows_read')} rows, expected {expect_rows}"
    return result


def same_file(a, b):
    if not (os.path.exists(a) and os.path.exists(b)) or os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as f, open(b, "rb") as g:
        while True:
            x, y = f.read(1 << 20), g.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def ratio(a, b):
    return a / b if b > 0 else float("inf")


CASES = ["csv", "gz", "xml", "package", "accounts", "shipped", "files"]


def run_cases(ferry, data, rows, files_count, quotes, only):
    """The cases in `only` (all when None): `accounts` is the shipped accounts flow alone, `shipped` all four flows."""
    cases = set(CASES) if only is None else only & set(CASES)
    if not cases:
        return []
    inputs, counts = exports.prepare(data, rows, quotes, cases)
    size = lambda name: os.path.getsize(inputs[name])
    results = []
    want = lambda group: group in cases

    def keyless(key, case, name, template, keep_output=None):
        workspace = Workspace(data, "keyless")
        workspace.drop(inputs[name])
        result = ferry_run(ferry, Result(key, case, rows, size(name)), workspace, template, expect_rows=rows)
        outbox = os.path.join(workspace.root, "outbox")
        if keep_output and os.path.isdir(outbox) and len(os.listdir(outbox)) == 1:
            os.replace(os.path.join(outbox, os.listdir(outbox)[0]), keep_output)
        workspace.remove()
        results.append(result)
        return result

    if want("csv"):
        ferry_output = os.path.join(data, "ferry-out.csv")
        ferry_csv = keyless("csv", "Ferry: CSV -> CSV, keyless mapping", "accounts.csv", KEYLESS_FILE, keep_output=ferry_output)
        ferry_csv.target = ">= 250 MB/s, >= 6x Miller and Python"
        tools = []
        python = Result("python", "Python 3 csv module, same mapping", rows, size("accounts.csv"), ferry=False)
        measure(python, [sys.executable, os.path.join(BENCH, "mapping.py"), inputs["accounts.csv"], os.path.join(data, "python-out.csv")])
        tools.append(python)
        if shutil.which("mlr"):
            miller = Result("miller", "Miller 6, same mapping", rows, size("accounts.csv"), ferry=False)
            with open(os.path.join(data, "miller-out.csv"), "w") as out:
                measure(miller, ["mlr", "--csv", "filter", "$statecode == 0", "then", "put", "-f", os.path.join(BENCH, "put.mlr"),
                                 "then", "cut", "-o", "-f", "ACCOUNT,NAME,PHONE,EMAIL,STREET,CITY,ZIP,COUNTRY,GROUP,CURRENCY,REVENUE,CREATED",
                                 inputs["accounts.csv"]], stdout=out)
            tools.append(miller)
        else:
            print("note: Miller is not installed (apt-get install -y miller); its case is left out", file=sys.stderr)
        for tool in tools:
            times = ratio(tool.wall, ferry_csv.wall)
            tool.versus = f"Ferry {times:.1f}x faster" if times >= 1 else f"Ferry {1 / times:.1f}x slower"
        results.extend(tools)
        # The mappings are the same: Python's output must be Ferry's, byte for byte.
        if not ferry_csv.error and not python.error and not same_file(ferry_output, os.path.join(data, "python-out.csv")):
            python.error = f"its output differs from Ferry's ({ferry_output}): the mappings are not the same"
        ok = not ferry_csv.error and ferry_csv.mb_per_s >= 250 and all(ratio(t.wall, ferry_csv.wall) >= 6 for t in tools)
        ferry_csv.met = "yes" if ok else "no"

    if want("gz"):
        gunzip = Result("gzip", "gzip -dc alone (reference; MB/s of gzip input)", rows, size("accounts.csv.gz"), ferry=False)
        measure(gunzip, ["gzip", "-dc", inputs["accounts.csv.gz"]])
        results.append(gunzip)
        ferry_gz = keyless("gz", "Ferry: CSV.gz -> CSV, keyless mapping (MB/s of gzip input)", "accounts.csv.gz", KEYLESS_FILE)
        times = ratio(ferry_gz.wall, gunzip.wall)
        ferry_gz.versus, ferry_gz.target = f"{times:.2f}x gzip -dc", "<= 1.3x gzip -dc"
        ferry_gz.met = "yes" if not ferry_gz.error and times <= 1.3 else "no"

    if want("xml"):
        ferry_xml = keyless("xml", "Ferry: XML -> CSV, keyless mapping", "accounts.xml", KEYLESS_FILE)
        ferry_xml.target = ">= 250 MB/s"
        ferry_xml.met = "yes" if not ferry_xml.error and ferry_xml.mb_per_s >= 250 else "no"

    if want("package"):
        keyless("package", "Ferry: CSV -> F&O package, keyless mapping", "accounts.csv", KEYLESS_PACKAGE)

    if want("shipped") or want("accounts"):
        # One workspace, in the order the flows run: reference exports teach currencies, units and products;
        # delivered accounts teach the keys contacts and quotes look up; quote headers teach the lines' quotes.
        workspace = Workspace(data, "shipped")
        workspace.drop(*[inputs[n] for n in ("sales-currencies.csv", "sales-units.csv", "sales-products.csv") if n in inputs])
        setup = ferry_run(ferry, Result("references", "reference exports (learn only)", 0, 0), workspace, SHIPPED)
        if setup.error:
            results.append(setup)
        accounts = Result("accounts", "Ferry, shipped: accounts -> Customers V3 package (key, map, lookups, filter, learn)", rows, size("accounts.csv"))
        workspace.drop(inputs["accounts.csv"])
        ferry_run(ferry, accounts, workspace, SHIPPED, expect_rows=rows)
        accounts.target = ">= 100 MB/s, <= 64 MB"
        accounts.met = "yes" if not accounts.error and accounts.mb_per_s >= 100 and accounts.rss_kb <= 64 * 1024 else "no"
        results.append(accounts)
        if not want("shipped"):
            workspace.remove()
    if want("shipped"):
        contacts = Result("contacts", "Ferry, shipped: contacts -> Customers V3 + CDS Contacts V2 (two targets)", rows, size("contacts.csv"))
        workspace.drop(inputs["contacts.csv"])
        results.append(ferry_run(ferry, contacts, workspace, SHIPPED, expect_rows=rows))
        products = Result("products", "Ferry, shipped: released products -> Sales products + price list items",
                          max(rows, quotes), size("sellable-released-products.csv"))
        workspace.drop(inputs["sellable-released-products.csv"])
        results.append(ferry_run(ferry, products, workspace, SHIPPED, expect_rows=max(rows, quotes)))
        lines = counts["quotedetails.csv"]
        quote_case = Result("quotes", f"Ferry, shipped: {quotes:,} quotes + {lines:,} lines -> quotation package (lookups, references)",
                            quotes + lines, size("quotes.csv") + size("quotedetails.csv"))
        workspace.drop(inputs["quotes.csv"], inputs["quotedetails.csv"])
        results.append(ferry_run(ferry, quote_case, workspace, SHIPPED, expect_rows=quotes + lines))
        workspace.remove()

    if want("files") and files_count > 0:
        workspace = Workspace(data, "files")
        workspace.drop(inputs["sales-currencies.csv"])
        setup = ferry_run(ferry, Result("files-references", "reference exports (learn only)", 3, 0), workspace, SHIPPED)
        if setup.error:
            results.append(setup)
        source = inputs["accounts.csv"] if rows >= files_count else exports.generate("accounts", files_count, os.path.join(data, f"accounts-{files_count}.csv"))
        folder = os.path.join(data, f"one-row-{files_count}")
        if not os.path.isdir(folder):
            exports.one_row_files(source, files_count, folder + ".part")
            os.rename(folder + ".part", folder)
        names = sorted(os.listdir(folder))
        workspace.drop(*[os.path.join(folder, n) for n in names])
        many = Result("files", f"Ferry, shipped accounts: {files_count:,} one-row files (ledger on)", files_count,
                      sum(os.path.getsize(os.path.join(folder, n)) for n in names), files=files_count)
        ferry_run(ferry, many, workspace, SHIPPED, expect_rows=files_count)
        many.target = ">= 1,000 files/s"
        many.met = "yes" if not many.error and many.per_s >= 1000 else "no"
        results.append(many)
        workspace.remove()
    return results


def migration_case(ferry, data, rows, reference):
    """The keyed migration: the shipped accounts template over one `rows`-row export (10M: 2.4 GB); `reference` is
    the accounts case of the main run, whose CPU time per row it is held against."""
    os.makedirs(data, exist_ok=True)
    path = exports.generate("accounts", rows, os.path.join(data, "accounts.csv"))
    workspace = Workspace(data, "migration")
    workspace.drop(os.path.join(REPO, "samples/exports/sales-currencies.csv"))
    setup = ferry_run(ferry, Result("migration-references", "setup", 3, 0), workspace, SHIPPED)
    workspace.drop(path)
    result = Result("migration", f"Ferry, shipped accounts: {rows:,}-row keyed migration", rows, os.path.getsize(path))
    ferry_run(ferry, result, workspace, SHIPPED, expect_rows=rows)
    workspace.remove()
    result.error = result.error or setup.error
    result.target = "linear time, <= 256 MB"
    if reference:
        growth = result.cpu_per_unit / reference.cpu_per_unit
        result.versus = f"CPU per row {growth:.2f}x that at {reference.rows:,} rows"
        result.met = "yes" if not result.error and growth <= 1.25 and result.rss_kb <= 256 * 1024 else "no"
    else:
        result.met = "yes" if not result.error and result.rss_kb <= 256 * 1024 else "no"
    return result


def table(results, rows):
    out = [f"| case ({rows:,} rows) | wall s | CPU s | MB/s in | MB per CPU s | rows/s | peak RSS MB | load | written / rejected | vs | target | met |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in results:
        rate = f"{r.per_s:,.0f} files/s" if r.files else f"{r.per_s:,.0f}"
        name = r.case + (f" — ERROR: {r.error}" if r.error else "")
        rows_out = f"{r.written:,} / {r.rejected:,}" if r.written is not None else ""
        out.append(f"| {name} | {r.wall:.2f} | {r.cpu:.2f} | {r.mb_per_s:.1f} | {r.mb_per_cpu_s:.1f} | {rate} | {r.rss_kb / 1024:.1f} | {r.load:.1f} | "
                   f"{rows_out} | {r.versus} | {r.target} | {r.met} |")
    return "\n".join(out)


def build():
    if os.environ.get("FERRY"):
        return os.environ["FERRY"], "FERRY=" + os.environ["FERRY"]
    # The binary scripts/release.sh ships (Swift runtime inside) when libcurl's development files allow it; the two
    # flavours do not share compiled modules, so building the same one keeps the release build incremental.
    static = subprocess.run(["pkg-config", "--exists", "libcurl"]).returncode == 0
    flags = ["-c", "release"] + (["--static-swift-stdlib"] if static else [])
    subprocess.run(["swift", "build", *flags, "--product", "ferry"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    path = subprocess.run(["swift", "build", *flags, "--show-bin-path"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, "ferry"), "release build" + (", --static-swift-stdlib" if static else "")


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    memory = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({model}), {memory} GiB, {platform.system()} {platform.release()}, commit {commit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=None, help="one-row files for the many-files case (default 10,000; --smoke: rows/100)")
    parser.add_argument("--cases", help="comma-separated subset of: " + ",".join(CASES))
    parser.add_argument("--migration", nargs="?", type=int, const=10_000_000, default=None, metavar="ROWS",
                        help="also run the keyed migration case (default 10,000,000 rows)")
    parser.add_argument("--smoke", action="store_true", help="linearity check at 10,000 and 100,000 rows (CI)")
    parser.add_argument("--data", default=os.environ.get("BENCH_DATA", os.path.join(tempfile.gettempdir(), "ferry-bench")))
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    only = set(args.cases.split(",")) if args.cases else None

    ferry, how = build()
    version = subprocess.run([ferry, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}, {how}; {machine()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    sizes = [10_000, 100_000] if args.smoke else [args.rows]
    runs = {}
    for rows in sizes:
        files = args.files if args.files is not None else (rows // 100 if args.smoke else 10_000)
        data = os.path.join(args.data, str(rows))
        started = time.monotonic()
        runs[rows] = run_cases(ferry, data, rows, files, max(rows // 3, 1), only)
        print(f"\n{table(runs[rows], rows)}\n\n({time.monotonic() - started:.0f} s; load average now "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)

    failures = [f"{r.case}: {r.error}" for results in runs.values() for r in results if r.error]
    if args.migration:
        accounts = next((r for r in runs[sizes[-1]] if r.key == "accounts" and not r.error), None)
        migration = migration_case(ferry, os.path.join(args.data, str(args.migration)), args.migration, accounts)
        print(f"\n{table([migration], args.migration)}\n")
        runs[args.migration] = [migration]
        if migration.error:
            failures.append(f"{migration.case}: {migration.error}")

    if args.smoke:
        small, large = (runs[n] for n in sizes)
        print(f"\n| case | CPU µs per row at {sizes[0]:,} | at {sizes[1]:,} | growth |\n|---|---:|---:|---:|")
        large_by_key = {r.key: r for r in large}
        for a in small:
            b = large_by_key.get(a.key)
            if b is None or not a.ferry or a.error or b.error:
                continue
            growth = b.cpu_per_unit / a.cpu_per_unit if a.cpu_per_unit > 0 else 0
            print(f"| {a.case} | {a.cpu_per_unit * 1e6:.1f} | {b.cpu_per_unit * 1e6:.1f} | {growth:.2f}x |")
            if growth > 2:
                failures.append(f"{a.case}: CPU time per row grew {growth:.2f}x from {sizes[0]:,} to {sizes[1]:,} rows (more than 2x: not linear)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({str(n): [r.__dict__ for r in results] for n, results in runs.items()}, f, indent=1)
    if failures:
        print("\nFAILED:\n" + "\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
