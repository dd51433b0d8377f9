"""The read scope matrix's table and machinery: every URL of the URL conf, who may open it
(EXPECTATIONS), how to fill its kwargs from the two worlds (KWARGS), the users and clients of
each role. Read by tests/security/test_scope_matrix.py and test_write_scope_matrix.py."""

import re
from dataclasses import dataclass, field

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from households.models import Region
from tests.households.factories import UserFactory, persona
from tests.security.world import World

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
# The family's plan (issue 21): read by those who read the household (agency staff: their own
# interventions), made by the facilitator and the desk.
PLAN_READ = {"pendamping", "operator_puskesos", "petugas_opd", "verifikator", "admin"}
PLAN_WRITE = {"pendamping", "operator_puskesos"}
DESK_READ = {"operator_puskesos", "admin"}
DECIDE = {"verifikator"}
# Graduation (issue 21 part 4): read as findings are, but not by agency staff; proposed by
# those who write in the family's kelurahan and the Verifikator; decided by the Verifikator.
GRADUATION_READ = READ - {"petugas_opd"}
PROPOSE = {"pendamping", "operator_puskesos", "verifikator"}
ENROL = {"verifikator", "admin"}
AGENCY = {"petugas_opd"}
NATIONAL_IMPORT = {"verifikator", "data_steward", "admin"}
NATIONAL_READ = {"pendamping", "operator_puskesos", "verifikator", "data_steward", "admin"}
VISITS = {"pendamping", "operator_puskesos", "verifikator", "admin"}
CITY_USULAN = {"verifikator", "admin"}
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
    # national data (issue 22): extracts in by the data steward and the Verifikator; the
    # reconciliation queue read where households are, cases closed by those who write there
    "national:extract_list": page(NATIONAL_IMPORT, personal=False, scoped=False, form=True),
    "national:extract_error_report": page(NATIONAL_IMPORT, scoped=False),  # an .xlsx
    "national:case_queue": page(NATIONAL_READ, scoped=False),
    "national:case_detail": page(NATIONAL_READ),
    "national:case_close": post(WRITE),
    # visits and usulan (issue 22): a ward's visits and batches where its households are; the
    # city's batches, their workbook and answers the Verifikator's
    "national:visit_schedule": post(WRITE),
    "national:visit_list": page(VISITS, scoped=False),
    "national:visit_detail": page(VISITS, form=True),
    "national:kelurahan_batch_list": page(VISITS, personal=False, scoped=False),
    "national:kelurahan_batch_detail": page(VISITS, form=True),
    "national:kelurahan_batch_minutes": page(VISITS),  # the musyawarah's PDF
    "national:usulan_batch_list": page(CITY_USULAN, personal=False, scoped=False, form=True),
    "national:usulan_batch_detail": page(CITY_USULAN, scoped=False),
    "national:usulan_batch_export": page(CITY_USULAN, scoped=False),  # an .xlsx
    "national:usulan_decide": post(CITY_USULAN),
    "national:household_status": page(NATIONAL_READ),
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
    "households:import_families": page(IMPORT),  # the families a file adds or changes
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
    # moves across kelurahan: asked for by those who write in the family's kelurahan, decided
    # by the Verifikator (issue 16)
    "households:move_request": page({"pendamping", "operator_puskesos", "admin"}, form=True),
    "households:move_review_list": page(DECIDE | {"admin"}, scoped=False),
    # needs assessment and PMKS (issue 21): read with the household (agency staff: the panel
    # with the referred person's PMKS, no assessment), written by those who write there
    "households:household_needs": page(READ),
    "households:assessment_list": page(READ),
    "households:assessment_create": page(WRITE, form=True),
    "households:pmks_record": page(WRITE, form=True),
    "households:pmks_end": post(WRITE),
    "households:move_decide": post(DECIDE | {"admin"}, scoped=False),
    # eligibility
    "eligibility:flag_queue": page(READ, scoped=False),
    # eligibility findings: not for agency staff, who serve a referral (issue 16)
    "eligibility:flag_detail": page(READ - AGENCY),
    "eligibility:flag_review": post(DECIDE, scoped=False),
    "eligibility:household_receipt": page(READ - AGENCY),
    # a household's review case (issue 20): read as its findings, decided by the Verifikator
    "eligibility:case_detail": page(READ - AGENCY),
    "eligibility:case_history": page(READ - AGENCY),
    # to the next family under the filter: a redirect (to the queue when none is left)
    "eligibility:case_next": page(READ, scoped=False, ok=frozenset({302})),
    "eligibility:case_decide": post(DECIDE),
    "eligibility:case_assign": post(DECIDE),
    "eligibility:run_start": post(ENROL, scoped=False),
    "eligibility:ruleset_list": page(READ, personal=False, scoped=False),
    "eligibility:ruleset_create_draft": post(DECIDE, scoped=False),
    "eligibility:ruleset_detail": page(READ, personal=False, scoped=False),
    # the simulation's change lists name families (issue 20): personal data
    "eligibility:ruleset_simulate": page(DECIDE, scoped=False),
    "eligibility:ruleset_confirm": page(DECIDE, scoped=False),  # the diff, before activating
    "eligibility:ruleset_activate": post(DECIDE, personal=False, scoped=False),
    "eligibility:ruleset_reason": post(DECIDE, personal=False, scoped=False),
    "eligibility:ruleset_discard": post(DECIDE, personal=False, scoped=False),
    # decisions' counts per rule and the verifiers' reasons, in the reader's scope
    "eligibility:dismiss_rate": page(READ, scoped=False),
    "eligibility:rule_edit": page(DECIDE, personal=False, scoped=False, form=True),
    # graduation (issue 21 part 4): proposed from the household page, queued for the verifier
    "eligibility:graduation_list": page(DECIDE, scoped=False),
    "eligibility:graduation_detail": page(GRADUATION_READ),
    "eligibility:graduation_decide": post(DECIDE),
    "eligibility:graduation_propose": page(PROPOSE, form=True),
    "eligibility:household_graduations": page(GRADUATION_READ),
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
    "referrals:attachment_remove": post(REFERRAL_READ),  # by its uploader (the service checks)
    "referrals:complaint_list": page(DESK_READ, scoped=False),
    "referrals:complaint_create": page(DESK, scoped=False, form=True),
    "referrals:complaint_detail": page(DESK_READ),
    "referrals:complaint_follow_up": post(DESK),  # the desk of the complaint's kelurahan
    # the family's plan (issue 21): its page across agencies (agency staff: theirs only), the
    # household page's way in (a redirect to it, or to a new plan), and its forms
    "referrals:household_plan": page(PLAN_READ, ok=frozenset({302})),
    "referrals:plan_create": page(PLAN_WRITE, form=True, ok=frozenset({302})),  # has a plan
    "referrals:plan_detail": page(PLAN_READ),
    "referrals:plan_agree": post(PLAN_WRITE),
    "referrals:goal_add": post(PLAN_WRITE),
    "referrals:intervention_add": page(PLAN_WRITE, form=True),
    "referrals:intervention_progress": post(PLAN_WRITE),
    "referrals:visit_add": page(PLAN_WRITE, form=True),
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
    "dashboards:usulan": AGGREGATE,  # usulan per quarter per kecamatan (issue 22)
    # programs and planning: households' numbers, not agency staff's (they see referrals)
    "dashboards:programs_city": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:programs": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:planning_city": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:planning": page(EVERYONE - AGENCY, personal=False, scoped=False),
    # the family plans in numbers (issue 21): household figures, like planning
    "dashboards:plans_city": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:plans": page(EVERYONE - AGENCY, personal=False, scoped=False),
    "dashboards:unit_costs_edit": post({"perencana"}, personal=False, scoped=False),
    # API (DRF router): 401 for anonymous; lists of personal data empty or 403 when aggregate
    "api-root": api(EVERYONE, personal=False, scoped=False),
    "region-list": api(EVERYONE, personal=False, scoped=False),
    "region-detail": api(EVERYONE, personal=False, scoped=False),
    "agency-list": api(EVERYONE, personal=False, scoped=False),
    "agency-detail": api(EVERYONE, personal=False, scoped=False),
    "program-list": api(EVERYONE, personal=False, scoped=False),
    "program-detail": api(EVERYONE, personal=False, scoped=False),
    "pmks-category-list": api(EVERYONE, personal=False, scoped=False),
    "pmks-category-detail": api(EVERYONE, personal=False, scoped=False),
    "pmks-classification-list": api(READ, scoped=False),
    "pmks-classification-detail": api(READ),  # agency staff: the referred head's
    "assessment-list": api(READ, scoped=False),
    "assessment-detail": api(READ - AGENCY),  # the whole family's needs: not need-to-know
    # what to decide in a new assessment: without ?household= a 400 says so
    "assessment-suggestions": api(WRITE, scoped=False, ok=frozenset({400})),
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
    "eligibility-case-list": api(READ, scoped=False),
    "eligibility-case-detail": api(READ - AGENCY),
    "eligibility-flag-detail": api(READ - AGENCY),
    "eligibility-flag-review": Expect(frozenset(DECIDE), post_only=True, api=True, scoped=False),
    "eligibility-decision-list": api(READ, scoped=False),
    "eligibility-decision-detail": api(READ, scoped=False, ok=frozenset({404})),
    "eligibility-graduation-list": api(GRADUATION_READ, scoped=False),
    "eligibility-graduation-detail": api(GRADUATION_READ),
    # the household is in the body: its scope is the write matrix's (test_write_scope_matrix)
    "eligibility-graduation-propose": Expect(
        frozenset(PROPOSE), post_only=True, api=True, scoped=False
    ),
    "eligibility-graduation-decide": Expect(frozenset(DECIDE), post_only=True, api=True),
    "indicator-list": api(EVERYONE, personal=False, scoped=False),  # as the district pages
    "indicator-detail": api(EVERYONE, personal=False, scoped=False),
    "referral-list": api(REFERRAL_READ, scoped=False),
    "referral-detail": api(REFERRAL_READ),
    "referral-events": api(REFERRAL_READ),
    "referral-transition": Expect(frozenset(REFERRAL_READ), post_only=True, api=True),
    "plan-list": api(PLAN_READ, scoped=False),
    "plan-detail": api(PLAN_READ),
    "plan-intervention-list": api(PLAN_READ, scoped=False),
    "plan-intervention-detail": api(PLAN_READ),  # agency staff: the step referred to them
    "plan-intervention-progress": Expect(frozenset(PLAN_WRITE), post_only=True, api=True),
    # the schema and Swagger UI: signed-in users and tokens only (401/403 to anonymous)
    "schema": api(EVERYONE, personal=False, scoped=False),
    "api-docs": api(EVERYONE, personal=False, scoped=False),
}


# A valid body where the input is checked before the record is looked up, so that the
# answer outside scope is the lookup's.
POST_DATA = {
    "referral-transition": {"action": "accept"},
    "plan-intervention-progress": {"progress": "done"},
}


# --- the URL conf -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    regex: str  # the full pattern, for messages
    parts: tuple  # ((pattern, converters), ...) from the root down
    kwargs: tuple[str, ...]


def routes() -> list[Route]:
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


def is_admin_route(route: Route) -> bool:
    return route.name.startswith("admin:")


def checked_routes() -> list[Route]:
    """The routes the matrix requests: format-suffix twins share their view with the plain
    route (asserted in test_every_url_is_in_the_matrix), so they are left out."""
    return [r for r in routes() if "format" not in r.kwargs]


# URL kwargs: (URL name, kwarg) first, then the kwarg alone. A value is a function of the
# world (A or B) and the requesting user.
def _w(attr):
    return lambda world, user: getattr(world, attr).pk


KWARGS = {
    ("households:enrolment_status", "pk"): _w("household"),
    ("households:enrolment_status", "enrolment_pk"): _w("enrolment"),
    ("households:import_detail", "pk"): _w("batch"),
    ("national:extract_error_report", "pk"): lambda world, user: world.national_case.extract_id,
    ("national:case_detail", "pk"): _w("national_case"),
    ("national:case_close", "pk"): _w("national_case"),
    ("national:visit_schedule", "pk"): _w("national_case"),
    ("national:visit_detail", "pk"): _w("visit"),
    ("national:kelurahan_batch_detail", "pk"): _w("draft_batch"),
    ("national:kelurahan_batch_minutes", "pk"): _w("agreed_batch"),
    ("national:usulan_batch_detail", "pk"): _w("usulan_batch"),
    ("national:usulan_batch_export", "pk"): _w("usulan_batch"),
    ("national:usulan_decide", "pk"): _w("usulan"),
    ("national:household_status", "pk"): _w("household"),
    ("households:import_families", "pk"): _w("batch"),
    ("households:import_confirm", "pk"): _w("batch"),
    ("households:import_cancel", "pk"): _w("batch"),
    ("households:import_error_report", "pk"): _w("batch"),
    ("households:break_glass_review", "pk"): lambda world, user: 999_999,  # no grant: 404
    ("households:move_decide", "pk"): lambda world, user: 999_999,  # no request: 404
    ("eligibility:flag_detail", "pk"): _w("flag"),
    ("eligibility:ruleset_detail", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_simulate", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_activate", "pk"): lambda world, user: 999_999,  # never activate
    ("eligibility:ruleset_confirm", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_reason", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:ruleset_discard", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility:rule_edit", "pk"): lambda world, user: world.flag.rule_id,
    ("referrals:attachment_download", "attachment_pk"): _w("attachment"),
    ("referrals:attachment_remove", "attachment_pk"): _w("attachment"),
    ("referrals:complaint_detail", "pk"): _w("complaint"),
    ("referrals:complaint_follow_up", "pk"): _w("complaint"),
    ("notifications:notification_open", "pk"): _w("notification"),
    ("region-detail", "pk"): lambda world, user: world.kelurahan.pk,
    ("households:pmks_end", "classification_pk"): _w("pmks"),
    ("pmks-category-detail", "pk"): lambda world, user: world.pmks.category_id,
    ("pmks-classification-detail", "pk"): _w("pmks"),
    ("assessment-detail", "pk"): _w("assessment"),
    ("agency-detail", "pk"): lambda world, user: world.referral.agency_id,
    ("program-detail", "pk"): lambda world, user: world.enrolment.program_id,
    ("member-detail", "pk"): _w("member"),
    ("eligibility-rule-detail", "pk"): lambda world, user: world.flag.rule_id,
    ("eligibility-ruleset-detail", "pk"): lambda world, user: world.flag.rule.rule_set_id,
    ("eligibility-run-detail", "pk"): lambda world, user: 999_999,  # no complete run: 404
    ("eligibility-flag-detail", "pk"): _w("flag"),
    ("eligibility-case-detail", "pk"): _w("household"),
    ("eligibility:graduation_detail", "pk"): _w("graduation"),
    ("eligibility:graduation_decide", "pk"): _w("graduation"),
    ("eligibility-graduation-detail", "pk"): _w("graduation"),
    ("eligibility-graduation-decide", "pk"): _w("graduation"),
    ("eligibility-decision-detail", "pk"): lambda world, user: 999_999,
    ("referrals:plan_detail", "pk"): _w("plan"),
    ("referrals:plan_agree", "pk"): _w("plan"),
    ("referrals:goal_add", "pk"): _w("plan"),
    ("referrals:intervention_add", "pk"): _w("plan"),
    ("referrals:intervention_progress", "pk"): _w("plan"),
    ("referrals:intervention_progress", "intervention_pk"): _w("own_step"),
    ("referrals:visit_add", "pk"): _w("plan"),
    ("plan-detail", "pk"): _w("plan"),
    ("plan-intervention-detail", "pk"): _w("step"),
    ("plan-intervention-progress", "pk"): _w("own_step"),
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


def kwarg_filler(route: Route, kwarg: str):
    namespace = route.name.split(":", 1)[0] + ":" if ":" in route.name else ""
    for key in ((route.name, kwarg), f"{namespace}{kwarg}", kwarg):
        if key in KWARGS:
            return KWARGS[key]
    return None


def url_for(route: Route, world: World, user) -> str:
    return fill(route, {k: kwarg_filler(route, k)(world, user) for k in route.kwargs})


def fill(route: Route, values: dict) -> str:
    """The path, from the route's own patterns (unnamed or duplicate names work too)."""

    def value(match) -> str:
        return str(values[match.group(1)])

    path = "/"
    for pattern in route.parts:
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, str(pattern))
        text = re.sub(r"<(?:\w+:)?(\w+)>", value, text)
        path += text.lstrip("^").rstrip("$")
    return path


def user_for(role: str, margahayu: Region):
    if role == "anonymous":
        return None
    if role == "admin":
        return UserFactory(username="sec-admin", is_superuser=True, is_staff=True)
    if role == "petugas_opd":
        return persona(role, agency_code="dinkes", username="sec-dinkes")
    if role in ("pendamping", "operator_puskesos"):
        return persona(role, kelurahan=[margahayu], username=f"sec-{role}")
    return persona(role, agency_code="bapelitbangda", username=f"sec-{role}")


def own_notifications(user, world: World):
    """The user's own notification in world A (an inbox is per person); B's stays the desk's."""
    if user is not None:
        world.notification.recipient = user
        world.notification.save(update_fields=["recipient"])


def client_for(user, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None and role != "anonymous":
        client.force_login(user)
        token, _ = Token.objects.get_or_create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client
