#!/usr/bin/env bash
# `make chaos`: the fault suite. Throwaway PostgreSQL and Redis (scripts/with-services.sh), then
# scripts/chaos.py runs the background work through real workers, beat and gunicorn while it
# kills and restarts them and the servers; prints a table of sent / lost / duplicated effects
# per scenario and rewrites its section of docs/reliability.md. Exit status 1 when an effect was
# lost or duplicated, or the app did not recover. Process logs are kept in var/chaos/.
#
#   scripts/chaos.sh postgres-restarted   # one scenario (docs/reliability.md is left alone)
set -euo pipefail

cd "$(dirname "$0")/.."
make --no-print-directory install
rm -rf var/chaos
mkdir -p var/chaos
MISSIONLEAD_NEED_BROWSER=0 scripts/with-services.sh .venv/bin/python scripts/chaos.py "$@"
