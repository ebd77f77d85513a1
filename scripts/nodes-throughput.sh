#!/usr/bin/env bash
# Throughput of 1, 2 and 3 `ferry watch` nodes on one workspace and one PostgreSQL ledger (README: Several nodes).
# Starts its own PostgreSQL server (initdb + pg_ctl on a loopback port), drops FILES exports of ROWS accounts each
# (gen_exports.py, the shipped templates), starts N nodes and times until every file is in archive/ or failed/.
# Usage: scripts/nodes-throughput.sh [FERRY_BINARY] [FILES] [ROWS]   (default: .build/release/ferry 1000 50)
set -euo pipefail
cd "$(dirname "$0")/.."
ferry=$(realpath "${1:-.build/release/ferry}")
files=${2:-1000}
rows=${3:-50}
work=$(mktemp -d /tmp/ferry-nodes-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${pgbin:-}" ] && $as "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as=""
if [ "$(id -u)" = 0 ]; then as="runuser -u nobody --"; chown nobody "$work"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$as "$pgbin/initdb" -D "$work/pg" -U ferry -A trust --no-sync -E UTF8 --locale C >/dev/null
$as "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$work" start >/dev/null

# The drop: one generated export cut into $files files of $rows accounts, each with the header.
python3 /work/shared/tools/gen_exports.py accounts --rows $((files * rows)) --out "$work/all.csv"
mkdir -p "$work/drop"
python3 - "$work/all.csv" "$work/drop" "$files" "$rows" <<'PY'
import sys
source, folder, files, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(source, encoding="utf-8", newline="").read().splitlines(keepends=True)
header, body = lines[0], lines[1:]
for n in range(files):
    with open(f"{folder}/accounts-{n:05d}.csv", "w", encoding="utf-8", newline="") as out:
        out.write(header + "".join(body[n * rows:(n + 1) * rows]))
PY

printf '| nodes | files | seconds | files/s |\n|---|---|---|---|\n'
for nodes in ${NODES:-sqlite 1 2 3}; do
    ws="$work/ws$nodes"
    mkdir -p "$ws/inbox" "$ws/archive" "$ws/failed"
    cp -r samples/templates "$ws/templates"
    if [ "$nodes" != sqlite ]; then   # "sqlite": one process on the embedded ledger, for comparison
        psql -X -q -d "postgres://ferry@127.0.0.1:$port/postgres" -c "CREATE DATABASE nodes$nodes"
        printf 'ledger: postgres://ferry@127.0.0.1:%s/nodes%s?sslmode=disable\n' "$port" "$nodes" > "$ws/ferry.yaml"
    fi
    cp "$work/drop/"*.csv "$ws/inbox/"
    start=$(date +%s.%N)
    pids=()
    for n in $(seq 1 "${nodes/sqlite/1}"); do
        "$ferry" watch --root "$ws" --node "n$n" --settle 0 --max-outbox 0 --scan-interval 0.5 >"$work/node$nodes-$n.log" 2>&1 &
        pids+=($!)
    done
    while true; do
        done_count=$(find "$ws/archive" -type f 2>/dev/null | wc -l)
        failed_count=$(find "$ws/failed" -maxdepth 1 -type f ! -name '*.error.txt' ! -name '*.rejects.csv' 2>/dev/null | wc -l)
        [ $((done_count + failed_count)) -ge "$files" ] && break
        sleep 0.1
    done
    end=$(date +%s.%N)
    kill -TERM "${pids[@]}"; wait "${pids[@]}" || true
    python3 -c "s=$end-$start; print(f'| $nodes | $files | {s:.1f} | {$files/s:.0f} |')"
done
