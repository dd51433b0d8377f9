"""Scope matrix generated from the URL conf: every URL pattern, every role and anonymous, a
record inside and outside the user's scope (DESIGN.md "Who uses it", STYLE.md section 4).

A new URL fails `test_every_url_is_in_the_matrix` until its name is in EXPECTATIONS (who may
open it) and its kwargs can be filled from KWARGS: that is what keeps a page without a scope
check from slipping in. Then `test_scope_matrix[role]` requests it as each role:

- never a 500;
- anonymous: pages redirect to the login page, the API answers 401;
- the administrator (a superuser) holds every permission: "allowed" everywhere in scope;
- a record outside the user's scope: 404 (403 also when the role lacks the permission:
  the refusal is then the same for every pk, so nothing leaks), never 200, also on POST;
- inside scope: 200 for the roles listed for the URL, 403 or 404 for the others; the
  aggregate-only roles (perencana, pimpinan) never get 200 on a page with personal data;
- admin: a non-staff user is sent to the admin login; the administrator gets no 500.
POST-only URLs and form pages are posted to (empty form) only where the answer must be a refusal
(anonymous, outside scope, a role without the permission): a test of the form itself is the
app's own tests' job.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.security.matrix import (
    AGGREGATE_ONLY,
    CITY_WIDE,
    EXPECTATIONS,
    POST_DATA,
    ROLES,
    Expect,
    Route,
    checked_routes,
    client_for,
    fill,
    is_admin_route,
    kwarg_filler,
    own_notifications,
    routes,
    url_for,
    user_for,
)
from tests.security.world import World

pytestmark = pytest.mark.django_db


def test_every_url_is_in_the_matrix():
    """A URL the matrix does not know, or cannot fill, fails here with what to add."""
    problems = []
    for route in routes():
        if is_admin_route(route):
            continue
        if route.name not in EXPECTATIONS:
            problems.append(
                f"{route.name} ({route.regex}): add it to EXPECTATIONS in "
                "tests/security/matrix.py with the roles that may open it"
            )
        missing = [k for k in route.kwargs if k != "format" and not kwarg_filler(route, k)]
        if missing:
            problems.append(
                f"{route.name} ({route.regex}): add a value for {missing} to KWARGS in "
                "tests/security/matrix.py (which record of world A/B it names)"
            )
    stale = set(EXPECTATIONS) - {r.name for r in routes()}
    problems += [f"{name}: in EXPECTATIONS but no longer a URL; remove it" for name in stale]
    assert not problems, "\n".join(problems)


# --- the matrix ---------------------------------------------------------------------------


def _check(
    role: str, route: Route, expect: Expect, response, *, inside: bool, method: str
) -> str | None:
    status = response.status_code
    where = f"{role:18} {method:4} {'in ' if inside else 'out'} {route.name}"
    if status >= 500:
        return f"{where}: {status} (a server error)"
    if role == "anonymous":
        if expect.public:
            return None
        if expect.api:
            return None if status in (401, 403) else f"{where}: {status}, expected 401"
        location = response.get("Location", "")
        if status == 302 and "/accounts/login/" in location:
            return None
        if method == "GET" and expect.post_only and status == 405:
            return None
        return f"{where}: {status} {location}, expected a redirect to the login page"
    allowed = role == "admin" or role in expect.allowed
    aggregate_only = expect.personal and role in AGGREGATE_ONLY
    if aggregate_only and status == 200 and not (expect.api and _empty_list(response)):
        return f"{where}: 200 with personal data for an aggregate-only role"
    if method == "POST":  # only refusals are posted
        ok = {403, 404, 405} if not inside else {403, 405}
        if not allowed or not inside:
            return None if status in ok else f"{where}: {status}, expected a refusal {ok}"
        return None
    if expect.post_only:
        return None if status in (403, 405) else f"{where}: {status}, expected 405 (POST only)"
    if not inside:
        ok = {404} if allowed else {403, 404}
        if expect.api and route.name.endswith("-list"):
            ok = {200}
        return None if status in ok else f"{where}: {status}, expected {sorted(ok)}"
    if allowed:
        ok = set(expect.ok)
    else:
        ok = {403, 404}
        if expect.api and _empty_list(response):
            ok.add(200)
    return None if status in ok else f"{where}: {status}, expected {sorted(ok)}"


def _empty_list(response) -> bool:
    try:
        data = response.json()
    except (ValueError, TypeError):
        return False
    rows = data.get("results", data) if isinstance(data, dict) else data
    return isinstance(rows, list) and not rows


def test_scope_matrix(worlds, margahayu):
    """Every role in one test: the two worlds are built once (a test per role would build
    them nine times). The failures name role, method, inside/outside and URL."""
    a, b = worlds
    failures = []
    for role in ROLES:
        user = user_for(role, margahayu)
        own_notifications(user, a)
        failures += _role_failures(role, user, client_for(user, role), a, b)
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)


def _role_failures(role, user, client, a: World, b: World) -> list[str | None]:
    failures = []
    for route in checked_routes():
        if is_admin_route(route):
            continue
        expect = EXPECTATIONS[route.name]
        cases = [(a, True)]
        # B is outside scope for everyone but the city-wide roles, for whom it is inside (asked
        # of the verifier only: the steward and the administrator share the same scope).
        if expect.scoped and route.kwargs and role not in ("data_steward", "admin", "anonymous"):
            cases.append((b, role in CITY_WIDE and not expect.per_person))
        for world, inside in cases:
            url = url_for(route, world, user)
            response = client.get(url)
            failures.append(_check(role, route, expect, response, inside=inside, method="GET"))
            allowed = role == "admin" or role in expect.allowed
            refusal = role == "anonymous" or not inside or not allowed
            if (expect.post_only or expect.form) and route.name != "logout" and refusal:
                response = client.post(url, POST_DATA.get(route.name, {}))
                failures.append(_check(role, route, expect, response, inside=inside, method="POST"))
    return failures


def _admin_object(route: Route, admin_user):
    """A pk of the admin route's model (its name is <app>_<model>_<view>)."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix):
            row = model._default_manager.order_by("pk").first()
            return row.pk if row is not None else 0
    return None


def test_admin_is_for_staff_only(worlds, pendamping, verifikator, pimpinan, admin_user):
    """Every admin URL: non-staff roles are sent to the admin login page, the administrator
    gets no server error on any of them (object pages with a real row)."""
    Token.objects.get_or_create(user=admin_user)
    household_type = ContentType.objects.get(app_label="households", model="household")
    failures = []
    for route in [r for r in checked_routes() if is_admin_route(r)]:
        values = {
            "object_id": _admin_object(route, admin_user) or Group.objects.first().pk,
            "id": admin_user.pk,
            "content_type_id": household_type.pk,
            "app_label": "households",
            "url": "no-such-page/",
        }
        if route.name == "admin:view_on_site":
            values["object_id"] = worlds[0].household.pk
        missing = [k for k in route.kwargs if k not in values]
        assert not missing, f"{route.name} ({route.regex}): fill {missing} in this test"
        path = fill(route, values)
        for user in (None, pendamping, verifikator, pimpinan, admin_user):
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            response = client.get(path)
            status, location = response.status_code, response.get("Location", "")
            who = user.username if user else "anonymous"
            if status >= 500:
                failures.append(f"{who} {route.name} {path}: {status}")
            elif user is admin_user or route.name in ("admin:login", "admin:logout"):
                continue
            elif route.name == "admin:view_on_site" and status in (302, 404):
                continue  # a redirect to the object's own (scoped) page
            elif not (status == 302 and "/admin/login/" in location):
                failures.append(f"{who} {route.name} {path}: {status} {location}")
    assert not failures, "\n".join(failures)
