#!/usr/bin/env bash
# `make bench`: a 100,000-mission organisation on PostgreSQL (generated once and kept in
# var/bench/ between runs), then the measurements of scripts/bench.py against it, through
# gunicorn for the load tests. Prints a table and rewrites docs/PERFORMANCE.md.
#
#   BENCH_MISSIONS=20000 make bench   # a smaller organisation for a quick look
set -euo pipefail

cd "$(dirname "$0")/.."
make --no-print-directory install
if ! command -v wrk >/dev/null; then
  echo "==> installing wrk (HTTP load generator)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
MISSIONLEAD_NEED_BROWSER=0 MISSIONLEAD_PG_DATA="$PWD/var/bench/pg" \
  scripts/with-services.sh .venv/bin/python scripts/bench.py "$@"
