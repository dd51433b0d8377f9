"""The session read from the shared cache in the same round trip as the request's stamps
(issue 17).

Django's cached_db engine reads a session with one cache GET, and slrt.stamps reads the
request's version stamps (the navigation's counts, the scope facts, the reference dropdowns,
the household list's counts) with another, moments later: two Redis round trips on every
page. Under gunicorn + wrk (bench_load.py, 300,000 households, the household list as
demo-pendamping; py-spy on a worker, 2026-12-06) Redis took 8.4 % of a list request's
samples, the session's GET 6.1 % of them. This engine reads the session's key with the
stamps in one MGET (slrt.stamps.read_along); everything else is cached_db's: written
through to the database, read from it when the cache has no copy (a restart, an eviction).
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS

from slrt import stamps


class SessionStore(cached_db.SessionStore):
    def load(self):
        if settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:  # the stamps' cache only
            return super().load()
        try:
            data = stamps.read_along(self.cache_key)
        except Exception:  # noqa: BLE001 (as cached_db: an unreadable key resets the session)
            data = None
        if data is None:
            stored = self._get_session_from_db()
            if stored:
                data = self.decode(stored.session_data)
                self._cache.set(
                    self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date)
                )
            else:
                data = {}
        return data
