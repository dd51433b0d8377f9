"""The needs assessment and PMKS pages (issue 21) through the client: the form with the
registry's suggestions, its errors in Indonesian, the household page's panel, who sees what."""

import pytest
from django.urls import reverse
from django.utils import timezone

from households.assessments import classify_person, registry_suggestions
from households.models import Assessment, PmksCategory, PmksClassification
from tests.households.needs_inputs import assessment_post

pytestmark = pytest.mark.django_db


def _today():
    """Read at each use: a module-level date goes stale when a run crosses midnight WIB."""
    return timezone.localdate()


def test_the_form_shows_each_suggestion_to_confirm_or_dismiss(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    url = reverse("households:assessment_create", args=[household_in_margahayu.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-suggestion") == len(registry_suggestions(household_in_margahayu)) > 0
    assert "checked" not in html.split("data-suggestion", 1)[1].split("</fieldset>", 1)[0]


def test_a_facilitator_saves_an_assessment_with_an_economic_need(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    head = household_in_margahayu.members.get(relationship="head")
    economic = [
        {
            "kind": "unemployed",
            "member": str(head.pk),
            "severity": "severe",
            "intervention": "job_training",
            "note": "Kena PHK Oktober",
        }
    ]
    url = reverse("households:assessment_create", args=[household_in_margahayu.pk])
    response = client.post(url, assessment_post(household_in_margahayu, economic=economic))
    assert response.status_code == 302
    assessment = Assessment.objects.get(household=household_in_margahayu)
    need = assessment.needs.get(kind="unemployed")
    assert (need.member, need.intervention, need.note) == (head, "job_training", "Kena PHK Oktober")
    page = client.get(reverse("households:assessment_list", args=[household_in_margahayu.pk]))
    assert "Kena PHK Oktober" in page.content.decode()


def test_an_undecided_suggestion_is_asked_for_in_indonesian(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    url = reverse("households:assessment_create", args=[household_in_margahayu.pk])
    response = client.post(url, assessment_post(household_in_margahayu, decide=""))
    assert response.status_code == 200
    assert (
        "Konfirmasi" in response.content.decode() or "tidak terbukti" in response.content.decode()
    )
    assert not Assessment.objects.exists()


def test_an_economic_need_without_intervention_is_asked_for(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    url = reverse("households:assessment_create", args=[household_in_margahayu.pk])
    post = assessment_post(household_in_margahayu, economic=[{"kind": "debt", "severity": "mild"}])
    response = client.post(url, post)
    assert response.status_code == 200
    assert response.context["economic"].forms[0].errors["intervention"]
    assert not Assessment.objects.exists()


def test_a_facilitator_records_a_pmks_person_from_the_list_without_sensitive_ones(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    url = reverse("households:pmks_record", args=[household_in_margahayu.pk])
    page = client.get(url)
    offered = page.context["form"].fields["category"].queryset
    assert offered.count() == PmksCategory.objects.filter(is_sensitive=False).count() < 26
    assert "HIV" not in page.content.decode()
    person = household_in_margahayu.members.first()
    elderly = PmksCategory.objects.get(code="lanjut-usia-terlantar")
    response = client.post(
        url,
        {"member": person.pk, "category": elderly.pk, "recorded_on": _today().isoformat()},
    )
    assert response.status_code == 302
    assert PmksClassification.objects.get().recorded_by == pendamping
    hiv = PmksCategory.objects.get(code="odha")
    refused = client.post(
        url, {"member": person.pk, "category": hiv.pk, "recorded_on": _today().isoformat()}
    )
    assert refused.status_code == 200
    assert PmksClassification.objects.count() == 1


def test_the_household_panel_hides_a_sensitive_category_from_non_dinsos_roles(
    client, pendamping, operator, data_steward, verifikator, household_in_margahayu
):
    person = household_in_margahayu.members.first()
    for code in ("odha", "fakir-miskin"):
        classify_person(
            member=person,
            category=PmksCategory.objects.get(code=code),
            recorded_on=_today(),
            by=verifikator,
        )
    url = reverse("households:household_needs", args=[household_in_margahayu.pk])
    for user, sees in (
        (pendamping, False),
        (operator, False),
        (data_steward, False),
        (verifikator, True),
    ):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "Fakir miskin" in html
        assert ("HIV" in html) is sees, user.username
        pmks_page = client.get(reverse("households:pmks_record", args=[household_in_margahayu.pk]))
        if pmks_page.status_code == 200:
            assert ("HIV" in pmks_page.content.decode()) is sees


def test_another_kelurahans_facilitator_gets_404_on_every_page(
    client, pendamping, household_in_bintara
):
    client.force_login(pendamping)
    pk = household_in_bintara.pk
    for name in ("household_needs", "assessment_list", "assessment_create", "pmks_record"):
        assert client.get(reverse(f"households:{name}", args=[pk])).status_code == 404
    assert client.post(reverse("households:assessment_create", args=[pk]), {}).status_code == 404


def test_the_household_page_includes_the_needs_panel(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    html = client.get(household_in_margahayu.get_absolute_url()).content.decode()
    assert reverse("households:household_needs", args=[household_in_margahayu.pk]) in html


def test_agency_staff_see_the_referred_persons_pmks_but_not_the_familys_assessment(
    client, operator, petugas_dinkes, health, household_in_margahayu
):
    from households.assessments import record_assessment
    from referrals.services import raise_referral
    from tests.households.needs_inputs import decided_needs

    record_assessment(
        household=household_in_margahayu,
        assessed_on=_today(),
        needs=decided_needs(household_in_margahayu),
        by=operator,
        note="Catatan keluarga",
    )
    head = household_in_margahayu.members.get(relationship="head")
    other = household_in_margahayu.members.exclude(pk=head.pk).first()
    for person, code in ((head, "fakir-miskin"), (other, "pemulung")):
        category = PmksCategory.objects.get(code=code)
        classify_person(member=person, category=category, recorded_on=_today(), by=operator)
    raise_referral(
        household=household_in_margahayu,
        member=head,
        category=health,
        description="JKN",
        by=operator,
    )
    client.force_login(petugas_dinkes)
    url = reverse("households:household_needs", args=[household_in_margahayu.pk])
    html = client.get(url).content.decode()
    assert "Fakir miskin" in html
    assert "Pemulung" not in html  # not the referred person
    assert "Belum pernah" not in html  # nor a word on the family's assessment
    assert reverse("households:assessment_list", args=[household_in_margahayu.pk]) not in html
