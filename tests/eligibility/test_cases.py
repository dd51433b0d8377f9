"""Issue 20: one review case per household, decided once; receipts that explain; the queue's
filters; the removal mark on the enrolment."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from eligibility.models import CaseAssignment, CaseDecision, Consequence, Flag, ReviewDecision
from eligibility.presenters import expanded_conditions, explain, flag_values
from eligibility.services import FindingChoice, assign_case, decide_case, run_eligibility
from households.exports import household_table
from households.models import ChangeRecord, Enrolment, Household, Program
from households.services import change_enrolment_status
from tests.households.factories import EnrolmentFactory, household_with_members

pytestmark = pytest.mark.django_db


def _family(kelurahan, *, program: str | None = "pkh", **facts) -> Household:
    household = household_with_members(kelurahan, size=3, welfare_decile=7, **facts)
    if program:
        EnrolmentFactory(household=household, program=Program.objects.get(code=program))
    return household


@pytest.fixture
def family(margahayu) -> Household:
    """Household 327 of the issue: a car, 2,200 VA, PKH; flagged by three rules."""
    household = _family(margahayu, car_count=1, electricity_va=2200)
    run_eligibility()
    return household


def _flags(household: Household) -> dict[str, Flag]:
    return {f.rule_code: f for f in Flag.objects.open().filter(household=household)}


def _enrolment(household: Household, code: str = "pkh") -> Enrolment:
    return Enrolment.objects.get(household=household, program__code=code)


def _decide_the_journey(household: Household, by) -> CaseDecision:
    """Car confirmed, PKH recommended for removal, electricity dismissed as data lama."""
    flags = _flags(household)
    findings = {
        flags["car_owner"].pk: FindingChoice("confirmed"),
        flags["electricity_high"].pk: FindingChoice("dismissed", reason_code="outdated"),
        flags["aid_but_excluded"].pk: FindingChoice("confirmed"),
    }
    return decide_case(
        household=household,
        findings=findings,
        consequences={_enrolment(household).pk: "remove"},
        by=by,
    )


def test_the_family_is_flagged_by_three_rules(family):
    assert set(_flags(family)) == {"car_owner", "electricity_high", "aid_but_excluded"}


# --- the case, decided once ---------------------------------------------------------------------


def test_a_case_is_decided_once_for_all_its_findings(family, verifikator):
    case = _decide_the_journey(family, verifikator)
    decided = {f.rule_code: f.decision for f in Flag.objects.filter(household=family)}
    assert decided == {
        "car_owner": "confirmed",
        "electricity_high": "dismissed",
        "aid_but_excluded": "confirmed",
    }
    rows = ReviewDecision.objects.filter(case=case)
    assert rows.count() == 3
    dismissal = rows.get(flag__rule_code="electricity_high")
    assert dismissal.standard_reason.code == "outdated"
    assert dismissal.decided_by == verifikator
    assert list(case.consequences.values_list("outcome", flat=True)) == ["remove"]


def test_a_removal_recommendation_marks_the_enrolment_until_its_owner_acts(family, verifikator):
    _decide_the_journey(family, verifikator)
    pkh = _enrolment(family)
    assert pkh.removal_recommended_at is not None
    assert pkh.removal_recommended_by == verifikator
    assert "Pemilik mobil" in pkh.removal_reason
    assert pkh.status == Enrolment.Status.ACTIVE  # aid never stops by itself
    # when: the program's owner keeps the enrolment
    change_enrolment_status(enrolment=pkh, status=Enrolment.Status.ACTIVE, by=verifikator)
    # then: the mark is gone and the act is in the history
    pkh.refresh_from_db()
    assert pkh.removal_recommended_at is None
    act = ChangeRecord.objects.filter(entity="enrolment", object_id=pkh.pk).first()
    assert "removal_reason" in act.changes


def test_the_mark_is_in_the_program_export(family, verifikator):
    _decide_the_journey(family, verifikator)
    with translation.override("en"):
        rows = list(household_table(Household.objects.filter(pk=family.pk)).rows)
    programs = rows[0][14]
    assert programs == f"{Program.objects.get(code='pkh').name} (removal recommended)"


def test_every_open_finding_must_be_decided(family, verifikator):
    flags = _flags(family)
    with pytest.raises(ValidationError) as excinfo:
        decide_case(
            household=family,
            findings={flags["car_owner"].pk: FindingChoice("confirmed")},
            consequences={},
            by=verifikator,
        )
    assert excinfo.value.code == "undecided"
    assert not Flag.objects.filter(household=family).exclude(decision="").exists()


def test_a_dismissal_needs_a_reason(family, verifikator):
    findings = {pk: FindingChoice("dismissed") for pk in (f.pk for f in _flags(family).values())}
    with pytest.raises(ValidationError) as excinfo:
        decide_case(household=family, findings=findings, consequences={}, by=verifikator)
    assert excinfo.value.code == "reason_required"


def test_a_written_note_is_reason_enough(family, verifikator):
    findings = {
        f.pk: FindingChoice("dismissed", note="BPKB atas nama adik")
        for f in _flags(family).values()
    }
    decide_case(household=family, findings=findings, consequences={}, by=verifikator)
    assert set(ReviewDecision.objects.values_list("reason", flat=True)) == {"BPKB atas nama adik"}


def test_removal_needs_a_confirmed_finding(family, verifikator):
    findings = {
        f.pk: FindingChoice("dismissed", reason_code="car_sold") for f in _flags(family).values()
    }
    with pytest.raises(ValidationError) as excinfo:
        decide_case(
            household=family,
            findings=findings,
            consequences={_enrolment(family).pk: "remove"},
            by=verifikator,
        )
    assert excinfo.value.code == "removal_without_finding"
    assert _enrolment(family).removal_recommended_at is None


def test_an_unknown_reason_is_refused(family, verifikator):
    findings = {
        f.pk: FindingChoice("dismissed", reason_code="bribe") for f in _flags(family).values()
    }
    with pytest.raises(ValidationError) as excinfo:
        decide_case(household=family, findings=findings, consequences={}, by=verifikator)
    assert excinfo.value.code == "unknown_reason"


def test_a_decided_case_is_not_decided_again(family, verifikator):
    _decide_the_journey(family, verifikator)
    with pytest.raises(ValidationError) as excinfo:
        _decide_the_journey(family, verifikator)
    assert excinfo.value.code in ("nothing_open", "stale")


def test_a_case_outside_the_write_scope_is_not_found(bintara, pendamping):
    household = _family(bintara, car_count=1)
    run_eligibility()
    with pytest.raises(Http404):
        decide_case(household=household, findings={}, consequences={}, by=pendamping)


def test_only_a_reviewer_decides(family, operator):
    # the desk writes in its kelurahan but holds no eligibility.review_flag
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _decide_the_journey(family, operator)


def test_a_case_is_assigned_to_a_reviewer_only(family, verifikator, operator):
    assign_case(household=family, assignee=verifikator, by=verifikator)
    assert CaseAssignment.objects.get(household=family).assignee == verifikator
    with pytest.raises(ValidationError) as excinfo:
        assign_case(household=family, assignee=operator, by=verifikator)
    assert excinfo.value.code == "not_a_reviewer"
    assign_case(household=family, assignee=None, by=verifikator)
    assert not CaseAssignment.objects.exists()


# --- receipts that explain ------------------------------------------------------------------------


def test_a_combined_rule_says_which_criterion_met(family):
    flag = _flags(family)["aid_but_excluded"]
    condition = expanded_conditions([flag.rule])[flag.rule_id]
    with translation.override("en"):
        lines = explain(condition, flag_values(flag))
    met = {
        line.label: (line.threshold, line.value) for line in lines if line.met and not line.group
    }
    assert met["cars"] == ("≥ 1", "1")
    assert met["electricity (VA)"] == ("≥ 2.200", "2.200")
    unmet = [line.label for line in lines if line.met is False]
    assert "a member is ASN, TNI or Polri" in unmet


def test_a_value_not_recorded_with_the_flag_is_not_known():
    lines = explain({"field": "car_count", "op": ">=", "value": 1}, {})
    assert lines[0].met is None


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def car_without_aid(margahayu) -> Household:
    household = _family(margahayu, program=None, car_count=2)
    run_eligibility()
    return household


def test_car_owners_receiving_aid_is_one_click(client, verifikator, family, car_without_aid):
    client.force_login(verifikator)
    page = client.get(reverse("eligibility:flag_queue")).content.decode()
    assert "?rule=car_owner&amp;receives_aid=any" in page
    listed = client.get(
        reverse("eligibility:flag_queue"), {"rule": "car_owner", "receives_aid": "any"}
    )
    html = listed.content.decode()
    assert family.head_name in html
    assert car_without_aid.head_name not in html
    # the KK tail tells families apart; the deciding value shows the rule's threshold
    assert "…" + family.kk_number[-8:] in html
    assert "(≥ 1)" in html
    none = client.get(
        reverse("eligibility:flag_queue"), {"rule": "car_owner", "receives_aid": "none"}
    )
    assert car_without_aid.head_name in none.content.decode()
    assert family.head_name not in none.content.decode()


def test_receives_a_named_program(client, verifikator, family, margahayu):
    bpnt = _family(margahayu, program="bpnt", car_count=1)
    run_eligibility()
    client.force_login(verifikator)
    html = client.get(
        reverse("eligibility:flag_queue"), {"rule": "car_owner", "receives_aid": "bpnt"}
    ).content.decode()
    assert bpnt.head_name in html
    assert family.head_name not in html


def test_a_bad_filter_value_lists_nothing_and_does_not_fail(client, verifikator, family):
    client.force_login(verifikator)
    response = client.get(reverse("eligibility:flag_queue"), {"receives_aid": "x' OR 1=1"})
    assert response.status_code == 200
    assert family.head_name not in response.content.decode()


def test_the_case_page_shows_thresholds_and_sources(client, verifikator, family):
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:case_detail", args=[family.pk])).content.decode()
    assert "≥ 2.200" in html
    assert 'class="met' in html
    assert "Data lama" in html  # a standard reason to choose
    assert 'name="e' in html  # a consequence per enrolment


def _case_post(household: Household) -> dict:
    flags = _flags(household)
    data = {
        f"f{flags['car_owner'].pk}-decision": "confirmed",
        f"f{flags['aid_but_excluded'].pk}-decision": "confirmed",
        f"f{flags['electricity_high'].pk}-decision": "dismissed",
        f"f{flags['electricity_high'].pk}-reason": "outdated",
        f"e{_enrolment(household).pk}": "remove",
    }
    for flag in flags.values():
        data.setdefault(f"f{flag.pk}-reason", "")
        data.setdefault(f"f{flag.pk}-note", "")
    return data


def test_the_case_is_decided_on_its_page_and_shown_on_the_household_page(
    client, verifikator, family
):
    client.force_login(verifikator)
    url = reverse("eligibility:case_decide", args=[family.pk]) + "?rule=car_owner"
    response = client.post(url, _case_post(family))
    assert response.status_code == 302
    assert response.url.endswith("?rule=car_owner")  # the filter is kept
    assert _enrolment(family).removal_recommended_at is not None
    receipt = client.get(
        reverse("eligibility:household_receipt", args=[family.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Data lama" in receipt
    assert verifikator.username in receipt or verifikator.get_full_name() in receipt
    page = client.get(family.get_absolute_url()).content.decode()
    assert "data-removal-mark" in page


def test_a_half_decided_case_is_shown_again_with_a_message(client, verifikator, family):
    client.force_login(verifikator)
    data = _case_post(family)
    data = {k: v for k, v in data.items() if not k.endswith("-decision")}
    response = client.post(reverse("eligibility:case_decide", args=[family.pk]), data)
    assert response.status_code == 200
    assert not Flag.objects.filter(household=family).exclude(decision="").exists()


def test_next_case_follows_the_filter(client, verifikator, family, margahayu, car_without_aid):
    other = _family(margahayu, program="bpnt", car_count=3)
    run_eligibility()
    client.force_login(verifikator)
    query = {"rule": "car_owner", "receives_aid": "any", "sort": "name"}
    first, second = sorted([family, other], key=lambda h: (h.head_name, h.pk))
    page = client.get(reverse("eligibility:case_detail", args=[first.pk]), query)
    assert reverse("eligibility:case_next", args=[first.pk]) + "?rule=car_owner" in (
        page.content.decode()
    )
    after_first = client.get(reverse("eligibility:case_next", args=[first.pk]), query)
    assert after_first.url.startswith(reverse("eligibility:case_detail", args=[second.pk]))
    assert "receives_aid=any" in after_first.url  # the filter goes along
    # the last one: back to the queue (a car owner without aid is outside the filter)
    after_second = client.get(reverse("eligibility:case_next", args=[second.pk]), query)
    assert after_second.url.startswith(reverse("eligibility:flag_queue"))


def test_the_case_history_says_who_when_why(client, verifikator, family):
    _decide_the_journey(family, verifikator)
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:case_history", args=[family.pk])).content.decode()
    assert "Data lama" in html
    assert "PKH" in html
    assert verifikator.get_full_name() in html or verifikator.username in html


def test_the_case_page_is_not_found_outside_scope(client, pendamping, bintara):
    household = _family(bintara, car_count=1)
    run_eligibility()
    client.force_login(pendamping)
    assert client.get(reverse("eligibility:case_detail", args=[household.pk])).status_code == 404


def test_only_a_reviewer_may_post_a_decision(client, pendamping, family):
    client.force_login(pendamping)
    response = client.post(reverse("eligibility:case_decide", args=[family.pk]), _case_post(family))
    assert response.status_code == 403
    assert not Consequence.objects.exists()


def test_assignment_on_the_page(client, verifikator, family):
    client.force_login(verifikator)
    url = reverse("eligibility:case_assign", args=[family.pk])
    client.post(url, {"assignee": verifikator.pk})
    assert CaseAssignment.objects.get(household=family).assignee == verifikator
    response = client.post(url, {"assignee": "abc"})
    assert response.status_code == 302
    assert CaseAssignment.objects.get(household=family).assignee == verifikator


def test_bulk_review_takes_a_standard_reason(client, verifikator, family):
    client.force_login(verifikator)
    flag = _flags(family)["electricity_high"]
    client.post(
        reverse("eligibility:flag_review"),
        {"flags": [flag.pk], "decision": "dismissed", "standard_reason": "outdated"},
    )
    assert ReviewDecision.objects.get(flag=flag).standard_reason.code == "outdated"


# --- the cases API ----------------------------------------------------------------------------

CASES = "/api/v1/eligibility/cases/"


def test_the_cases_api_lists_one_row_per_household(client, verifikator, family, car_without_aid):
    client.force_login(verifikator)
    rows = client.get(CASES, {"rule": "car_owner", "receives_aid": "any"}, secure=True).json()
    assert [row["household"] for row in rows["results"]] == [family.pk]
    row = rows["results"][0]
    assert row["status"] == "open"
    assert {f["rule_code"] for f in row["findings"]} == {
        "car_owner", "electricity_high", "aid_but_excluded"
    }  # fmt: skip
    assert row["kk_number"].startswith(family.kk_number[:4] + "****")  # a list masks the KK


def test_the_cases_api_shows_the_decision_and_its_consequences(client, verifikator, family):
    _decide_the_journey(family, verifikator)
    client.force_login(verifikator)
    rows = client.get(CASES, {"status": "decided"}, secure=True).json()["results"]
    assert [row["household"] for row in rows] == [family.pk]
    decision = rows[0]["decisions"][0]
    assert decision["decided_by"] == verifikator.username
    assert decision["consequences"] == [
        {"enrolment": _enrolment(family).pk, "program": "pkh", "outcome": "remove"}
    ]
    assert rows[0]["programs"][0]["removal_recommended"] is True
    assert client.get(CASES, {"status": "open"}, secure=True).json()["results"] == []


def test_the_cases_api_is_scoped_like_households(client, pendamping, family, bintara):
    elsewhere = _family(bintara, car_count=1)
    run_eligibility()
    client.force_login(pendamping)
    rows = client.get(CASES, secure=True).json()["results"]
    assert [row["household"] for row in rows] == [family.pk]
    assert client.get(f"{CASES}{elsewhere.pk}/", secure=True).status_code == 404


def test_a_bad_aid_filter_is_a_clear_400(client, verifikator, family):
    client.force_login(verifikator)
    response = client.get(CASES, {"receives_aid": "yacht"}, secure=True)
    assert response.status_code == 400
    assert "receives_aid" in response.json()


def test_aggregate_roles_get_no_cases(client, pimpinan, family):
    client.force_login(pimpinan)
    assert client.get(CASES, secure=True).status_code == 403


def test_each_consequence_names_the_person_when_a_program_enrols_people(
    client, verifikator, family
):
    """PBI-JK enrols persons: two of a family gave two consequence fields named "PBI-JK"."""
    program = Program.objects.get(code="pbi-jk")
    members = list(family.members.order_by("pk")[:2])
    for member in members:
        Enrolment.objects.create(
            household=family, member=member, program=program, start_date=datetime.date(2024, 1, 1)
        )
    client.force_login(verifikator)
    page = client.get(reverse("eligibility:case_detail", args=[family.pk])).content.decode()
    for member in members:
        assert f"PBI-JK – {member.name}" in page
