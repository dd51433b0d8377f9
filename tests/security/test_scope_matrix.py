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

import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from households.models import Region
from tests.conftest import _persona
from tests.households.factories import UserFactory
from tests.security.world import World, build_world, desk_of, security_rule

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "pendamping",
    "operator_puskesos",
    "petugas_opd",
    "verifikator",
    "data_steward",
    "perencana",
    "pimpinan",
    "admin",
]
AGGREGATE_ONLY = {"perencana", "pimpinan"}
CITY_WIDE = {"verifikator", "data_steward", "admin"}

# Who gets 200 (GET) or may act (POST-only) on a URL, inside their scope.
READ = {"pendamping", "operator_puskesos", "petugas_opd", "verifikator", "data_steward", "admin"}
WRITE = {"pendamping", "operator_puskesos", "verifikator", "admin"}
IMPORT = {"operator_puskesos", "verifikator", "data_steward", "admin"}
RAISE = {"pendamping", "operator_puskesos"}
REFERRAL_READ = {"pendamping", "operator_puskesos", "petugas_opd", "admin"}
DESK = {"operator_puskesos"}
DESK_READ = {"operator_puskesos", "admin"}
DECIDE = {"verifikator"}
ENROL = {"verifikator", "admin"}
AGENCY = {"petugas_opd"}
EVERYONE = set(ROLES) - {"anonymous"}
NOBODY: set[str] = set()


@dataclass(frozen=True)
class Expect:
    """`allowed`: roles answered 200 (GET) inside scope. `personal`: the URL shows personal
    data (aggregate-only roles never get 200, a record outside scope is 404). `post_only`: GET
    is refused (405/403) and `allowed` are the roles the permission lets act. `public`: no login
    needed. `api`: answers 401 to anonymous instead of redirecting. `scoped`: the record in the
    URL is outside scope for world B (False: reference data, everyone sees the same)."""

    allowed: frozenset = field(default_factory=frozenset)
    personal: bool = True
    post_only: bool = False
    public: bool = False
    api: bool = False
    scoped: bool = True
    ok: frozenset = frozenset({200})  # the answers that mean "opened" (a redirect for some)
    per_person: bool = False  # the record is the user's own (an inbox): B is nobody's but B's
    form: bool = False  # a form page: also POSTed (empty) where the answer must be a refusal


def page(allowed, **kw) -> Expect:
    return Expect(allowed=frozenset(allowed), **kw)


def post(allowed, **kw) -> Expect:
    return Expect(allowed=frozenset(allowed), post_only=True, **kw)


def api(allowed, **kw) -> Expect:
    return Expect(allowed=frozenset(allowed), api=True, **kw)


PUBLIC = Expect(allowed=frozenset(EVERYONE), personal=False, public=True, scoped=False)
AGGREGATE = page(EVERYONE, personal=False, scoped=False)

# Every URL name of the project (format-suffix twins of the API share their entry). Admin URLs
# are covered as a whole ("admin:" below). Add a new URL here, with who may open it.
EXPECTATIONS: dict[str, Expect] = {
    "home": page(EVERYONE, personal=False, scoped=False, ok=frozenset({302})),
    "login": PUBLIC,
    "healthz": Expect(frozenset(EVERYONE), personal=False, public=True, api=True, scoped=False),
    "logout": Expect(frozenset(), personal=False, post_only=True, public=True, scoped=False),
    "password_change": page(EVERYONE, personal=False, scoped=False),
    "password_change_done": page(EVERYONE, personal=False, scoped=False),
    "password_reset": PUBLIC,
    # one's own API token: made, shown once, replaced, revoked (accounts/)
    "accounts:api_token": page(EVERYONE, personal=False, scoped=False, form=True),
    "accounts:api_token_revoke": post(EVERYONE, personal=False, scoped=False),
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "set_language": Expect(
        frozenset(EVERYONE), personal=False, public=True, scoped=False, ok=frozenset({302})
    ),
    # households
    "households:household_list": page(READ, scoped=False),
    # agency staff export no people (issue 16)
    "households:household_export": page(READ - AGENCY, scoped=False),
    "households:household_create": page(WRITE, scoped=False, form=True),
    "households:household_detail": page(READ),
    "households:household_edit": page(WRITE, form=True),
    "households:household_location": post(WRITE),
    "households:enrolment_create": post(ENROL),
    "households:enrolment_status": post(ENROL),
    "households:import_list": page(IMPORT, scoped=False),
    "households:import_upload": page(IMPORT, scoped=False, form=True),
    "households:import_template": page(IMPORT, personal=False, scoped=False),
    "households:import_detail": page(IMPORT),
    # the data steward prepares and checks imports; a role that changes households confirms
    "households:import_confirm": post(IMPORT - {"data_steward"}),
    "households:import_cancel": post(IMPORT),
    "households:import_error_report": page(IMPORT),  # an .xlsx
    # emergency (break-glass) access: asked for by KK number in a POST, reviewed by Dinsos
    "households:break_glass_request": page(
        {"pendamping", "petugas_opd"}, personal=False, scoped=False, form=True
    ),
    "households:break_glass_review_list": page(DECIDE, scoped=False),
    "households:break_glass_review": post(DECIDE, scoped=False),
    # eligibility
    "eligibility:flag_queue": page(READ, scoped=False),
    # eligibility findings: not for agency staff, who serve a referral (issue 16)
    "eligibility:flag_detail": page(READ - AGENCY),
    "eligibility:flag_review": post(DECIDE, scoped=False),
    "eligibility:household_receipt": page(READ - AGENCY),
    "eligibility:run_start": post(ENROL, scoped=False),
    "eligibility:ruleset_list": page(READ, personal=False, scoped=False),
    "eligibility:ruleset_create_draft": post(DECIDE, scoped=False),
    "eligibility:ruleset_detail": page(READ, personal=False, scoped=False),
    "eligibility:ruleset_simulate": page(DECIDE, personal=False, scoped=False),
    "eligibility:ruleset_activate": post(DECIDE, personal=False, scoped=False),
    "eligibility:rule_edit": page(DECIDE, personal=False, scoped=False, form=True),
    # referrals
    "referrals:referral_list": page(RAISE, scoped=False),
    "referrals:queue": page(AGENCY, scoped=False),
    "referrals:assign": post(AGENCY, scoped=False),
    "referrals:metrics": page(REFERRAL_READ, personal=False, scoped=False),
    "referrals:household_referrals": page(REFERRAL_READ),
    "referrals:referral_create": page(RAISE, form=True),
    "referrals:referral_detail": page(REFERRAL_READ),
    "referrals:referral_transition": post(REFERRAL_READ),
    "referrals:attachment_upload": post(REFERRAL_READ),
    "referrals:attachment_download": page(REFERRAL_READ),
    "referrals:complaint_list": page(DESK_READ, scoped=False),
    "referrals:complaint_create": page(DESK, scoped=False, form=True),
    "referrals:complaint_detail": page(DESK_READ),
    "notifications:notification_list": page(EVERYONE, personal=False, scoped=False),
    "notifications:notification_open": page(
        EVERYONE,
        personal=False,
        per_person=True,
        ok=frozenset({302}),  # to the referral
    ),
    "notifications:notification_read_all": post(EVERYONE, personal=False, scoped=False),
    # dashboards: numbers only, every role
    "dashboards:overview": AGGREGATE,
    "dashboards:district_city": AGGREGATE,
    "dashboards:district": AGGREGATE,
    "dashboards:panel": AGGREGATE,
    "dashboards:export": AGGREGATE,
    "dashboards:referrals": AGGREGATE,
    # programs and planning: households' numbers, not agency staff's (they see referrals)
    "dashboards:programs_city": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:programs": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:planning_city": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:planning": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:unit_costs_edit": post({"perencana"}, personal=False, scoped=False),
    # API (DRF router): 401 for anonymous; lists of personal data empty or 403 when aggregate
    "api-root": api(EVERYONE, personal=False, scoped=False),
    "region-list": api(EVERYONE, personal=False, scoped=False),
    "region-detail": api(EVERYONE, personal=False, scoped=False),
    "agency-list": api(EVERYONE, personal=False, scoped=False),
    "agency-detail": api(EVERYONE, personal=False, scoped=False),
    "program-list": api(EVERYONE, personal=False, scoped=False),
    "program-detail": api(EVERYONE, personal=False, scoped=False),
    "household-list": api(READ, scoped=False),
    "household-detail": api(READ),
    "member-list": api(READ, scoped=False),
    "member-detail": api(READ),
    "eligibility-rule-list": api(READ, personal=False, scoped=False),
    "eligibility-rule-detail": api(READ, personal=False, scoped=False),
    "eligibility-ruleset-list": api(READ, personal=False, scoped=False),
    "eligibility-ruleset-detail": api(READ, personal=False, scoped=False),
    "eligibility-run-list": api(READ, scoped=False),
    # No complete run and no decision in the worlds: a missing pk answers 404 to all alike.
    "eligibility-run-detail": api(READ, scoped=False, ok=frozenset({404})),
    "eligibility-flag-list": api(READ, scoped=False),
    "eligibility-flag-detail": api(READ - AGENCY),
    "eligibility-flag-review": Expect(frozenset(DECIDE), post_only=True, api=True, scoped=False),
    "eligibility-decision-list": api(READ, scoped=False),
    "eligibility-decision-detail": api(READ, scoped=False, ok=frozenset({404})),
    "indicator-list": api(EVERYONE, personal=False, scoped=False),  # as the district pages
    "indicator-detail": api(EVERYONE, personal=False, scoped=False),
    "referral-list": api(REFERRAL_READ, scoped=False),
    "referral-detail": api(REFERRAL_READ),
    "referral-events": api(REFERRAL_READ),
    "referral-transition": Expect(frozenset(REFERRAL_READ), post_only=True, api=True),
    # the schema and Swagger UI: signed-in users and tokens only (401/403 to anonymous)
    "schema": api(EVERYONE, personal=False, scoped=False),
    "api-docs": api(EVERYONE, personal=False, scoped=False),
}


# A valid body where the input is checked before the record is looked up, so that the
# answer outside scope is the lookup's.
POST_DATA = {"referral-transition": {"action": "accept"}}


# --- the URL conf -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    regex: str  # the full pattern, for messages
    parts: tuple  # ((pattern, converters), ...) from the root down
    kwargs: tuple[str, ...]


def _routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver, parts, namespace):
        for entry in resolver.url_patterns:
            pattern_parts = (*parts, entry.pattern)
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                walk(entry, pattern_parts, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(entry, URLPattern):
                kwargs = []
                for pattern in pattern_parts:
                    regex = pattern.regex.pattern if hasattr(pattern, "regex") else ""
                    kwargs += re.findall(r"\(\?P<(\w+)>", regex)
                    kwargs += list(getattr(pattern, "converters", {}))
                name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed>"
                regex = "".join(str(p) for p in pattern_parts)
                found.append(Route(name, regex, pattern_parts, tuple(dict.fromkeys(kwargs))))

    walk(get_resolver(), (), "")
    return found


def _is_admin(route: Route) -> bool:
    return route.name.startswith("admin:")


def _checked_routes() -> list[Route]:
    """The routes the matrix requests: format-suffix twins share their view with the plain
    route (asserted in test_every_url_is_in_the_matrix), so they are left out."""
    return [r for r in _routes() if "format" not in r.kwargs]


# URL kwargs: (URL name, kwarg) first, then the kwarg alone. A value is a function of the
# world (A or B) and the requesting user.
def _w(attr):
    return lambda world, user: getattr(world, attr).pk


KWARGS = {
    ("households:enrolment_status", "pk"): _w("household"),
    ("households:enrolment_status", "enrolment_pk"): _w("enrolment"),
    ("households:import_detail", "pk"): _w("batch"),
    ("households:import_confirm", "pk"): _w("batch"),
    ("households:import_cancel", "pk"): _w("batch"),
    ("households:import_error_report", "pk"): _w("batch"),
    ("households:break_glass_review", "pk"): lambda world, user: 999_999,  # no grant: 404
    ("eligibility:flag_detail", "pk"): _w("flag"),
    ("eligibility:ruleset_detail", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_simulate", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_activate", "pk"): lambda world, user: 999_999,  # never activate
    ("eligibility:rule_edit", "pk"): lambda world, user: world.flag.rule_id,
    ("referrals:attachment_download", "attachment_pk"): _w("attachment"),
    ("referrals:complaint_detail", "pk"): _w("complaint"),
    ("notifications:notification_open", "pk"): _w("notification"),
    ("region-detail", "pk"): lambda world, user: world.kelurahan.pk,
    ("agency-detail", "pk"): lambda world, user: world.referral.agency_id,
    ("program-detail", "pk"): lambda world, user: world.enrolment.program_id,
    ("member-detail", "pk"): _w("member"),
    ("eligibility-rule-detail", "pk"): lambda world, user: world.flag.rule_id,
    ("eligibility-ruleset-detail", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility-run-detail", "pk"): lambda world, user: 999_999,  # no complete run: 404
    ("eligibility-flag-detail", "pk"): _w("flag"),
    ("eligibility-decision-detail", "pk"): lambda world, user: 999_999,
    ("password_reset_confirm", "uidb64"): lambda world, user: "MQ",
    ("password_reset_confirm", "token"): lambda world, user: "set-password",
    # by kwarg name: households:* and referrals:* pk are a household's / a referral's
    "households:pk": _w("household"),
    "eligibility:pk": _w("household"),
    "referrals:pk": _w("referral"),
    "pk": _w("referral"),  # the API's referral-* routes
    "household_pk": _w("household"),
    "code": lambda world, user: world.kelurahan.code,
}
KWARGS[("household-detail", "pk")] = _w("household")


def _kwarg_filler(route: Route, kwarg: str):
    namespace = route.name.split(":", 1)[0] + ":" if ":" in route.name else ""
    for key in ((route.name, kwarg), f"{namespace}{kwarg}", kwarg):
        if key in KWARGS:
            return KWARGS[key]
    return None


def _url(route: Route, world: World, user) -> str:
    return _fill(route, {k: _kwarg_filler(route, k)(world, user) for k in route.kwargs})


def _fill(route: Route, values: dict) -> str:
    """The path, from the route's own patterns (unnamed or duplicate names work too)."""

    def value(match) -> str:
        return str(values[match.group(1)])

    path = "/"
    for pattern in route.parts:
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, str(pattern))
        text = re.sub(r"<(?:\w+:)?(\w+)>", value, text)
        path += text.lstrip("^").rstrip("$")
    return path


def test_every_url_is_in_the_matrix():
    """A URL the matrix does not know, or cannot fill, fails here with what to add."""
    problems = []
    for route in _routes():
        if _is_admin(route):
            continue
        if route.name not in EXPECTATIONS:
            problems.append(
                f"{route.name} ({route.regex}): add it to EXPECTATIONS in "
                "tests/security/test_scope_matrix.py with the roles that may open it"
            )
        missing = [k for k in route.kwargs if k != "format" and not _kwarg_filler(route, k)]
        if missing:
            problems.append(
                f"{route.name} ({route.regex}): add a value for {missing} to KWARGS in "
                "tests/security/test_scope_matrix.py (which record of world A/B it names)"
            )
    stale = set(EXPECTATIONS) - {r.name for r in _routes()}
    problems += [f"{name}: in EXPECTATIONS but no longer a URL; remove it" for name in stale]
    assert not problems, "\n".join(problems)


# --- the matrix ---------------------------------------------------------------------------


@pytest.fixture
def worlds(reference_data):
    margahayu = Region.objects.get(code="32.75.01.1002")
    bintara = Region.objects.get(code="32.75.02.1001")
    rule = security_rule()
    a = build_world(margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=rule)
    b = build_world(bintara, agency_code="disdik", desk=desk_of(bintara, "desk_b"), rule=rule)
    return a, b


def _user(role: str, margahayu: Region):
    if role == "anonymous":
        return None
    if role == "admin":
        return UserFactory(username="sec-admin", is_superuser=True, is_staff=True)
    if role == "petugas_opd":
        return _persona(role, agency_code="dinkes", username="sec-dinkes")
    if role in ("pendamping", "operator_puskesos"):
        return _persona(role, kelurahan=[margahayu], username=f"sec-{role}")
    return _persona(role, agency_code="bapelitbangda", username=f"sec-{role}")


def _own_notifications(user, world: World):
    """The user's own notification in world A (an inbox is per person); B's stays the desk's."""
    if user is not None:
        world.notification.recipient = user
        world.notification.save(update_fields=["recipient"])


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


def _client(user, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None and role != "anonymous":
        client.force_login(user)
        token, _ = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_scope_matrix(worlds, margahayu):
    """Every role in one test: the two worlds are built once (a test per role would build
    them nine times). The failures name role, method, inside/outside and URL."""
    a, b = worlds
    failures = []
    for role in ROLES:
        user = _user(role, margahayu)
        _own_notifications(user, a)
        failures += _role_failures(role, user, _client(user, role), a, b)
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)


def _role_failures(role, user, client, a: World, b: World) -> list[str | None]:
    failures = []
    for route in _checked_routes():
        if _is_admin(route):
            continue
        expect = EXPECTATIONS[route.name]
        cases = [(a, True)]
        # B is outside scope for everyone but the city-wide roles, for whom it is inside (asked
        # of the verifier only: the steward and the administrator share the same scope).
        if expect.scoped and route.kwargs and role not in ("data_steward", "admin", "anonymous"):
            cases.append((b, role in CITY_WIDE and not expect.per_person))
        for world, inside in cases:
            url = _url(route, world, user)
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
    for route in [r for r in _checked_routes() if _is_admin(r)]:
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
        path = _fill(route, values)
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
