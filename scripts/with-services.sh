#!/usr/bin/env bash
# Run a command against throwaway PostgreSQL and Redis servers on free ports, then stop both,
# whatever the command's outcome. Installs the system packages first where they are missing.
#
#   scripts/with-services.sh .venv/bin/pytest -x
#
# The command sees DATABASE_URL and REDIS_URL (and CELERY_BROKER_URL) in its environment.
set -euo pipefail

need_install=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "${pg_bin:-}/initdb" ] || need_install+=(postgresql)
command -v redis-server >/dev/null || need_install+=(redis-server)
if [ "${MISSIONLEAD_NEED_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  need_install+=(chromium)
fi
if [ ${#need_install[@]} -gt 0 ]; then
  echo "==> installing system packages: ${need_install[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need_install[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

work=$(mktemp -d /tmp/missionlead-services.XXXXXX)
chmod 755 "$work"
pg_port=$(free_port)
redis_port=$(free_port)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: run it as the postgres user.
  chown postgres "$work"
  as_pg=(runuser -u postgres --)
fi

# PostgreSQL's data lives in $work/pg, thrown away at the end, unless MISSIONLEAD_PG_DATA names a
# directory to keep (the benchmark's 100,000-mission organisation is generated once).
pg_data=${MISSIONLEAD_PG_DATA:-$work/pg}
if [ -n "${MISSIONLEAD_PG_DATA:-}" ]; then
  mkdir -p "$(dirname "$pg_data")"
  [ "$(id -u)" = 0 ] && [ -d "$pg_data" ] && chown -R postgres "$pg_data"
fi

cleanup() {
  status=$?
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
  if [ -f "$work/redis.pid" ]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
if [ ! -f "$pg_data/PG_VERSION" ]; then
  if [ -n "${MISSIONLEAD_PG_DATA:-}" ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$pg_data" && chown postgres "$pg_data" && chmod 700 "$pg_data"
  fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
fi
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w start -o \
  "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB" >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --dir "$work" --logfile "$work/redis.log"

# The application connects as a role of its own, not as the superuser: superusers pass every
# row-level security policy, so only this way do the tests see the policies at work (the role
# owns the tables it creates, and the policies are FORCEd on owners). It may create the test
# database, and read pg_stat_activity and the server's settings as a monitoring role does
# (make chaos finds the data directory it restarts that way).
"${as_pg[@]}" "$pg_bin/psql" -q -h "$work" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'missionlead') THEN
    CREATE ROLE missionlead LOGIN CREATEDB;
  END IF;
END $$;
GRANT pg_read_all_stats, pg_read_all_settings TO missionlead;
ALTER DATABASE postgres OWNER TO missionlead;
-- A data directory kept from before (make bench's) has tables the superuser created.
DO $$ DECLARE t record; BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'missionlead' LOOP
    EXECUTE format('ALTER TABLE public.%I OWNER TO missionlead', t.tablename);
  END LOOP;
END $$;
SQL
export DATABASE_URL="postgres://missionlead@127.0.0.1:$pg_port/postgres"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/1"
"$@"
