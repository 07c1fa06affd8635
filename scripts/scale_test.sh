#!/usr/bin/env bash
# `make scale-test` (not part of `make test`, a few minutes): a primary PostgreSQL and a
# streaming replica, PgBouncer in transaction mode, Redis, gunicorn and a Celery worker per
# queue, all on this machine; a smoke of the main flows, then throughput at 1, 2 and 4 web
# workers with and without PgBouncer. Rewrites the figures in docs/scaling.md.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory install

need_install=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_install+=(postgresql)
ls /usr/lib/postgresql/*/lib/pg_stat_statements.so >/dev/null 2>&1 \
  || need_install+=(postgresql-contrib)
[ -x /usr/sbin/pgbouncer ] || need_install+=(pgbouncer)
command -v redis-server >/dev/null || need_install+=(redis-server)
command -v wrk >/dev/null || need_install+=(wrk)
if [ ${#need_install[@]} -gt 0 ]; then
  echo "==> installing system packages: ${need_install[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need_install[@]}" >/dev/null
fi
exec .venv/bin/python scripts/scale_test.py
