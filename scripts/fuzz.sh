#!/usr/bin/env bash
# `make fuzz`: schemathesis with every phase (documented examples, coverage, fuzzing, stateful
# sequences) and FUZZ_EXAMPLES (100) examples per operation, against a served copy: gunicorn on
# throwaway PostgreSQL and Redis with the demo organisation, as `lead` and then as `admin`, each
# with an API token. Longer than the bounded run inside `make test`; it fails when either run
# finds a failure. A schema-valid request refused with 400 must break a rule listed in
# scripts/fuzz_hooks.py (scripts/fuzz.toml says why). Reports (JUnit, and the failing cases as
# curl commands in its output) go to var/fuzz/<user>/. The log-in and
# token endpoints are left out: a fuzzer that revokes the token it calls with would test nothing
# after that (tests/accounts/test_tokens.py and test_login_limits.py cover them).
#
#   FUZZ_EXAMPLES=20 make fuzz             # a quicker pass
#   FUZZ_USERS=admin make fuzz             # one persona
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "${1:-}" != --with-services ]; then
  make --no-print-directory install
  MISSIONLEAD_NEED_BROWSER=0 exec scripts/with-services.sh "$0" --with-services
fi

py=.venv/bin/python
out=var/fuzz
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# Production settings, with the limits a fuzzer would hit lifted.
export DEBUG=false SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export ALLOWED_HOSTS=127.0.0.1 THROTTLE_USER=1000000/hour THROTTLE_ANON=1000000/hour
export SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SITE_URL="http://127.0.0.1:$port" EMAIL_URL=consolemail:// CHECKS_AFTER_CHANGES=false

echo "==> the database and the demo organisation"
"$py" manage.py migrate --noinput -v 0
"$py" manage.py seed_demo >/dev/null
echo "==> gunicorn on 127.0.0.1:$port"
.venv/bin/gunicorn missionlead.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
  --log-level warning >"$out/gunicorn.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  "$py" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" \
    2>/dev/null && break
  sleep 0.5
done

# Every check but one: DELETE of a mission or a KPI archives it (nothing is ever deleted) and
# the archived object stays readable, with "status": "archived", as the schema and docs/api.md
# say; a read after a DELETE answering 200 is that design, not a deleted resource served again.
# As a team leader (lead) and as the organisation's admin (admin): each reaches operations the
# other is refused (aligning a report's mission; inviting, editing teams).
status=0
for user in ${FUZZ_USERS:-lead admin}; do
  token=$("$py" manage.py shell -c "
from django.contrib.auth import get_user_model
from accounts.tokens import api_token_create
print(api_token_create(user=get_user_model().objects.get(username='$user'), name='make fuzz')[1])" \
    | tail -n 1 | tr -d '[:space:]')
  echo "==> schemathesis as $user: every phase, ${FUZZ_EXAMPLES:-100} examples per operation"
  SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH=scripts \
    .venv/bin/schemathesis --config-file scripts/fuzz.toml run "http://127.0.0.1:$port/api/schema/" \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${FUZZ_EXAMPLES:-100}" \
    --checks all \
    --exclude-checks use_after_free \
    --seed 20260307 \
    --header "Authorization: Token $token" \
    --exclude-path-regex '^/api/v1/auth/' \
    --request-timeout 30 \
    --report junit --report-dir "$out/$user" \
    --continue-on-failure || status=1
done
exit $status
