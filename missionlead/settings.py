"""Settings, read from the environment (12-factor).

With no environment at all the project runs on an embedded default: SQLite in ``var/`` and a
Celery broker on the file system, so ``make run`` needs no server. ``DATABASE_URL`` and
``REDIS_URL`` (or ``CELERY_BROKER_URL``) switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from . import queues

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("MISSIONLEAD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# An env file is read only when named: docker compose's ``.env`` (for the containers) must not
# leak into ``make run`` in the same checkout.
if environ.Env().str("MISSIONLEAD_ENV_FILE", default=""):
    env.read_env(environ.Env().str("MISSIONLEAD_ENV_FILE"))

# Words of placeholders and development keys (``change-me`` from .env.example, Django's
# ``django-insecure-…``): a key that holds one was copied, not generated.
PLACEHOLDER_KEY_WORDS = ("change", "insecure", "secret-key", "dev-only", "placeholder", "example")


def checked_secret_key(key: str) -> str:
    """The key, if it can sign sessions, password-reset links and tokens in production: at
    least 50 characters, at least 5 different ones, none of the placeholder words. Django
    itself would only complain at the first request that signs something, or in
    ``check --deploy``. The message never repeats the key."""
    if not key:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (DEBUG is off).")
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_KEY_WORDS):
        raise ImproperlyConfigured(
            "SECRET_KEY is a placeholder or a development key (DEBUG is off): generate one, "
            'e.g. python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too short or too repetitive ({len(key)} characters; DEBUG is off): "
            "use at least 50 random characters."
        )
    return key


DEBUG = env.bool("DEBUG", default=False)
# No default secret: a production process without a real SECRET_KEY must fail to start. The
# development default only exists when DEBUG is on (``make run`` sets it).
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key")
else:
    SECRET_KEY = checked_secret_key(env.str("SECRET_KEY", default=""))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin without its autodiscovery at start-up: ``missionlead.urls`` imports every
    # app's admin module when the URLs are first loaded. A scheduled job that never reverses
    # a URL (the nightly checks) starts about 0.12 s sooner without them.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "django_celery_results",
    "kernel",
    "missions",
    "measures",
    "reviews",
    "leadership",
    "accounts",
    "missionlead.mcp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kernel.replica.ReadYourWritesMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "missionlead.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "missionlead.urls"
WSGI_APPLICATION = "missionlead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "missions.context_processors.organisation",
                "accounts.context_processors.signup",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default; WAL, an immediate write lock and a busy timeout let the web
# server, the worker and beat share one file without "database is locked" errors.
_SQLITE_PATH = VAR_DIR / "missionlead.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{_SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: PostgreSQL turns it on for any query it plans as costly, and on the
    # pages' short queries it only adds its compile time (60 ms of a 470 ms team dashboard
    # query at 100,000 missions, for nothing saved).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Past one machine (docs/scaling.md), both off by default.
    # PgBouncer in transaction mode between the application and PostgreSQL: a connection is
    # the application's for one transaction only, so no server-side cursors (they live across
    # transactions). The tenant setting of row-level security is transaction-local already
    # (kernel.tenancy), as PgBouncer needs.
    # PgBouncer refuses connection options (the JIT setting above): set ``jit = off`` on the
    # database instead (ALTER DATABASE … SET jit = off), for every connection.
    if env.bool("PGBOUNCER", default=False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["OPTIONS"].pop("options", None)
    # A streaming replica for the read-heavy work (kernel.replica); writes stay on the primary.
    if env.str("DATABASE_REPLICA_URL", default=""):
        DATABASES["replica"] = {
            **env.db("DATABASE_REPLICA_URL"),
            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"options": "-c jit=off"},
            "DISABLE_SERVER_SIDE_CURSORS": env.bool("PGBOUNCER_REPLICA", default=False),
            "TEST": {"MIRROR": "default"},
        }
        DATABASE_ROUTERS = ["kernel.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"  # None in the tests (settings_test)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email (console by default; SMTP through EMAIL_URL, e.g. smtp+tls://user:pw@host:587) ---
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mission Leadership <noreply@localhost>")

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # kombu's file-system transport: a broker that needs no server, for ``make run``.
    _BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | int] = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
    }
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport with a repair that keeps the worker alive when Redis goes away.
    CELERY_BROKER_TRANSPORT = "missionlead.broker:Transport"
# Redis hands a message that a dead worker had taken (acks_late) to another worker only after
# this many seconds; kombu's default is an hour. It must exceed the longest task and the
# longest countdown or ETA, or those run twice. The worker tests lower it (and the interval
# of kombu's sweep for such messages) to see a SIGKILLed worker's tasks redelivered quickly.
_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=None)
if _VISIBILITY_TIMEOUT is not None and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 4)),
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Queues per workload (``missionlead.queues``): declared here, so a worker started without -Q
# consumes every one of them; production runs a worker per queue (docker-compose.yml).
CELERY_TASK_DEFAULT_QUEUE = queues.INTERACTIVE
CELERY_TASK_QUEUES = [Queue(name) for name in queues.QUEUES]
CELERY_TASK_ROUTES = ("missionlead.queues.route",)

# --- REST framework ---------------------------------------------------------------------------
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _rate(name: str, default: str) -> str:
    """A DRF rate such as ``10/min`` from the environment; a typo fails at start-up."""
    value = env.str(name, default=default).strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a rate such as 10/min or 2000/hour")
    return value


REST_FRAMEWORK = {
    # Token first: an anonymous API request then answers 401 with ``WWW-Authenticate: Token``.
    # Tokens are accounts.models.ApiToken (hashed, expiring, revocable; accounts/tokens.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies nested deeper than 16 levels or larger than DATA_UPLOAD_MAX_MEMORY_SIZE are
    # refused as bad input (missionlead.api.JSONParser), never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "missionlead.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "missionlead.api.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Pages of 50 whose count is exact up to 10,000 rows and estimated above (the count of a
    # whole organisation's KPIs cost more than the rest of the request).
    "DEFAULT_PAGINATION_CLASS": "missionlead.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "missionlead.api.OrderingFilter",
    ],
    # Rate limits in the cache (Redis when REDIS_URL is set): per user, per anonymous client.
    # Log-ins (form, admin, token endpoint) have limits of their own (missionlead.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "missionlead.throttling.ApiUserThrottle",
        "missionlead.throttling.ApiAnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": _rate("THROTTLE_USER", "2000/hour"),
        "anon": _rate("THROTTLE_ANON", "200/hour"),
        # Ceilings on failed log-ins (missionlead.throttling), above the back-off per address
        # and username: per address across usernames, per username across addresses.
        "login_ip": _rate("THROTTLE_LOGIN_IP", "50/hour"),
        "login_user": _rate("THROTTLE_LOGIN_USER", "50/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "missionlead.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mission Leadership API",
    "DESCRIPTION": (
        "Vision, cascaded missions, KPIs, reviews and alignment findings. Authenticate with "
        "`Authorization: Token <token>` (from `POST /api/v1/auth/token/`) or a browser session. "
        "Lists hold the caller's organisations only; another organisation's object answers 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Tags and operation ids from the resource ("missions_list"), not from "/api/v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "MissionStatusEnum": "missions.models.Mission.Status",
        "NotificationKindEnum": "kernel.models.Notification.Kind",
        "StanceEnum": "leadership.models.Stance",
    },
    # Write and read shapes differ (read-only fields): separate request components.
    "COMPONENT_SPLIT_REQUEST": True,
    # The API documents JSON bodies; the form parsers serve the browsable API's HTML forms,
    # which cannot say null and send every number as text.
    "PARSER_WHITELIST": ["missionlead.api.JSONParser"],
    # Every operation documents the shared error answers (missionlead.api).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "missionlead.api.document_error_responses",
    ],
}

# --- Security (production defaults; ``manage.py check --deploy`` is clean with DEBUG off) -----
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading puts the domain and every subdomain on the browsers' HTTPS-only list for months, and
# anyone may submit a domain whose header says "preload": that is the operator's decision
# (SECURE_HSTS_PRELOAD=true), so the check that merely says it is off is silenced while it is.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles, images and fonts from this site only, and no inline script runs.
# Inline ``style`` attributes stay allowed (``style-src-attr``): the dashboards indent team rows
# with one; ``<style>`` elements do not. Empty: no header.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Cache: shared by web and worker processes (Redis, or files for the embedded default) --
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# The largest request body read into memory (Django's default, written out: the API's JSON
# parser and the org-chart import's confirmation step, which posts a 2 MB file back, use it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Product settings ---------------------------------------------------------------------------
# The address people reach the site at, for links in emails (``make run`` sets it to the address
# it serves). BASE_URL is its earlier name.
SITE_URL = env.str("SITE_URL", default=env.str("BASE_URL", default="http://127.0.0.1:8000"))
if not re.match(r"^https?://[^/\s]+(/.*)?$", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: expected e.g. https://missions.example.org")
SITE_URL = SITE_URL.rstrip("/")
# Whether anyone may create an account and an organisation at /signup/: on for the development
# server (DEBUG, as ``make run`` runs it), off in production unless set.
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=DEBUG)
# Whether webhooks, Slack and Teams messages may go to private, loopback, link-local or
# reserved addresses (a receiver on the same network). Off: the server is no way into them.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# How long an invitation link works.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# Password reset links (Django's): valid for three days.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Run the alignment checks of a subtree (debounced) after changes to it.
MISSIONLEAD_CHECKS_AFTER_CHANGES = env.bool("CHECKS_AFTER_CHANGES", default=True)
# How long after a change its subtree is checked: a burst of edits is checked once.
MISSIONLEAD_CHECK_DELAY_SECONDS = env.int("CHECK_DELAY_SECONDS", default=30)
# The hour of the day (0-23, in each person's own time zone) their digest is sent from.
MISSIONLEAD_DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
if not 0 <= MISSIONLEAD_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR={MISSIONLEAD_DIGEST_HOUR}: expected an hour, 0 to 23.")
# The weekly brief's optional summariser (reviews/brief/summariser.py): an OpenAI-compatible
# endpoint the operator hosts (``<url>/chat/completions``) that rewrites the brief's summary.
# Empty: off, and nothing of a brief leaves the server. The brief keeps its own wording whenever
# the endpoint fails or takes longer than the timeout (seconds).
MISSIONLEAD_BRIEF_SUMMARISER_URL = env.str("BRIEF_SUMMARISER_URL", default="").rstrip("/")
MISSIONLEAD_BRIEF_SUMMARISER_MODEL = env.str("BRIEF_SUMMARISER_MODEL", default="")
MISSIONLEAD_BRIEF_SUMMARISER_API_KEY = env.str("BRIEF_SUMMARISER_API_KEY", default="")
MISSIONLEAD_BRIEF_SUMMARISER_TIMEOUT = env.float("BRIEF_SUMMARISER_TIMEOUT", default=5.0)
if MISSIONLEAD_BRIEF_SUMMARISER_URL and not re.match(
    r"^https?://[^/\s]+(/.*)?$", MISSIONLEAD_BRIEF_SUMMARISER_URL
):
    raise ImproperlyConfigured(
        f"BRIEF_SUMMARISER_URL={MISSIONLEAD_BRIEF_SUMMARISER_URL!r}: expected an http(s) address, "
        "e.g. http://127.0.0.1:8080/v1"
    )
if not 0 < MISSIONLEAD_BRIEF_SUMMARISER_TIMEOUT <= 120:
    raise ImproperlyConfigured("BRIEF_SUMMARISER_TIMEOUT: expected seconds, above 0, at most 120.")

# --- Client addresses ---------------------------------------------------------------------------
# Proxies in front of gunicorn, by address or network (``10.0.0.5``, ``172.16.0.0/12``): only a
# request from one of them has its X-Forwarded-For read, from the right, for the client's address
# (missionlead.throttling.client_ip). Empty: the client is REMOTE_ADDR, so a forged header cannot
# dodge the per-IP limits. A count of proxies (DRF's NUM_PROXIES) trusts the header from anyone who
# reaches gunicorn's port directly, so it is refused rather than ignored.
if env.int("NUM_PROXIES", default=0):
    raise ImproperlyConfigured(
        "NUM_PROXIES is no longer read: name the proxies in front of the application by address "
        "in TRUSTED_PROXIES (e.g. TRUSTED_PROXIES=172.18.0.0/16), then unset NUM_PROXIES."
    )
TRUSTED_PROXIES = [p.strip() for p in env.list("TRUSTED_PROXIES", default=[]) if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 10.0.0.5, "
            "172.16.0.0/12)"
        ) from None

# --- Log-in limits (missionlead.throttling; docs/security.md) -----------------------------------
# Failed attempts per client address and username before each further one waits; the wait
# doubles from one second up to LOGIN_BACKOFF_MAX seconds.
LOGIN_FREE_ATTEMPTS = env.int("LOGIN_FREE_ATTEMPTS", default=5)
LOGIN_BACKOFF_MAX = env.int("LOGIN_BACKOFF_MAX", default=15 * 60)
if LOGIN_FREE_ATTEMPTS < 1 or LOGIN_BACKOFF_MAX < 1:
    raise ImproperlyConfigured("LOGIN_FREE_ATTEMPTS and LOGIN_BACKOFF_MAX must be at least 1")

# --- Redis as the cache: fail fast ---------------------------------------------------------------
# redis-py's defaults wait without limit on a silent server and retry a refused connection for
# about four seconds. While Redis is away the rate limits count in the process instead
# (missionlead.throttling), so a request should learn it within a fraction of a second.
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=1),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["OPTIONS"] = REDIS_CACHE_OPTIONS

# --- API tokens (accounts/tokens.py) ------------------------------------------------------------
# Days a token from POST /api/v1/auth/token/ works; working tokens a person may hold (beyond it,
# the least recently used one is revoked).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
API_TOKEN_LIMIT = env.int("API_TOKEN_LIMIT", default=25)
if API_TOKEN_DAYS < 1 or API_TOKEN_LIMIT < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS and API_TOKEN_LIMIT must be at least 1")
