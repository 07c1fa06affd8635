"""Test settings: the real PostgreSQL and Redis that ``make test`` starts, fast hashing."""

from __future__ import annotations

import os
import secrets

# A fresh random key for each test run: the production rule for keys applies here too, and no
# fixed key in the repository can be mistaken for one to deploy with. Subprocesses of the run
# inherit it from the environment.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from .settings import *  # noqa: E402,F403
from .settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get(
    "MISSIONLEAD_ALLOW_SQLITE_TESTS"
):
    raise RuntimeError("Tests run on PostgreSQL: set DATABASE_URL (``make test`` does).")

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Tests of the alignment checks call them directly; tests of the debounced trigger turn it on.
MISSIONLEAD_CHECKS_AFTER_CHANGES = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
# The replica is a mirror of the primary here: one database for the suite. Its router is
# installed only by the tests of the router (tests/test_replica.py), whose data is committed.
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collected static files in tests: WhiteNoise serves them from the apps' folders instead
# (and does not warn about a missing STATIC_ROOT on every request).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
MISSIONLEAD_BRIEF_SUMMARISER_URL = ""  # off whatever the environment says; tests set it
