#!/usr/bin/env bash
# The watcher against a burst of dropped files, beside `ferry run` over the same files.
#
#   scripts/bench-watch.sh [COUNT ...]     (default: 1000 2000 5000)
#
# For each COUNT: COUNT small accounts exports (5 rows each, distinct content, from
# ../shared/tools/gen_exports.py) through the shipped templates (samples/templates). `ferry run` takes them in
# one pass; `ferry watch` (settle 1 s, no outbox limit: nothing drains it here) is started on an empty inbox,
# the files are renamed into it at once, and the time runs until every input is archived. Prints wall time, files/s, the CPU seconds (user, system)
# and the peak RSS of each process. FERRY=path uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then counts=("$@"); else counts=(1000 2000 5000); fi
generator=${GEN_EXPORTS:-../shared/tools/gen_exports.py}
data=${BENCH_DATA:-/tmp/ferry-bench-watch}
mkdir -p "$data"
if [ -z "${FERRY:-}" ]; then
    swift build -c release --product ferry >/dev/null
    FERRY=$(swift build -c release --show-bin-path)/ferry
fi
max=0; for n in "${counts[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
[ -f "$data/accounts-$max.csv" ] || python3 "$generator" accounts --rows $((max * 5)) --out "$data/accounts-$max.csv"

# fill FOLDER COUNT: COUNT files of 5 records each (quoted line breaks kept), with the export's header.
fill() {
    python3 - "$data/accounts-$max.csv" "$1" "$2" <<'PY'
import csv, sys
source, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source, encoding="utf-8", newline="") as f:
    records = csv.reader(f)
    header = next(records)
    for index in range(count):
        with open(f"{folder}/accounts-{index:05d}.csv", "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for _ in range(5):
                writer.writerow(next(records))
PY
}

workspace() {
    local root
    root=$(mktemp -d "$data/ws.XXXXXX")
    mkdir -p "$root/inbox" "$root/templates" "$root/drop"
    cp samples/templates/* "$root/templates/"
    echo "$root"
}

archived() { find "$1/archive" "$1/failed" -type f ! -name '*.error.txt' ! -name '*.rejects.csv' 2>/dev/null | wc -l; }

printf '%-8s %-6s %9s %9s %9s %9s %9s\n' files mode "wall s" "files/s" "user s" "sys s" "peak MB"
for count in "${counts[@]}"; do
    root=$(workspace)
    fill "$root/inbox" "$count"
    /usr/bin/time -o "$data/time.txt" -f "%e %U %S %M" "$FERRY" run --root "$root" >/dev/null 2>&1 || true
    read -r wall user system rss < <(tail -1 "$data/time.txt")
    printf '%-8s %-6s %9.2f %9.1f %9.2f %9.2f %9.1f\n' "$count" run "$wall" "$(echo "$count / $wall" | bc -l)" "$user" "$system" "$(echo "$rss / 1024" | bc -l)"
    rm -rf "$root"

    root=$(workspace)
    fill "$root/drop" "$count"
    /usr/bin/time -o "$data/time.txt" -f "%e %U %S %M" "$FERRY" watch --root "$root" --settle 1 --max-outbox 0 2>"$data/watch.log" &
    timer=$!
    until grep -q "watching" "$data/watch.log" 2>/dev/null; do sleep 0.05; done
    started=$(date +%s.%N)
    for file in "$root"/drop/*; do mv "$file" "$root/inbox/"; done
    until [ "$(archived "$root")" -ge "$count" ]; do sleep 0.2; done
    finished=$(date +%s.%N)
    kill -TERM "$(pgrep -P "$timer")" 2>/dev/null || true
    wait "$timer" || true
    read -r _ user system rss < <(tail -1 "$data/time.txt")
    wall=$(echo "$finished - $started" | bc -l)
    printf '%-8s %-6s %9.2f %9.1f %9.2f %9.2f %9.1f\n' "$count" watch "$wall" "$(echo "$count / $wall" | bc -l)" "$user" "$system" "$(echo "$rss / 1024" | bc -l)"
    rm -rf "$root"
done
