"""Every page that shows a name or NIK logs the read (issue 19, point 4; DESIGN.md "Promises"),
generated from the URL conf like the scope matrix.

Each URL is classified: READS (it shows personal data: each role whose reads are kept gets a
log row for the records it showed) or NOT_READS (why it logs nothing); POST-only URLs render
nothing and are left out. A new URL fails `test_every_url_is_classified` until it is listed.
The classification is checked against the pages themselves: wherever a page shows a name, a
NIK or a whole KK number of the worlds' families, the reader must have a log row for that
family, and a page in NOT_READS must show none. So a page that starts showing people without
logging fails, whatever its list says.

The roles whose reads are kept (households.selectors.log_household_reads): agency staff and
the city-wide roles; a facilitator or a desk reading their own kelurahan leaves no record
(tests/households/test_access_log.py), emergency access is tested in test_break_glass.py.
"""

import ast
import html
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from households.models import (
    AccessRecord,
    BreakGlassGrant,
    ChangeRecord,
    ExportRecord,
    Household,
    ImportFamily,
    MoveRequest,
)
from tests.security.matrix import (
    EXPECTATIONS,
    checked_routes,
    client_for,
    fill,
    is_admin_route,
    own_notifications,
    url_for,
    user_for,
)

pytestmark = pytest.mark.django_db

LOGGED_ROLES = ["petugas_opd", "verifikator", "data_steward", "admin"]


@dataclass(frozen=True)
class Read:
    """A URL that shows personal data. `queries`: what to add to open it with rows (an
    export's format, a search), each asked for. `export`: the city-wide roles' exports are
    recorded once in the export log, not row by row (households.audit.record_export).
    `names`: False where the records are shown by id and content (the referral and flag API,
    a referral's document), not by name. `empty_for`: roles to whom the page lists no one by
    design."""

    queries: tuple[str, ...] = ("",)
    export: bool = False
    names: bool = True
    empty_for: frozenset = frozenset()


READS: dict[str, Read] = {
    "households:household_list": Read(),
    "households:household_export": Read(queries=("?kind=members&format=csv",), export=True),
    "households:household_detail": Read(),
    "households:household_edit": Read(),
    "households:import_detail": Read(),  # the families of the file already registered
    "households:import_families": Read(),
    "households:move_request": Read(),
    "households:move_review_list": Read(),  # the family and where a person is registered now
    # the needs assessment and PMKS pages (issue 21): the family and its members
    "households:household_needs": Read(),
    "households:assessment_list": Read(),
    "households:assessment_create": Read(),
    "households:pmks_record": Read(),
    # agency staff serve referrals, not findings (issue 16): their flag lists are empty
    "eligibility:flag_queue": Read(empty_for=frozenset({"petugas_opd"})),
    "eligibility:flag_detail": Read(),
    "eligibility:household_receipt": Read(),
    # the family's review case and its decisions (issue 20)
    "eligibility:case_detail": Read(),
    "eligibility:case_history": Read(names=False),
    # the families a draft would stop or start flagging (issue 20), a page of each list
    "eligibility:ruleset_simulate": Read(),
    # graduation (issue 21 part 4): the proposal form, the verifier's queue and a proposal
    "eligibility:graduation_propose": Read(),
    "eligibility:graduation_list": Read(),
    "eligibility:graduation_detail": Read(),
    "eligibility:household_graduations": Read(names=False),  # the family's card, no name
    # the reconciliation with DTSEN (issue 22): the families of the cases
    "national:case_queue": Read(),
    "national:case_detail": Read(),
    # visits and usulan (issue 22): the families visited and proposed
    "national:visit_list": Read(),
    "national:visit_detail": Read(),
    "national:kelurahan_batch_detail": Read(),
    "national:usulan_batch_detail": Read(),
    "national:usulan_batch_export": Read(export=True, names=False),  # an .xlsx (zipped)
    "national:household_status": Read(names=False),  # desil, case and usulan of one family
    "referrals:referral_list": Read(),
    "referrals:queue": Read(empty_for=frozenset({"admin"})),  # the administrator has no agency
    "referrals:household_referrals": Read(),
    "referrals:referral_create": Read(),
    "referrals:referral_detail": Read(),
    "referrals:attachment_download": Read(names=False),  # a document about the family
    "referrals:complaint_list": Read(),
    # the search's families, and the family chosen for the complaint
    "referrals:complaint_create": Read(queries=("?q={head_name}", "?household={household}")),
    "referrals:complaint_detail": Read(),
    # the family's plan (issue 21): the family, and (API) its plans and steps by id
    "referrals:plan_detail": Read(),
    "referrals:plan_create": Read(names=False),  # the worlds' families have a plan: a redirect
    "referrals:intervention_add": Read(),
    "referrals:visit_add": Read(),
    "plan-list": Read(names=False),
    "plan-detail": Read(names=False),
    "plan-intervention-list": Read(names=False),
    "plan-intervention-detail": Read(names=False),
    "household-list": Read(),
    "household-detail": Read(),
    "member-list": Read(),
    "member-detail": Read(),
    "eligibility-flag-list": Read(names=False, empty_for=frozenset({"petugas_opd"})),
    "eligibility-flag-detail": Read(names=False),
    "referral-list": Read(names=False),
    "referral-detail": Read(names=False),
    "referral-events": Read(names=False),
    "eligibility-case-list": Read(names=False, empty_for=frozenset({"petugas_opd"})),
    "eligibility-case-detail": Read(names=False),
    "assessment-list": Read(names=False, empty_for=frozenset({"petugas_opd"})),
    "assessment-detail": Read(names=False),
    "pmks-classification-list": Read(names=False),
    "pmks-classification-detail": Read(names=False),
    "eligibility-graduation-list": Read(names=False),
    "eligibility-graduation-detail": Read(names=False),
}

_NO_ONE = "numbers, reference data or one's own account: no one's name or NIK"
# fmt: off
NOT_READS: dict[str, str] = dict.fromkeys(
    [
        "home", "login", "healthz", "password_change", "password_change_done",
        "password_reset", "password_reset_done", "password_reset_confirm",
        "password_reset_complete", "set_language", "accounts:api_token",
        "households:household_create", "households:import_template",
        "eligibility:ruleset_list", "eligibility:ruleset_detail", "eligibility:ruleset_confirm",
        "eligibility:dismiss_rate",
        "eligibility:rule_edit", "referrals:metrics", "dashboards:overview",
        "dashboards:district_city", "dashboards:district", "dashboards:panel", "dashboards:usulan",
        "dashboards:export", "dashboards:referrals", "dashboards:programs_city",
        "dashboards:programs", "dashboards:planning_city", "dashboards:planning",
        "dashboards:plans_city", "dashboards:plans", "api-root",
        "region-list", "region-detail", "agency-list", "agency-detail", "program-list",
        "program-detail", "eligibility-rule-list", "eligibility-rule-detail",
        "eligibility-ruleset-list", "eligibility-ruleset-detail", "eligibility-run-list",
        "eligibility-run-detail", "indicator-list", "indicator-detail", "schema", "api-docs",
        "pmks-category-list", "pmks-category-detail",
    ],
    _NO_ONE,
)
# fmt: on
NOT_READS |= {
    "households:import_list": "file names, uploaders and counts",
    "national:extract_list": "DTSEN extracts: file names, quarters and counts",
    "national:extract_error_report": "the extract's own rows that were left out, with errors",
    "national:kelurahan_batch_list": "kelurahan batches: counts per kind, no names",
    "national:usulan_batch_list": "city batches and the agreed kelurahan batches: counts",
    "national:kelurahan_batch_minutes": "the musyawarah's uploaded minutes (a PDF file)",
    "households:import_upload": "the upload form",
    # The file's own rows as uploaded, named by row number: not the registry's records.
    "households:import_error_report": "the uploaded file's rows with their errors",
    "households:break_glass_request": "one's own requests, KK numbers masked",
    "households:break_glass_review_list": "the requests, KK numbers masked, no names",
    "notifications:notification_list": "one's own notices",
    "notifications:notification_open": "a redirect to the referral (logged there)",
    "eligibility:case_next": "a redirect to the next case (logged there)",
    "referrals:household_plan": "a redirect to the family's plan (logged there)",
    "eligibility-decision-list": "decisions on flags by id: no name or number",
    # without ?household= a 400; with it, codes of needs, and the household's read is logged
    "assessment-suggestions": "the registry's suggested needs of one household, as codes",
    "eligibility-decision-detail": "a decision on a flag by id: no name or number",
}

# The back office, by model: pages of these models show a family (a row's household, its
# members inline, the family's name in a row's label); those of the others show no one.
ADMIN_READS = {
    "households.household", "households.enrolment", "households.changerecord",
    "households.accessrecord", "households.breakglassgrant", "households.moverequest",
    "referrals.referral", "referrals.complaint",
}  # fmt: skip
ADMIN_NOT_READS = {
    "households.region", "households.agency", "households.program", "auth.user",
    "auth.group", "households.exportrecord", "referrals.needcategory", "authtoken.tokenproxy",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
}  # fmt: skip
# The access log's own list names households by id only; logging its rows would make each
# look at the log grow it (households.admin.AccessRecordAdmin.log_lists).
ADMIN_LISTS_NOT_LOGGED = {"households.accessrecord"}


def _allowed(role: str, name: str) -> bool:
    return role == "admin" or role in EXPECTATIONS[name].allowed


def _page_routes():
    return [
        route
        for route in checked_routes()
        if not is_admin_route(route) and not EXPECTATIONS[route.name].post_only
    ]


def test_every_url_is_classified():
    """A URL that renders something is a read of personal data or says why it is not."""
    names = {route.name for route in _page_routes()}
    unlisted = sorted(names - set(READS) - set(NOT_READS))
    both = sorted(set(READS) & set(NOT_READS))
    stale = sorted((set(READS) | set(NOT_READS)) - names)
    assert not unlisted, f"classify in READS or NOT_READS of {__name__}: {unlisted}"
    assert not both, f"in READS and NOT_READS: {both}"
    assert not stale, f"no longer a page; remove: {stale}"
    hidden = [name for name in READS if not EXPECTATIONS[name].personal]
    assert not hidden, f"shows personal data but personal=False in the scope matrix: {hidden}"


def test_every_admin_model_is_classified():
    models = {model._meta.label_lower for model in admin.site._registry}
    unlisted = sorted(models - ADMIN_READS - ADMIN_NOT_READS)
    assert not unlisted, f"classify in ADMIN_READS or ADMIN_NOT_READS: {unlisted}"
    assert not (ADMIN_READS | ADMIN_NOT_READS) - models


@pytest.fixture
def shown(worlds, reference_data):
    """The two worlds, with the rows two list pages need besides: a file's family already in
    the registry (the import pages) and a move of a person registered in B into A's family
    (the Verifikator's move list shows both families)."""
    a, b = worlds
    ImportFamily.objects.create(
        batch=a.batch,
        first_row=2,
        kk_number=a.household.kk_number,
        head_name=a.household.head_name,
        action=ImportFamily.Action.UPDATED,
        kelurahan=a.kelurahan,
        household=a.household,
    )
    person = b.household.members.order_by("pk").last()
    MoveRequest.objects.create(
        kind=MoveRequest.Kind.PERSON,
        household=a.household,
        nik=person.nik,
        relationship="child",
        reason="Pindah ikut keluarga",
        requested_by=a.batch.uploaded_by,
    )
    # Car owners: the worlds' draft rule (car_count >= 1) newly flags both families, so the
    # simulation's change list names them.
    Household.objects.filter(pk__in=[a.household.pk, b.household.pk]).update(car_count=1)
    return a, b


def _identifiers(world) -> set[str]:
    """What names a family on a page: its members' names and NIKs, its KK number whole."""
    found = {world.household.kk_number}
    for name, nik in world.household.members.values_list("name", "nik"):
        found |= {nik, name, html.escape(name)}
    return found


def _families_shown(content: str, worlds) -> set[int]:
    return {w.household.pk for w in worlds if any(i in content for i in _identifiers(w))}


def _logged(user, since: int) -> set[int]:
    rows = AccessRecord.objects.filter(user=user, pk__gt=since)
    return set(rows.values_list("household_id", flat=True))


def _last_record() -> int:
    return AccessRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_page_that_shows_a_family_logs_the_read(shown, margahayu):
    a, b = shown
    failures, showing_names = [], set()
    for role in LOGGED_ROLES:
        user = user_for(role, margahayu)
        own_notifications(user, a)
        client = client_for(user, role)
        for route in _page_routes():
            if not _allowed(role, route.name):
                continue
            read = READS.get(route.name)
            for query in read.queries if read is not None else ("",):
                url = url_for(route, a, user) + query.format(
                    head_name=a.household.head_name, household=a.household.pk
                )
                since, exports = _last_record(), ExportRecord.objects.count()
                response = client.get(url)
                where = f"{role:12} {route.name} {url}"
                if response.status_code not in EXPECTATIONS[route.name].ok:
                    failures.append(f"{where}: {response.status_code}")
                    continue
                content = b"".join(response).decode(errors="replace")
                families = _families_shown(content, (a, b))
                if read is None:
                    if families:
                        failures.append(f"{where}: shows {families} but is in NOT_READS")
                    continue
                if families:
                    showing_names.add(route.name)
                if read.export and role in ("verifikator", "data_steward", "admin"):
                    if ExportRecord.objects.count() != exports + 1:
                        failures.append(f"{where}: no export record")
                    continue
                expected = set(families)
                if role not in read.empty_for:
                    expected.add(a.household.pk)  # the record in the URL, or a row of the list
                logged = _logged(user, since)
                if expected - logged:
                    failures.append(f"{where}: shows {families}, logged {logged}")
    silent = {name for name, read in READS.items() if read.names} - showing_names
    failures += [f"{name}: in READS but showed no one's name or NIK" for name in sorted(silent)]
    assert not failures, "\n".join(failures)


def _admin_row(model, a):
    """A row of the model about world A's family."""
    if model._meta.model_name == "household":
        return a.household
    return model._default_manager.filter(household=a.household).order_by("pk").first()


def test_every_admin_page_that_shows_a_family_logs_the_read(shown, admin_user, client):
    a, b = shown
    ChangeRecord.objects.create(
        household=a.household,
        entity="household",
        object_id=a.household.pk,
        object_label=str(a.household),
        action=ChangeRecord.Action.UPDATED,
        actor=admin_user,
    )
    BreakGlassGrant.objects.create(
        user=a.batch.uploaded_by,
        kk_number=a.household.kk_number,
        household=a.household,
        reason="Darurat",
        expires_at=timezone.now(),
    )
    AccessRecord.objects.create(user=a.batch.uploaded_by, household=a.household, via="list")
    client.force_login(admin_user)
    failures = []
    for model in admin.site._registry:
        label = model._meta.label_lower
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        row = _admin_row(model, a) if label in ADMIN_READS else model._default_manager.first()
        for route in [r for r in checked_routes() if r.name.startswith(prefix)]:
            if route.name.endswith(("_add", "_delete", "_autocomplete")):
                continue
            if "object_id" in route.kwargs and row is None:
                continue
            pk = getattr(row, "pk", 0)
            url = fill(route, {"object_id": pk, "id": pk})
            since = _last_record()
            response = client.get(url)
            where = f"{route.name} {url}"
            if response.status_code != 200:
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                continue
            families = _families_shown(response.content.decode(), (a, b))
            logged = _logged(admin_user, since)
            if label not in ADMIN_READS:
                if families:
                    failures.append(f"{where}: shows {families} but is in ADMIN_NOT_READS")
                continue
            expected = set(families)
            if not route.name.endswith("_changelist") or label not in ADMIN_LISTS_NOT_LOGGED:
                expected.add(a.household.pk)
            if expected - logged:
                failures.append(f"{where}: shows {families}, logged {logged}")
            if set(AccessRecord.objects.filter(pk__gt=since).values_list("via", flat=True)) - {
                "admin"
            }:
                failures.append(f"{where}: logged other than via 'admin'")
    assert not failures, "\n".join(failures)


def test_only_the_selectors_write_the_access_log():
    """Pages, API and admin log through the selectors (shown_page, shown_rows, access_*),
    never by calling the log themselves: a call anywhere else fails here."""
    callers = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if path.parts[len(Path(settings.BASE_DIR).parts)] in ("tests", ".venv", "bench"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name | ast.Attribute):
                name = node.id if isinstance(node, ast.Name) else node.attr
                if name in ("log_household_reads", "log_household_read"):
                    callers.add(str(path.relative_to(settings.BASE_DIR)))
    # households/audit.py: the export log hands the households an export names to the same
    # writer; eligibility and referrals selectors log their single records (access_flag, ...).
    assert callers == {
        "households/selectors.py",
        "households/audit.py",
        "eligibility/selectors.py",
        "referrals/selectors.py",
    }
