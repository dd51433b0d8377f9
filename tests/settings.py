"""Settings for the test suite only: the project's settings with a fast password hasher, and
uploads and a cache of the test process's own.

Each test user gets a password; Django's PBKDF2 costs ~1.6 s a user on this machine, MD5 a few
microseconds. Production never loads this module (tests/security/test_settings_deploy.py
checks that the project's settings keep the strong hashers).
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# The project's settings default to DEBUG off; the suite runs the embedded default, as `make`
# does (plain http, the development key, static files from the apps).
os.environ.setdefault("DEBUG", "True")

from slrt.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Uploaded files and stored import checks are named by primary key: every pytest-xdist worker
# has a database of its own, so its files need a directory of their own too (and the
# checkout's var/media is left alone).
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="slrt-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# On SQLite, each worker's test database is a file, not Django's shared in-memory database.
# With an in-memory database the live server's request threads are handed the test's own
# connection object (pytest-django's connections_override), and with it its transaction state:
# a browser test querying while an htmx request is still being answered could leave that
# shared object inside an atomic block, after which every later test of the worker had its
# on-commit work (the import's check, the queued tasks) deferred for ever. CI failed that way
# on 2026-12-07 (tests/ops, seven tests, SQLite pass only). A file gives every thread a
# connection of its own, as in production; without fsync and with WAL it costs the suite
# little (tests/conftest.py checks at each test's start that no transaction was left open).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _TEST_DB_DIR = Path(tempfile.mkdtemp(prefix="slrt-test-db-"))
    atexit.register(shutil.rmtree, _TEST_DB_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DB_DIR / "test.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL"
    )

# Each test empties the cache (tests/conftest.py): a cache shared between workers (Redis on CI's
# PostgreSQL pass, files on the embedded default) would be emptied under another test's feet.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Browser tests wait for the live server's last request before the database is emptied
# (tests/inflight.py); first, so that every other middleware's queries are counted in.
MIDDLEWARE = ["tests.inflight.count_requests", *MIDDLEWARE]  # noqa: F405
