#!/usr/bin/env bash
# Ferry's benchmark: the shipped templates (samples/templates) and the keyless file mapping on generated exports
# (../shared/tools/gen_exports.py, deterministic), beside Miller 6, Python's csv module and `gzip -dc`, in one run.
#
#   scripts/bench.sh                     every case at 1,000,000 rows (release build first)
#   scripts/bench.sh --rows 100000       any size;  --cases csv,gz,xml,package,shipped,files  a subset
#   scripts/bench.sh --migration [ROWS]  also the keyed migration (10,000,000 rows: long)
#   scripts/bench.sh --smoke             CI: 10,000 and 100,000 rows; fails when a case errors or CPU time per
#                                        row grows more than 2x between them
#   FERRY=path scripts/bench.sh ...      that binary instead of a release build
# Needs python3 and gzip; Miller from Debian (`apt-get install -y miller`): installed here when missing and run as
# root, else its case is left out with a note. Details: scripts/bench/bench.py, README "Performance".
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mlr >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -qq miller || (apt-get update -qq && apt-get install -y -qq miller)) >/dev/null 2>&1 \
        || echo "bench: could not install Miller (apt-get install -y miller); its case is left out" >&2
fi
exec python3 scripts/bench/bench.py "$@"
