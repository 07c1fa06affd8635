#!/usr/bin/env bash
# `make run`: set up on a fresh machine, load the demo organisation, then serve the app with a
# Celery worker and beat until Ctrl-C (SIGINT) or SIGTERM, which stops all three.
#
# Embedded default: SQLite and a file-system broker under var/ (or $MISSIONLEAD_VAR_DIR), so
# no server is needed. With DATABASE_URL / REDIS_URL set, the settings use those instead.
#
# The demo organisation is created on the first run only: later runs leave it as its users left
# it (`manage.py seed_demo --reset` rebuilds it).
#
#   PORT=8123 scripts/run.sh             # serve on another port
#   MISSIONLEAD_SKIP_SEED=1 scripts/run.sh   # do not create the demo organisation
set -euo pipefail

# A shell without job control starts its background commands with SIGINT ignored, and bash
# cannot trap a signal that was ignored when it started. Restart once with SIGINT restored, so
# that `make run &` followed by `kill -INT` stops everything just as Ctrl-C does.
if [ -n "$(trap -p INT)" ] && [ -z "${MISSIONLEAD_RUN_SIGINT_RESTORED:-}" ]; then
  export MISSIONLEAD_RUN_SIGINT_RESTORED=1
  exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$0" "$@"
fi
unset MISSIONLEAD_RUN_SIGINT_RESTORED

cd "$(dirname "$0")/.."
port=${PORT:-8000}
# The development server needs DEBUG (for its default SECRET_KEY and ALLOWED_HOSTS).
export DEBUG=${DEBUG:-1}
# Links in emails point at the address served here, unless the caller chose one.
export SITE_URL=${SITE_URL:-http://127.0.0.1:$port}
# Worker and beat write to log files: unbuffered, so `tail -f` shows them as they happen.
export PYTHONUNBUFFERED=1
var_dir=${MISSIONLEAD_VAR_DIR:-$PWD/var}
log_dir=$var_dir/log
py=.venv/bin/python

make --no-print-directory install
mkdir -p "$log_dir"

echo "==> migrating the database"
"$py" manage.py migrate --noinput
if [ "${MISSIONLEAD_SKIP_SEED:-}" = 1 ]; then
  echo "==> MISSIONLEAD_SKIP_SEED=1: demo organisation not loaded"
else
  echo "==> the demo organisation (created when missing, else left as it is)"
  "$py" manage.py seed_demo
fi
"$py" manage.py collectstatic --noinput -v 0

pids=()

stop_all() {
  # A second Ctrl-C must not cut the shutdown short and leave children behind; it is bounded.
  trap '' INT TERM
  trap - EXIT
  [ ${#pids[@]} -gt 0 ] || return 0
  echo "==> stopping the web server, worker and beat"
  # SIGTERM to each child alone: a Celery worker stops its own pool processes, and signalling
  # those directly makes it hang. Each child leads its own process group (set -m below), so
  # waiting on and finally killing the group covers anything it forked. The worker finishes
  # its current task first (a few seconds when idle); what is left after 20 s is killed
  # (tasks are acknowledged late, so none is lost).
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 200); do
    alive=0
    for pid in "${pids[@]}"; do
      if kill -0 -- "-$pid" 2>/dev/null; then alive=1; fi
    done
    [ $alive = 1 ] || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
# A requested stop is a clean exit; any other exit (a child died, an error) keeps its status.
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# Job control puts each background command in its own process group: a Ctrl-C at the
# terminal then reaches only this script, which stops the children in order, and each group
# can be signalled as a whole.
set -m
"$py" manage.py runserver "127.0.0.1:$port" --noreload </dev/null &
pids+=($!)
# One task at a time: a single writer suits SQLite, and the worker has no pool to look after.
.venv/bin/celery -A missionlead worker -l info --pool=solo --without-mingle --without-gossip \
  </dev/null >>"$log_dir/worker.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A missionlead beat -l info \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  </dev/null >>"$log_dir/beat.log" 2>&1 &
pids+=($!)
set +m

# Announce the URL once the server answers; give up if a child dies first.
url="http://127.0.0.1:$port"
ready=0
for _ in $(seq 1 240); do
  if "$py" -c "import urllib.request as u; u.urlopen('$url/healthz', timeout=2)" 2>/dev/null; then
    ready=1
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "!! a process exited during start-up (logs: $log_dir)" >&2; exit 1; }
  done
  sleep 0.5
done

[ "$ready" = 1 ] || echo "!! $url/healthz has not answered after 2 minutes; still trying" >&2
cat <<EOF

  Mission Leadership is running at $url/
  Demo organisation: $url/o/demo/
  Log in as ceo, lead, staff, coach or admin, password: mission-demo
  Worker and beat logs: $log_dir/worker.log, $log_dir/beat.log
  Stop with Ctrl-C.

EOF

# Wait until one of them exits on its own (a crash): then stop the others and fail.
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "!! a process exited with status $status; stopping the others (logs: $log_dir)" >&2
exit 1
