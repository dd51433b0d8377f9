"""Project middleware: the interface language, a request id for the logs, and the session's
idle and absolute limits.

Bahasa Indonesia unless the user picked English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on many office
computers says English; a city system speaks Indonesian first, whatever the browser says.
"""

import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation

from slrt.logs import current_request


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID when it sent a sane one), answer it
    in the same header, and let log lines written meanwhile carry it (slrt.logs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response.headers["X-Request-ID"] = request.request_id
        return response


_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


# Session keys of SessionTimeoutMiddleware: the login's and the last request's Unix time.
SESSION_STARTED_KEY = "_slrt_started"
SESSION_ACTIVITY_KEY = "_slrt_activity"
# Recorded activity is refreshed at most once a minute: a session write per request (what
# SESSION_SAVE_EVERY_REQUEST does) would be a database UPDATE for every htmx partial.
ACTIVITY_RESOLUTION_SECONDS = 60
# Requests sent by the page itself rather than by the person (htmx polling, e.g. an import's
# progress) carry this header and do not count as activity, so an open tab cannot keep a
# session alive for ever.
BACKGROUND_HEADER = "X-SLRT-Background"


def start_session_clock(session) -> None:
    """Stamp a new login (accounts.signals, on user_logged_in): the absolute cap counts from
    here, and the first requests after it need no session write."""
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now
    session[SESSION_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_SECONDS without a request of theirs, and in any case
    SESSION_COOKIE_AGE after the login (the absolute cap: refreshing the activity saves the
    session, which would otherwise push Django's own expiry on and on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._touch(request)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _touch(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = int(time.time())
        started = session.get(SESSION_STARTED_KEY)
        last = session.get(SESSION_ACTIVITY_KEY)
        if started is None or last is None:  # a session from before this middleware
            start_session_clock(session)
            return None
        if (
            now - last > settings.SESSION_IDLE_SECONDS
            or now - started > settings.SESSION_COOKIE_AGE
        ):
            logout(request)
            return self._to_login(request)
        background = request.headers.get(BACKGROUND_HEADER) == "1"
        if not background and now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[SESSION_ACTIVITY_KEY] = now
        return None

    def _to_login(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API answers an anonymous caller itself (401/403)
        login = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # A swapped-in fragment would put the login form inside the page: reload instead.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            target = current.path + (f"?{current.query}" if current.query else "")
            target = target or request.get_full_path()
            return HttpResponse(headers={"HX-Redirect": f"{login}?{urlencode({'next': target})}"})
        return redirect_to_login(request.get_full_path(), login)
