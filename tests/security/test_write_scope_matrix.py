"""Write-scope matrix, generated from the URL conf like the read matrix (issue 16; DESIGN.md
"Writes too"; STYLE.md section 5): every URL that takes a POST (the read matrix's post-only and
form pages, the API's write actions) x every role x a record inside and outside the role's
scope, each with a *valid* body, so a refusal is the guard's and not the form's. (API routes
are found by their DRF actions: a viewset that starts taking a POST is a new write URL.) The roles
that may ask for emergency access hold an active grant for the outside record: a grant opens
a household to read, never to write.

Who may write comes from one table, households.roles (ROLE_PERMISSIONS and the write scopes),
read here through the same rules the app uses: a case is "allowed" when the role holds the
URL's permissions and its write scope reaches the record (for the agency's referral actions:
staff of the receiving agency). Then:

- allowed: the answer is no refusal (not 403/404/405, never a 500) and, for the cases whose
  body makes a change, the registry changed;
- refused: nothing changed at all (every table below), the answer is a refusal, a form shown
  again or a message; outside scope it is 403 or 404, the same as a read, so the write path
  tells nothing about the record.

Each request runs in a savepoint rolled back afterwards, so the two worlds stay as built. A new
write URL fails `test_every_write_url_is_in_the_write_matrix` until WRITES says who may use it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from dashboards.models import UnitCost
from eligibility.models import (
    CaseAssignment,
    CaseDecision,
    Flag,
    Graduation,
    ReviewDecision,
    Rule,
    RuleSet,
    Run,
)
from eligibility.services import rule_set_fingerprint
from households.models import (
    Assessment,
    BreakGlassGrant,
    ChangeRecord,
    Enrolment,
    Household,
    ImportBatch,
    Member,
    MoveRequest,
    PmksCategory,
    PmksClassification,
    Program,
    Region,
)
from households.roles import ROLE_PERMISSIONS, WRITES_CITY_WIDE, WRITES_IN_OWN_KELURAHAN
from national.models import Extract, KelurahanBatch, ReconciliationCase, Usulan, Visit
from referrals.models import (
    Attachment,
    Complaint,
    FollowUpVisit,
    NeedCategory,
    Notification,
    Plan,
    PlanGoal,
    PlanIntervention,
    Referral,
    ReferralEvent,
)
from tests.households.needs_inputs import api_assessment_body, assessment_post
from tests.households.posts import edit_post, form_data
from tests.security.matrix import (
    EXPECTATIONS,
    ROLES,
    checked_routes,
    client_for,
    is_admin_route,
    own_notifications,
    url_for,
    user_for,
)
from tests.security.world import World

pytestmark = pytest.mark.django_db

REASON = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim dari kelurahan."
CSV = (
    "No KK;NIK;Nama Lengkap;JK;Tgl Lahir;Hubungan;Alamat;RT;RW\n"
    "3275010502100077;3275011708850077;Budi Uji;L;17-08-1985;Kepala Keluarga;Jl. A;1;2\n"
)

# How the record named by a URL relates to the user's scope.
HOUSEHOLD = "household"  # write scope over the world's household (its kelurahan)
AGENCY = "agency"  # the receiving agency's staff act on the world's referral
REFERRAL = "referral"  # either side of the world's referral (the desk's kelurahan, the agency)
IMPORT = "import"  # the import batch of the world's desk: its kelurahan, or the whole city
ANY = "any"  # no record of a world: the permission decides (rules, costs, one's own token)


@dataclass(frozen=True)
class Write:
    perms: tuple[str, ...]
    kind: str
    body: Callable[[World, User], dict] = lambda world, user: {}
    changes: bool = True  # the valid body changes the registry when allowed
    json: bool = False  # an API action: a JSON body
    only: frozenset = field(default_factory=frozenset)  # ANY kind: roles besides the perms


def _edit(world: World, user) -> dict:
    household = Household.objects.get(pk=world.household.pk)
    return edit_post(household, household.kelurahan, address="Jl. Matriks 1")


def _create(world: World, user) -> dict:
    return form_data(world.kelurahan, [{"nik": "3275011708850099"}], kk_number="3275010502100099")


def _enrol(world: World, user) -> dict:
    taken = Enrolment.objects.filter(household=world.household).values("program")
    program = Program.objects.filter(level=Program.Level.HOUSEHOLD).exclude(pk__in=taken).first()
    return {"program": program.pk, "start_date": timezone.localdate().isoformat(), "member": ""}


def _referral(world: World, user) -> dict:
    category = NeedCategory.objects.filter(is_active=True).first()
    return {"category": category.pk, "description": "Butuh kursi roda", "priority": "normal"}


def _complaint(world: World, user) -> dict:
    return {"complainant_name": "Ibu Uji", "kelurahan": world.kelurahan.pk, "request": "Beras"}


def _upload(world: World, user) -> dict:
    return {"file": SimpleUploadedFile("rw.csv", CSV.encode()), "source_format": "slrt"}


def _attachment(world: World, user) -> dict:
    return {"file": SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n")}


def _api_referral(world: World, user) -> dict:
    category = NeedCategory.objects.filter(is_active=True).first()
    return {"household": world.household.pk, "category": category.code, "description": "Obat"}


def _flag_review(world: World, user) -> dict:
    return {"flags": [world.flag.pk], "decision": "dismissed", "reason": "Sudah diperiksa"}


def _case_decision(world: World, user) -> dict:
    """The world's one finding dismissed with a standard reason, its enrolment kept."""
    return {
        f"f{world.flag.pk}-decision": "dismissed",
        f"f{world.flag.pk}-reason": "outdated",
        f"f{world.flag.pk}-note": "",
        f"e{world.enrolment.pk}": "keep",
    }


def _move_away(world: World, user) -> dict:
    elsewhere = Region.objects.filter(level=Region.Level.KELURAHAN).exclude(pk=world.kelurahan.pk)
    return {"kind": "family", "family-to_kelurahan": elsewhere.first().pk, "family-reason": REASON}


def _activation(world: World, user) -> dict:
    return {"confirm": "on", "seen": rule_set_fingerprint(world.flag.rule.rule_set)}


def _assess(world: World, user) -> dict:
    return assessment_post(world.household)


def _api_assess(world: World, user) -> dict:
    return api_assessment_body(world.household)


def _pmks(world: World, user) -> dict:
    category = PmksCategory.objects.get(code="fakir-miskin")
    today = timezone.localdate().isoformat()
    return {"member": world.member.pk, "category": category.pk, "recorded_on": today}


def _api_pmks(world: World, user) -> dict:
    today = timezone.localdate().isoformat()
    return {"member": world.member.pk, "category": "fakir-miskin", "recorded_on": today}


def _today() -> str:
    return timezone.localdate().isoformat()


def _agreement(world: World, user) -> dict:
    return {"agreed_by": world.member.pk, "agreed_on": _today()}


def _own_step(world: World, user) -> dict:
    return {"kind": "own", "description": "Kunjungan rumah", "target_date": _today()}


def _api_own_step(world: World, user) -> dict:
    return {"plan": world.plan.pk, **_own_step(world, user)}


def _visit_result(world: World, user) -> dict:
    return {"result": "layak", "visited_on": timezone.localdate().isoformat(), "notes": "Layak"}


def _musyawarah(world: World, user) -> dict:
    return {
        "meeting_on": timezone.localdate().isoformat(),
        "attendees": "Lurah, RW 05",
        "minutes": SimpleUploadedFile("ba.pdf", b"%PDF-1.4\n%%EOF\n"),
    }


def _dtsen_upload(world: World, user) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    member = world.member
    row = (
        f"{world.household.kk_number};{member.nik};{member.name};"
        f"{member.birth_date:%d-%m-%Y};{world.kelurahan.code};2\n"
    )
    content = ("No KK;NIK;Nama;Tanggal Lahir;Kelurahan;Desil\n" + row).encode()
    return {"file": SimpleUploadedFile("dtsen.csv", content), "as_of": "2026-09-30"}


def _grant_review(world: World, user) -> dict:
    return {"decision": "justified", "note": ""}


def _propose(world: World, user) -> dict:
    return {"kind": "mandiri", "evidence": "Keluarga menyatakan sudah mandiri."}


def _api_propose(world: World, user) -> dict:
    return {"household": world.household.pk, **_propose(world, user)}


def _reject(world: World, user) -> dict:
    return {"decision": "reject", "note": "Belum ada bukti penghasilan tetap."}


WRITES: dict[str, Write] = {
    # the registry: the household's kelurahan must be in the writer's scope
    "households:household_create": Write(("households.add_household",), HOUSEHOLD, _create),
    "households:household_edit": Write(("households.change_household",), HOUSEHOLD, _edit),
    "households:household_location": Write(
        ("households.change_household",),
        HOUSEHOLD,
        lambda world, user: {"latitude": "-6.25", "longitude": "107.01"},
    ),
    "households:enrolment_create": Write(("households.add_enrolment",), HOUSEHOLD, _enrol),
    "households:enrolment_status": Write(
        ("households.change_enrolment",), HOUSEHOLD, lambda world, user: {"status": "suspended"}
    ),
    "referrals:referral_create": Write(("referrals.add_referral",), HOUSEHOLD, _referral),
    "referrals:complaint_create": Write(("referrals.add_complaint",), HOUSEHOLD, _complaint),
    # imports: upload and cancel are the importers' (the steward too); confirming writes
    "households:import_upload": Write(("households.add_importbatch",), ANY, _upload),
    # national data (issue 22): extracts are the city's (no kelurahan); a case is closed by
    # those who write in its kelurahan
    "national:extract_list": Write(("national.import_extract",), ANY, _dtsen_upload),
    # visits and usulan (issue 22): a case becomes a visit and a visit is done where the
    # family is; the desk agrees its kelurahan's batch; the Verifikator sends and answers
    "national:visit_schedule": Write(("national.add_visit",), HOUSEHOLD),
    "national:visit_detail": Write(("national.change_visit",), HOUSEHOLD, _visit_result),
    "national:kelurahan_batch_detail": Write(
        ("national.agree_kelurahanbatch",), HOUSEHOLD, _musyawarah
    ),
    "national:usulan_batch_list": Write(
        ("national.add_usulanbatch",),
        ANY,
        changes=False,  # nothing agreed is waiting
    ),
    "national:usulan_decide": Write(
        ("national.decide_usulan",), HOUSEHOLD, lambda world, user: {"status": "diterima"}
    ),
    "national:case_close": Write(
        ("national.close_case",), HOUSEHOLD, lambda world, user: {"note": "Sudah dikunjungi"}
    ),
    "households:import_confirm": Write(
        ("households.add_importbatch", "households.change_household"), IMPORT
    ),
    "households:import_cancel": Write(("households.add_importbatch",), IMPORT),
    # emergency access: asked for outside one's scope (that is what it is for); reviewed by
    # the Verifikator
    "households:break_glass_request": Write(
        ("households.request_breakglassgrant",),
        ANY,
        lambda world, user: {"kk_number": world.household.kk_number, "reason": REASON},
        changes=False,  # inside scope it is refused as needless; outside it opens
    ),
    "households:break_glass_review": Write(
        ("households.review_breakglassgrant",), ANY, _grant_review
    ),
    # moves across kelurahan: asked for in the family's kelurahan, decided by the Verifikator
    "households:move_request": Write(("households.add_moverequest",), HOUSEHOLD, _move_away),
    "households:move_decide": Write(
        ("households.decide_moverequest",),
        ANY,
        lambda world, user: {"decision": "reject", "note": "Belum ada surat pindah"},
    ),
    # needs assessment and PMKS (issue 21): in the household's kelurahan
    "households:assessment_create": Write(("households.add_assessment",), HOUSEHOLD, _assess),
    "assessment-list": Write(("households.add_assessment",), HOUSEHOLD, _api_assess, json=True),
    "households:pmks_record": Write(("households.add_pmksclassification",), HOUSEHOLD, _pmks),
    "pmks-classification-list": Write(
        ("households.add_pmksclassification",), HOUSEHOLD, _api_pmks, json=True
    ),
    "households:pmks_end": Write(
        ("households.change_pmksclassification",),
        HOUSEHOLD,
        lambda world, user: {"ended_on": timezone.localdate().isoformat()},
    ),
    # the family's plan (issue 21): made and followed in the household's kelurahan; a new plan
    # for a family that has one answers with the plan (the guard is what is tested)
    "referrals:plan_create": Write(
        ("referrals.add_plan",),
        HOUSEHOLD,
        lambda world, user: {"made_on": _today()},
        changes=False,
    ),
    "plan-list": Write(
        ("referrals.add_plan",),
        HOUSEHOLD,
        lambda world, user: {"household": world.household.pk, "made_on": _today()},
        json=True,
        changes=False,
    ),
    "referrals:plan_agree": Write(("referrals.change_plan",), HOUSEHOLD, _agreement),
    "referrals:goal_add": Write(
        ("referrals.change_plan",), HOUSEHOLD, lambda world, user: {"text": "Anak sekolah"}
    ),
    "referrals:intervention_add": Write(("referrals.change_plan",), HOUSEHOLD, _own_step),
    "plan-intervention-list": Write(
        ("referrals.change_plan",), HOUSEHOLD, _api_own_step, json=True
    ),
    "referrals:intervention_progress": Write(
        ("referrals.change_plan",), HOUSEHOLD, lambda world, user: {"progress": "done"}
    ),
    "plan-intervention-progress": Write(
        ("referrals.change_plan",),
        HOUSEHOLD,
        lambda world, user: {"progress": "done"},
        json=True,
    ),
    "referrals:visit_add": Write(
        ("referrals.change_plan",),
        HOUSEHOLD,
        lambda world, user: {"visited_on": _today(), "notes": "Keluarga ditemui di rumah"},
    ),
    # referrals: the receiving agency acts; either side adds documents
    "referrals:referral_transition": Write(
        ("referrals.act_on_referral",), AGENCY, lambda world, user: {"action": "accept"}
    ),
    "referral-transition": Write(
        ("referrals.act_on_referral",),
        AGENCY,
        lambda world, user: {"action": "accept"},
        json=True,
    ),
    "referrals:assign": Write(
        ("referrals.act_on_referral",),
        AGENCY,
        lambda world, user: {"referrals": [world.referral.pk], "assignee": getattr(user, "pk", 0)},
        changes=False,  # only an accepted referral is assigned; the guard is what is tested
    ),
    "referrals:attachment_upload": Write(("referrals.view_referral",), REFERRAL, _attachment),
    "referrals:attachment_remove": Write(
        ("referrals.view_referral",),
        REFERRAL,
        changes=False,  # only its uploader removes a document; the guard is what is tested
    ),
    "referrals:complaint_follow_up": Write(
        ("referrals.add_complaint",),
        HOUSEHOLD,  # the desk of the complaint's kelurahan
        lambda world, user: {"follow_up_on": "2027-01-15"},
    ),
    "referral-list": Write(  # POST: raise a referral through the API
        ("referrals.add_referral",), HOUSEHOLD, _api_referral, json=True
    ),
    # eligibility: the Verifikator decides, city-wide
    "eligibility:flag_review": Write(("eligibility.review_flag",), ANY, _flag_review),
    "eligibility-flag-review": Write(
        ("eligibility.review_flag",), ANY, _flag_review, json=True, only=frozenset()
    ),
    # a household's review case (issue 20): decided in the household's write scope
    "eligibility:case_decide": Write(("eligibility.review_flag",), HOUSEHOLD, _case_decision),
    "eligibility:case_assign": Write(
        ("eligibility.review_flag",),
        HOUSEHOLD,
        lambda world, user: {"assignee": getattr(user, "pk", 0)},  # to oneself
    ),
    "eligibility:run_start": Write(("eligibility.start_run",), ANY, changes=False),
    # graduation (issue 21 part 4): proposed where one writes (the world's family already has
    # a proposal waiting, so an allowed proposal is answered "already proposed": the guard is
    # what is tested here, tests/eligibility/test_graduation_views.py the rest); decided by
    # the Verifikator in the household's write scope
    "eligibility:graduation_propose": Write(
        ("eligibility.propose_graduation",), HOUSEHOLD, _propose, changes=False
    ),
    "eligibility-graduation-propose": Write(
        ("eligibility.propose_graduation",), HOUSEHOLD, _api_propose, json=True, changes=False
    ),
    "eligibility:graduation_decide": Write(("eligibility.decide_graduation",), HOUSEHOLD, _reject),
    "eligibility-graduation-decide": Write(
        ("eligibility.decide_graduation",), HOUSEHOLD, _reject, json=True
    ),
    # rule changes (issue 20): a draft with its reason (the world's draft is open, so the
    # same one comes back), its reason rewritten, the draft discarded, or activated after
    # the confirmation of what was read
    "eligibility:ruleset_create_draft": Write(
        ("eligibility.add_ruleset",),
        ANY,
        lambda world, user: {"reason": "Golongan daya PLN berubah"},
        changes=False,
    ),
    "eligibility:ruleset_reason": Write(
        ("eligibility.add_ruleset",), ANY, lambda world, user: {"reason": "Alasan yang diperbaiki"}
    ),
    "eligibility:ruleset_discard": Write(
        ("eligibility.add_ruleset",), ANY, lambda world, user: {"confirm": "on"}
    ),
    "eligibility:ruleset_activate": Write(("eligibility.activate_ruleset",), ANY, _activation),
    "eligibility:rule_edit": Write(("eligibility.change_rule",), ANY, changes=False),
    # one's own things, and the planner's unit costs
    "accounts:api_token": Write((), ANY, changes=False),
    "accounts:api_token_revoke": Write((), ANY, changes=False),
    "notifications:notification_read_all": Write((), ANY, changes=False),
    "dashboards:unit_costs_edit": Write(("dashboards.change_unitcost",), ANY, changes=False),
}
NOT_WRITES = {"logout"}  # ends one's own session


def _api_writes() -> set[str]:
    """URL names of the API routes that take a POST, PUT, PATCH or DELETE (DRF's actions)."""
    names: set[str] = set()

    def walk(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry)
            elif set(getattr(entry.callback, "actions", None) or ()) & WRITE_METHODS:
                names.add(entry.name)

    walk(get_resolver())
    return names


WRITE_METHODS = {"post", "put", "patch", "delete"}


def _write_routes():
    api = _api_writes()
    for route in checked_routes():
        if is_admin_route(route) or route.name in NOT_WRITES:
            continue
        expect = EXPECTATIONS.get(route.name)
        if route.name in api or (expect is not None and (expect.post_only or expect.form)):
            yield route


def test_every_write_url_is_in_the_write_matrix():
    missing = [
        f"{route.name} ({route.regex}): add it to WRITES in "
        "tests/security/test_write_scope_matrix.py with its permissions and scope"
        for route in _write_routes()
        if route.name not in WRITES
    ]
    stale = set(WRITES) - {route.name for route in _write_routes()}
    missing += [f"{name}: in WRITES but no longer a write URL; remove it" for name in stale]
    assert not missing, "\n".join(missing)


# --- who may, from households.roles -------------------------------------------------------


def _holds(role: str, perms: tuple[str, ...]) -> bool:
    return role == "admin" or set(perms) <= set(ROLE_PERMISSIONS.get(role, ()))


def _allowed(role: str, write: Write, *, inside: bool) -> bool:
    if role == "anonymous" or not _holds(role, write.perms):
        return False
    if write.kind == ANY:
        return True
    if write.kind == AGENCY:
        return role == "petugas_opd" and inside
    if write.kind == REFERRAL:
        return inside and role in ("pendamping", "operator_puskesos", "petugas_opd", "admin")
    if write.kind == IMPORT and "households.change_household" not in write.perms:
        return inside
    if role in WRITES_CITY_WIDE:
        return True
    return inside and role in WRITES_IN_OWN_KELURAHAN


# --- what "nothing changed" means: every table a write could touch --------------------------


def _state() -> tuple:
    return (
        list(Household.objects.values_list("pk", "version", "kelurahan_id", "address")),
        list(Member.objects.values_list("pk", "household_id", "relationship", "name")),
        list(Enrolment.objects.values_list("pk", "status")),
        list(Referral.objects.values_list("pk", "status", "assignee_id", "agency_id")),
        ReferralEvent.objects.count(),
        list(Attachment.objects.values_list("pk", flat=True)),
        list(Complaint.objects.values_list("pk", "status", "follow_up_on")),
        list(ImportBatch.objects.values_list("pk", "status")),
        list(Flag.objects.values_list("pk", "status", "decision")),
        ReviewDecision.objects.count(),
        CaseDecision.objects.count(),
        list(CaseAssignment.objects.values_list("household_id", "assignee_id")),
        list(BreakGlassGrant.objects.values_list("pk", "decision")),
        list(MoveRequest.objects.values_list("pk", "status")),
        list(Notification.objects.values_list("pk", "read_at")),
        list(Token.objects.values_list("user_id", "key")),
        list(UnitCost.objects.values_list("pk", "amount")),
        list(RuleSet.objects.values_list("pk", "status", "reason")),
        list(Rule.objects.values_list("pk", "version", "condition")),
        Run.objects.count(),
        ChangeRecord.objects.count(),
        list(Assessment.objects.values_list("pk", "version")),
        list(PmksClassification.objects.values_list("pk", "ended_on", "ended_by")),
        list(Plan.objects.values_list("pk", "agreed_by", "agreed_on")),
        PlanGoal.objects.count(),
        list(PlanIntervention.objects.values_list("pk", "own_progress")),
        FollowUpVisit.objects.count(),
        list(Graduation.objects.values_list("pk", "status")),
        list(Extract.objects.values_list("pk", "status")),
        list(ReconciliationCase.objects.values_list("pk", "status")),
        list(Visit.objects.values_list("pk", "result")),
        list(KelurahanBatch.objects.values_list("pk", "status", "usulan_batch_id")),
        list(Usulan.objects.values_list("pk", "status")),
    )


def _post(client, route, world: World, user, write: Write):
    url = url_for(route, world, user)
    body = write.body(world, user)
    if write.json:
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


REFUSED = {403, 404, 405}
CITY_WIDE_READERS = {"verifikator", "data_steward", "admin"}


def _case(role, route, write: Write, client, user, world: World, inside: bool) -> str | None:
    where = f"{role:18} {'in ' if inside else 'out'} {route.name}"
    with transaction.atomic():
        before = _state()
        response = _post(client, route, world, user, write)
        changed = _state() != before
        transaction.set_rollback(True)
    status = response.status_code
    if status >= 500:
        return f"{where}: {status} (a server error)"
    if _allowed(role, write, inside=inside):
        if status in REFUSED:
            return f"{where}: {status}, but the role table allows it"
        if write.changes and not changed:
            return f"{where}: {status}, allowed but nothing changed (is the body still valid?)"
        return None
    if changed:
        return f"{where}: {status} and the registry CHANGED, though the role table refuses it"
    named = bool(route.kwargs)  # the record is in the URL (else in the body: a form error)
    if not inside and named and _holds(role, write.perms) and status not in (403, 404):
        return f"{where}: {status} outside scope, expected 404 like a read"
    if status not in REFUSED | {200, 302, 400, 401}:
        return f"{where}: {status}, expected a refusal"
    return None


def _grant_for_review(world: World) -> BreakGlassGrant:
    asker = User.objects.get(username="desk_a")
    return BreakGlassGrant.objects.create(
        user=asker,
        kk_number=world.household.kk_number,
        household=world.household,
        reason=REASON,
        created_at=timezone.now(),
        expires_at=timezone.now(),
    )


def _move_for_decision(world: World) -> MoveRequest:
    """A person's move (the family's own move is what the matrix asks for itself)."""
    return MoveRequest.objects.create(
        kind=MoveRequest.Kind.PERSON,
        household=world.household,
        nik="3275014101100099",
        relationship=Member.Relationship.CHILD,
        reason=REASON,
        requested_by=User.objects.get(username="desk_a"),
    )


def _open_by_emergency_access(world: World, user) -> None:
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=user,
        kk_number=world.household.kk_number,
        household=world.household,
        reason=REASON,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )


def test_write_scope_matrix(worlds, margahayu):
    """Every role in one test (the worlds are built once); failures name role, inside or
    outside, and URL."""
    from tests.security import matrix

    a, b = worlds
    grant = _grant_for_review(a)
    kwargs = matrix.KWARGS
    saved = dict(kwargs)
    kwargs[("households:break_glass_review", "pk")] = lambda world, user: grant.pk
    move = _move_for_decision(a)
    kwargs[("households:move_decide", "pk")] = lambda world, user: move.pk
    kwargs[("eligibility:ruleset_activate", "pk")] = lambda w, u: w.flag.rule.rule_set_id
    try:
        failures = []
        routes = {route.name: route for route in _write_routes()}
        for role in ROLES:
            user = user_for(role, margahayu)
            own_notifications(user, a)
            if user is not None and user.has_perm("households.request_breakglassgrant"):
                _open_by_emergency_access(b, user)  # read-only: B's writes stay refused
            client = client_for(user, role)
            for name, write in WRITES.items():
                route = routes[name]
                failures.append(_case(role, route, write, client, user, a, True))
                if write.kind != ANY and role != "anonymous":
                    # B is outside everyone's scope but the city-wide roles'
                    inside_b = role in CITY_WIDE_READERS
                    failures.append(_case(role, route, write, client, user, b, inside_b))
    finally:
        kwargs.clear()
        kwargs.update(saved)
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)
