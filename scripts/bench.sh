#!/usr/bin/env bash
# Ferry's throughput benchmark, side by side with Miller, Python's csv module and gzip.
#
#   scripts/bench.sh [ROWS]        (default 1000000; CI may run it small as a smoke test)
#
# Generates accounts exports with ../shared/tools/gen_exports.py (deterministic), builds Ferry in release
# mode, runs every case once per tool on the same input and prints wall time, MB/s of input, rows/s,
# peak RSS and ratios. Needs: python3, /usr/bin/time; Miller (`apt-get install miller`) when present.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
generator=${GEN_EXPORTS:-../shared/tools/gen_exports.py}
data=${BENCH_DATA:-/tmp/ferry-bench-$rows}
mkdir -p "$data"

[ -f "$data/accounts.csv" ] || python3 "$generator" accounts --rows "$rows" --out "$data/accounts.csv"
[ -f "$data/accounts.csv.gz" ] || gzip -6 -c "$data/accounts.csv" > "$data/accounts.csv.gz"
[ -f "$data/accounts.xml" ] || python3 "$generator" accounts --rows "$rows" --format xml --out "$data/accounts.xml"

swift build -c release --product ferry >/dev/null
ferry=$(swift build -c release --show-bin-path)/ferry

results=()
# measure NAME INPUT_BYTES ROWS COMMAND... : wall seconds and peak RSS through /usr/bin/time.
measure() {
    local name=$1 bytes=$2 count=$3; shift 3
    local out
    /usr/bin/time -o "$data/time.txt" -f "%e %M" "$@" >/dev/null 2>"$data/stderr.txt" || {
        echo "$name failed:" >&2; cat "$data/stderr.txt" >&2; }
    out=$(tail -1 "$data/time.txt")
    local wall=${out% *} rss=${out#* }
    results+=("$name|$wall|$bytes|$count|$rss")
}

# A fresh workspace with the input hard-linked into its inbox (no copy) for each Ferry run; Ferry refuses
# hard-linked inputs unless the workspace's ferry.yaml accepts them. TEMPLATE is a file (--template) or a folder (--templates);
# further arguments are files dropped beside the input (reference exports its lookups need).
ferry_case() {
    local name=$1 input=$2 template=$3 count=$4
    shift 4
    local root option=--template
    [ -d "$template" ] && option=--templates
    root=$(mktemp -d "$data/ws.XXXXXX")
    mkdir -p "$root/inbox"
    printf 'version: 1\nintake:\n  hard_links: accept\n' > "$root/ferry.yaml"
    ln "$input" "$root/inbox/$(basename "$input")"
    for extra in "$@"; do cp "$extra" "$root/inbox/"; done
    measure "$name" "$(stat -c %s "$input")" "$count" "$ferry" run --root "$root" "$option" "$template"
    rm -rf "$root"
}

csv_bytes=$(stat -c %s "$data/accounts.csv")
ferry_case "ferry csv -> csv" "$data/accounts.csv" scripts/bench/accounts-to-file.yaml "$rows"
measure "python csv module" "$csv_bytes" "$rows" python3 scripts/bench/mapping.py "$data/accounts.csv" "$data/python-out.csv"
if command -v mlr >/dev/null; then
    measure "miller 6" "$csv_bytes" "$rows" sh -c "mlr --csv filter '\$statecode == 0' then put -f scripts/bench/put.mlr then cut -o -f ACCOUNT,NAME,PHONE,EMAIL,STREET,CITY,ZIP,COUNTRY,GROUP,CURRENCY,REVENUE,CREATED '$data/accounts.csv' > '$data/miller-out.csv'"
fi
ferry_case "ferry csv -> F&O package" "$data/accounts.csv" scripts/bench/accounts-to-package.yaml "$rows"
# The shipped accounts template: keyed (key: CUSTOMERACCOUNT, duplicates: reject), lookups, a value map, learned keys;
# its currencies resolve through the Sales currencies export dropped with the accounts.
ferry_case "ferry shipped accounts template" "$data/accounts.csv" samples/templates "$rows" samples/exports/sales-currencies.csv
measure "gzip -dc" "$(stat -c %s "$data/accounts.csv.gz")" "$rows" sh -c "gzip -dc '$data/accounts.csv.gz' > /dev/null"
ferry_case "ferry csv.gz -> csv" "$data/accounts.csv.gz" scripts/bench/accounts-to-file.yaml "$rows"
ferry_case "ferry xml -> csv" "$data/accounts.xml" scripts/bench/accounts-to-file.yaml "$rows"

# Many small files: one row each, with the ledger on.
small=${SMALL_FILES:-10000}
root=$(mktemp -d "$data/ws.XXXXXX")
mkdir -p "$root/inbox"
head -2 "$data/accounts.csv" > "$root/one.csv"
for i in $(seq 1 "$small"); do ln "$root/one.csv" "$root/inbox/accounts-$i.csv" 2>/dev/null || cp "$root/one.csv" "$root/inbox/accounts-$i.csv"; done
# The same content would be archived as duplicates: give each file its own first line.
python3 - "$root/inbox" <<'PY'
import os, sys
folder = sys.argv[1]
for name in os.listdir(folder):
    path = os.path.join(folder, name)
    with open(path, "rb") as f: data = f.read()
    os.unlink(path)
    with open(path, "wb") as f: f.write(data.replace(b"ACC-", ("ACC-" + name.split("-")[1].split(".")[0] + "-").encode(), 1))
PY
measure "ferry $small one-row files" "$(du -sb "$root/inbox" | cut -f1)" "$small" "$ferry" run --root "$root" --template scripts/bench/accounts-to-file.yaml
rm -rf "$root"

printf '\n%-28s %9s %10s %12s %10s %8s\n' "case ($rows rows)" "wall s" "MB/s in" "rows/s" "peak MB" "vs ferry"
ferry_wall=""
for line in "${results[@]}"; do
    IFS='|' read -r name wall bytes count rss <<<"$line"
    [ "$name" = "ferry csv -> csv" ] && ferry_wall=$wall
    ratio="-"
    case "$name" in python*|miller*) ratio=$(awk -v a="$wall" -v b="$ferry_wall" 'BEGIN { printf "%.1fx", a / b }') ;; esac
    awk -v n="$name" -v w="$wall" -v b="$bytes" -v c="$count" -v r="$rss" -v x="$ratio" \
        'BEGIN { printf "%-28s %9.2f %10.1f %12.0f %10.1f %8s\n", n, w, b / 1e6 / (w > 0 ? w : 0.001), c / (w > 0 ? w : 0.001), r / 1024, x }'
done
