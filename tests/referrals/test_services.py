"""The referral state machine: every legal and illegal transition, who may take each action,
reasons and outcomes, deadlines across transfers, and the accept race."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from households.models import Agency
from referrals import sla
from referrals.models import (
    AGENCY_ACTIONS,
    TRANSITIONS,
    Action,
    NeedCategory,
    Priority,
    Referral,
    ReferralEvent,
    Status,
)
from referrals.services import raise_referral, transition_referral
from slrt.db import is_postgresql
from tests.households.factories import persona

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)
ALL_STATUSES = [
    "draft", "submitted", "accepted", "in_progress", "returned", "rejected", "resolved", "closed"
]  # fmt: skip


@pytest.fixture
def referral(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu,
        category=health,
        description="Kartu JKN nenek belum aktif",
        by=operator,
        submit=False,
    )


def _actor(action, operator, petugas_dinkes):
    return petugas_dinkes if action in AGENCY_ACTIONS else operator


def _put(referral, status):
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


def _take(referral, action, by, **extra):
    defaults = {"note": "catatan"}
    if action == Action.RESOLVE:
        defaults["outcome"] = "served"
    if action == Action.TRANSFER:
        defaults["to_agency"] = Agency.objects.get(code="dinsos")
    return transition_referral(
        referral=referral, action=action, by=by, today=TODAY, **{**defaults, **extra}
    )


# The state machine of DESIGN.md, written out by hand: (action, from) -> to. TRANSITIONS must
# say exactly this; a test built from TRANSITIONS itself would pass a wrong entry. "previous":
# a returned referral sent again resumes the status it was returned from (issue 18, point 6).
EXPECTED_TRANSITIONS = {
    ("submit", "draft"): "submitted",
    ("resubmit", "returned"): "previous",
    ("accept", "submitted"): "accepted",
    ("start", "accepted"): "in_progress",
    ("return", "submitted"): "returned",
    ("return", "accepted"): "returned",
    ("return", "in_progress"): "returned",
    ("reject", "submitted"): "rejected",
    ("reject", "accepted"): "rejected",
    ("transfer", "submitted"): "submitted",
    ("transfer", "accepted"): "submitted",
    ("transfer", "in_progress"): "submitted",
    ("resolve", "accepted"): "resolved",
    ("resolve", "in_progress"): "resolved",
    ("close", "resolved"): "closed",
}
ALL_ACTIONS = [
    "submit", "resubmit", "accept", "start", "return", "reject", "transfer", "resolve", "close"
]  # fmt: skip
# Where a return may come from, and so where sending it again leads back to: written out too.
EXPECTED_RESUMES = {"submitted": "submitted", "accepted": "accepted", "in_progress": "in_progress"}
LEGAL = list(EXPECTED_TRANSITIONS)
ILLEGAL = [
    (action, source)
    for action in ALL_ACTIONS
    for source in ALL_STATUSES
    if (action, source) not in EXPECTED_TRANSITIONS
]


def test_the_transition_table_is_the_designed_state_machine():
    assert sorted(Action.values) == sorted(ALL_ACTIONS)
    assert sorted(Status.values) == sorted(ALL_STATUSES)
    table = {
        (action, source): target
        for action, (sources, target) in TRANSITIONS.items()
        for source in sources
    }
    assert table == EXPECTED_TRANSITIONS


def _returned_from(referral, status, on=TODAY):
    """`referral` as the agency returned it from `status` on `on` (its event row included)."""
    Referral.objects.filter(pk=referral.pk).update(due_date=on + timedelta(days=14))
    _put(referral, Status.RETURNED)
    ReferralEvent.objects.create(
        referral=referral,
        action=Action.RETURN,
        from_status=status,
        to_status=Status.RETURNED,
        note="Nomor BPJS lama?",
        created_at=timezone.make_aware(datetime.combine(on, time(10))),
    )
    return referral


@pytest.mark.parametrize(("action", "source"), LEGAL)
def test_every_legal_transition_moves_and_records_one_event(
    referral, operator, petugas_dinkes, action, source
):
    _put(referral, source)
    expected = EXPECTED_TRANSITIONS[(action, source)]
    if expected == "previous":
        _returned_from(referral, Status.IN_PROGRESS)
        expected = "in_progress"
    moved = _take(referral, action, _actor(action, operator, petugas_dinkes))
    assert moved.status == expected
    event = ReferralEvent.objects.filter(referral=referral).last()
    assert referral.events.filter(action=action).count() == 1
    assert (event.action, event.from_status, event.to_status) == (action, source, moved.status)
    assert event.actor in (operator, petugas_dinkes)


def test_the_statuses_a_return_comes_from_are_those_a_resubmission_resumes():
    assert set(TRANSITIONS[Action.RETURN][0]) == set(EXPECTED_RESUMES)


@pytest.mark.parametrize("left", list(EXPECTED_RESUMES))
def test_a_returned_referral_sent_again_resumes_where_it_left_with_its_officer(
    referral, operator, petugas_dinkes, left
):
    submitted = _take(referral, Action.SUBMIT, operator)  # due TODAY + 14
    if left in ("accepted", "in_progress"):
        _take(submitted, Action.ACCEPT, petugas_dinkes)
    if left == "in_progress":
        _take(submitted, Action.START, petugas_dinkes)
    returned = _take(submitted, Action.RETURN, petugas_dinkes, note="Nomor BPJS lama?")
    returned.events.filter(action=Action.RETURN).update(
        created_at=timezone.make_aware(datetime.combine(TODAY, time(10)))
    )
    # when: the desk answers five days later
    later = TODAY + timedelta(days=5)
    resumed = transition_referral(
        referral=returned, action=Action.RESUBMIT, by=operator, note="0001234567890", today=later
    )
    # then: the same agency and officer, in the same state, the clock paused while it waited
    assert resumed.status == EXPECTED_RESUMES[left]
    assert resumed.agency.code == "dinkes"
    assert resumed.assignee == (None if left == "submitted" else petugas_dinkes)
    assert resumed.due_date == TODAY + timedelta(days=14 + 5)
    event = resumed.events.last()
    assert (event.action, event.from_status, event.to_status) == ("resubmit", "returned", left)
    assert event.note == "0001234567890"


def test_a_returned_referral_without_a_recorded_return_arrives_as_new(referral, operator):
    _put(referral, Status.RETURNED)  # a row from before events were kept
    resumed = _take(referral, Action.RESUBMIT, operator)
    assert (resumed.status, resumed.due_date) == (Status.SUBMITTED, TODAY + timedelta(days=14))


def test_a_returned_referral_is_no_longer_submitted_afresh(referral, operator):
    _returned_from(referral, Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        _take(referral, Action.SUBMIT, operator)
    assert refused.value.code == "invalid_transition"


def test_the_resumed_deadline_adds_the_days_at_the_origin():
    due = date(2026, 11, 16)
    assert sla.resumed_due_date(
        due=due, paused_on=date(2026, 11, 10), today=date(2026, 11, 13)
    ) == (date(2026, 11, 19))
    assert (
        sla.resumed_due_date(due=due, paused_on=date(2026, 11, 10), today=date(2026, 11, 10)) == due
    )


@pytest.mark.parametrize(("action", "source"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message(
    referral, operator, petugas_dinkes, action, source
):
    _put(referral, source)
    with pytest.raises(ValidationError) as refused:
        _take(referral, action, _actor(action, operator, petugas_dinkes))
    assert refused.value.code == "invalid_transition"
    assert Referral.objects.get(pk=referral.pk).status == source
    assert not ReferralEvent.objects.exists()


def test_raising_submits_to_the_default_agency_with_its_deadline(
    household_in_margahayu, health, operator
):
    referral = raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )
    assert referral.status == Status.SUBMITTED
    assert referral.agency.code == "dinkes"
    assert referral.origin_user == operator
    assert referral.origin_kelurahan == household_in_margahayu.kelurahan
    assert referral.events.get().action == Action.SUBMIT


def test_transfer_restarts_the_deadline_at_the_new_agency(referral, operator, petugas_dinkes):
    submitted = transition_referral(
        referral=referral, action=Action.SUBMIT, by=operator, today=TODAY
    )
    assert submitted.due_date == TODAY + timedelta(days=14)
    later = TODAY + timedelta(days=10)
    moved = transition_referral(
        referral=submitted,
        action=Action.TRANSFER,
        by=petugas_dinkes,
        note="Bukan kesehatan: bantuan sosial",
        to_agency=Agency.objects.get(code="dinsos"),
        today=later,
    )
    assert (moved.status, moved.agency.code) == (Status.SUBMITTED, "dinsos")
    assert moved.due_date == later + timedelta(days=14)
    assert moved.assignee is None
    event = moved.events.get(action=Action.TRANSFER)
    assert (event.from_agency.code, event.to_agency.code) == ("dinkes", "dinsos")


def test_deadline_arithmetic():
    assert sla.due_date(received=date(2026, 12, 25), days=7) == date(2027, 1, 1)
    assert sla.days_overdue(due=date(2026, 12, 1), today=date(2026, 12, 1)) == 0
    assert sla.days_overdue(due=date(2026, 12, 1), today=date(2026, 12, 4)) == 3
    with pytest.raises(ValueError, match="at least one day"):
        sla.due_date(received=TODAY, days=0)


def test_another_agency_and_the_origin_cannot_take_agency_actions(
    referral, operator, pendamping, petugas_disdik
):
    _put(referral, Status.SUBMITTED)
    for outsider in (petugas_disdik, operator, pendamping):
        with pytest.raises(ValidationError) as refused:
            _take(referral, Action.ACCEPT, outsider)
        assert refused.value.code == "not_receiving_agency"


def test_only_the_origin_side_submits_and_closes(referral, petugas_dinkes, bintara):
    desk_elsewhere = persona("operator_puskesos", kelurahan=[bintara], username="budi")
    for outsider in (petugas_dinkes, desk_elsewhere):
        with pytest.raises(ValidationError) as refused:
            _take(referral, Action.SUBMIT, outsider)
        assert refused.value.code == "not_origin"


def test_a_desk_colleague_in_the_same_kelurahan_may_submit(referral, margahayu):
    colleague = persona("operator_puskesos", kelurahan=[margahayu], username="ani")
    assert _take(referral, Action.SUBMIT, colleague).status == Status.SUBMITTED


@pytest.mark.parametrize("action", [Action.RETURN, Action.REJECT, Action.RESOLVE])
def test_return_reject_and_resolve_need_a_note(referral, petugas_dinkes, action):
    _put(referral, Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        _take(referral, action, petugas_dinkes, note="  ")
    assert refused.value.code == "note_required"


def test_closing_needs_a_note_from_the_origin(referral, operator):
    _put(referral, Status.RESOLVED)
    with pytest.raises(ValidationError) as refused:
        _take(referral, Action.CLOSE, operator, note=" ")
    assert refused.value.code == "note_required"
    closed = _take(referral, Action.CLOSE, operator, note="Kartu JKN sudah diterima keluarga")
    assert closed.events.get(action=Action.CLOSE).note == "Kartu JKN sudah diterima keluarga"


def test_resolve_needs_an_outcome(referral, petugas_dinkes):
    _put(referral, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        _take(referral, Action.RESOLVE, petugas_dinkes, outcome="")
    assert refused.value.code == "outcome_required"
    resolved = _take(referral, Action.RESOLVE, petugas_dinkes, outcome="not_eligible")
    assert (resolved.outcome, resolved.resolved_at is not None) == ("not_eligible", True)


def test_the_second_accept_is_told_who_took_it(referral, operator, petugas_dinkes):
    colleague = persona("petugas_opd", agency_code="dinkes", username="ibu_sari_2")
    submitted = _take(referral, Action.SUBMIT, operator)
    stale_copy = Referral.objects.get(pk=submitted.pk)  # opened by the colleague meanwhile
    _take(submitted, Action.ACCEPT, petugas_dinkes)
    with pytest.raises(ValidationError) as refused:
        _take(stale_copy, Action.ACCEPT, colleague)
    assert refused.value.code == "taken"
    assert petugas_dinkes.get_full_name() in refused.value.messages[0]
    assert Referral.objects.get(pk=referral.pk).assignee == petugas_dinkes
    assert referral.events.filter(action=Action.ACCEPT).count() == 1


def test_overdue_is_derived_from_the_deadline(referral, operator):
    submitted = _take(referral, Action.SUBMIT, operator)  # due TODAY + 14
    after = submitted.due_date + timedelta(days=2)
    assert list(Referral.objects.overdue(today=after)) == [submitted]
    assert not Referral.objects.overdue(today=submitted.due_date).exists()
    assert submitted.days_overdue(today=after) == 2
    _put(submitted, Status.RETURNED)  # waiting for the origin: not the agency's delay
    assert not Referral.objects.overdue(today=after).exists()


@pytest.mark.skipif(not is_postgresql(), reason="row locking between connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_from_two_connections_one_wins(
    household_in_margahayu, health, operator, petugas_dinkes
):
    colleague = persona("petugas_opd", agency_code="dinkes", username="ibu_sari_2")
    referral = raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def accept(user):
        try:
            mine = Referral.objects.get(pk=referral.pk)  # both read "submitted"
            start.wait()
            transition_referral(referral=mine, action=Action.ACCEPT, by=user)
            results[user.username] = "accepted"
        except ValidationError as error:
            results[user.username] = error.code
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=accept, args=(u,)) for u in (petugas_dinkes, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["accepted", "taken"]
    assert Referral.objects.get(pk=referral.pk).events.filter(action=Action.ACCEPT).count() == 1


def test_the_need_categories_of_the_issue_are_seeded_with_agency_and_deadline(reference_data):
    seeded = {c.code: (c.default_agency.code, c.deadline_days) for c in NeedCategory.objects.all()}
    assert seeded["kesehatan"] == ("dinkes", 14)
    assert seeded["pendidikan"][0] == "disdik"
    assert seeded["rutilahu"][0] == "disperkimtan"
    assert seeded["pekerjaan"][0] == "disnaker"
    assert seeded["adminduk"][0] == "disdukcapil"
    assert seeded["sosial"][0] == "dinsos"


def test_every_need_category_has_a_shorter_deadline_when_urgent(reference_data):
    urgent = dict(NeedCategory.objects.values_list("code", "urgent_deadline_days"))
    assert (urgent["kesehatan"], urgent["adminduk"], urgent["rutilahu"]) == (3, 3, 14)
    for category in NeedCategory.objects.all():
        assert 1 <= category.urgent_deadline_days <= category.deadline_days


def test_an_urgent_deadline_longer_than_the_normal_one_is_refused(health):
    health.urgent_deadline_days = health.deadline_days + 1
    with pytest.raises(ValidationError):
        health.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        health.save(update_fields=["urgent_deadline_days"])


def test_an_urgent_referral_gets_the_categorys_urgent_deadline_also_after_a_transfer(
    household_in_margahayu, health, operator, petugas_dinkes
):
    urgent = raise_referral(
        household=household_in_margahayu,
        category=health,
        description="Sesak napas, belum punya JKN",
        by=operator,
        priority=Priority.URGENT,
        submit=False,
    )
    submitted = _take(urgent, Action.SUBMIT, operator)
    assert submitted.due_date == TODAY + timedelta(days=health.urgent_deadline_days)
    later = TODAY + timedelta(days=1)
    moved = transition_referral(
        referral=submitted,
        action=Action.TRANSFER,
        by=petugas_dinkes,
        note="Bantuan sosial",
        to_agency=Agency.objects.get(code="dinsos"),
        today=later,
    )
    assert moved.due_date == later + timedelta(days=health.urgent_deadline_days)
    normal = raise_referral(
        household=household_in_margahayu, category=health, description="Kacamata", by=operator
    )
    assert normal.due_date == timezone.localdate() + timedelta(days=health.deadline_days)


def test_the_queue_order_puts_urgent_first_then_the_earliest_deadline(referral, operator):
    def make(priority, days):
        return Referral.objects.create(
            household=referral.household,
            category=referral.category,
            description="x",
            priority=priority,
            origin_user=operator,
            agency=referral.agency,
            status=Status.SUBMITTED,
            due_date=TODAY + timedelta(days=days),
        )

    late_normal, soon_normal = make(Priority.NORMAL, 9), make(Priority.NORMAL, 1)
    late_urgent, soon_urgent = make(Priority.URGENT, 3), make(Priority.URGENT, 2)
    ordered = list(Referral.objects.exclude(pk=referral.pk).urgent_first())
    assert ordered == [soon_urgent, late_urgent, soon_normal, late_normal]
