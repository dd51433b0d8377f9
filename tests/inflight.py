"""The requests the test server is still answering, so a browser test's teardown can wait
for them before the database is emptied.

A browser test ends as soon as it has seen what it checks; the page may still be loading an
htmx part. Emptying the database under a running request failed the teardown with "database
table is locked" (seen once in `make test` under load, tests/browser/test_phone_entry.py, when
the SQLite test database was still in memory and shared with the server's threads; it is a
file now, tests/settings.py, and the flush would wait on the request's lock instead). Only
the test settings install this middleware.
"""

import threading

_idle = threading.Condition()
_running = 0


def count_requests(get_response):
    def middleware(request):
        global _running
        with _idle:
            _running += 1
        try:
            return get_response(request)
        finally:
            with _idle:
                _running -= 1
                _idle.notify_all()

    return middleware


def wait_until_idle(timeout: float = 15.0) -> bool:
    """True once no request is being answered; False if one still runs after `timeout`."""
    with _idle:
        return _idle.wait_for(lambda: _running == 0, timeout)
