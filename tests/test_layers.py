"""Issue 19, point 6: dependencies point down (slrt ← households ← eligibility, referrals,
accounts ← dashboards). `slrt.layers` fails `make lint` on an app that names a higher one or a
peer; here it fails the suite too. What households once looked up in referrals (the agency's
reach) and linked to in eligibility and referrals (the household page's cards) is registered
with households by those apps (households.hooks)."""

from pathlib import Path

import pytest
from django.urls import reverse

from households.hooks import household_sections
from referrals.models import Referral, Status
from slrt.layers import violations
from tests.households.factories import household_with_members

ROOT = Path(__file__).resolve().parents[1]


def test_no_app_names_a_higher_app_or_a_peer():
    assert violations(ROOT) == []


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_check_finds_every_kind_of_upward_name(tmp_path):
    _write(
        tmp_path,
        "households/selectors.py",
        "from django.apps import apps\n"
        "from referrals.models import Referral\n"
        "import dashboards.selectors\n"
        "Referral = apps.get_model('referrals', 'Referral')\n"
        "def home():\n"
        "    return redirect('dashboards:overview')\n",
    )
    _write(
        tmp_path,
        "households/templates/households/page.html",
        "{% if perms.eligibility.view_flag %}<a href=\"{% url 'eligibility:receipt' 1 %}\">"
        '{% include "referrals/_card.html" %}{% endif %}\n',
    )
    _write(tmp_path, "eligibility/services.py", "from referrals.models import Referral\n")
    # Allowed: downward names, an app's own, and the project's wiring.
    _write(
        tmp_path,
        "dashboards/selectors.py",
        "from eligibility.models import Rule\nfrom households.models import Household\n"
        "from referrals.models import Referral\nx = 'households:household_list'\n",
    )
    _write(tmp_path, "referrals/views.py", "from households.selectors import visible_households\n")
    _write(tmp_path, "slrt/urls.py", "import dashboards.api\nimport referrals.api\n")
    _write(tmp_path, "households/views.py", "x = reverse('households:household_list')\n")
    found = violations(tmp_path)
    assert sorted(line.split(": ", 1)[0] for line in found) == [
        "eligibility/services.py:1",
        "households/selectors.py:2",
        "households/selectors.py:3",
        "households/selectors.py:4",
        "households/selectors.py:6",
        "households/templates/households/page.html:1",
        "households/templates/households/page.html:1",
        "households/templates/households/page.html:1",
    ]
    assert "households/selectors.py:4: households names referrals (get_model('referrals'))" in found


def test_eligibility_and_referrals_add_their_cards_to_the_household_page():
    assert [section.template for section in household_sections()] == [
        "eligibility/_household_section.html",
        "referrals/_household_section.html",
        "referrals/_household_plan_section.html",
        "national/_household_section.html",  # the national status (issue 22)
        "eligibility/_graduation_section.html",  # issue 21 part 4: the journey's end, last
    ]


@pytest.mark.django_db
def test_the_household_page_keeps_its_findings_and_referrals(client, operator, margahayu):
    household = household_with_members(margahayu, size=2)
    client.force_login(operator)
    page = client.get(reverse("households:household_detail", args=[household.pk]))
    body = page.content.decode()
    for url in (
        reverse("eligibility:household_receipt", args=[household.pk]),
        reverse("referrals:household_referrals", args=[household.pk]),
        reverse("referrals:referral_create", args=[household.pk]),
    ):
        assert url in body, url


@pytest.mark.django_db
def test_agency_staff_reach_what_referrals_registered(
    client, petugas_dinkes, operator, health, margahayu
):
    """Referrals tells households which households and people an agency reaches: the ones it
    was sent (never a draft); the page shows the referral card and not the findings."""
    from referrals.services import raise_referral

    sent, draft = (household_with_members(margahayu, size=2) for _ in range(2))
    raise_referral(household=sent, category=health, description="JKN", by=operator)
    Referral.objects.create(
        household=draft, category=health, description="JKN", origin_user=operator,
        agency=petugas_dinkes.profile.agency, status=Status.DRAFT,
    )  # fmt: skip
    client.force_login(petugas_dinkes)
    page = client.get(reverse("households:household_detail", args=[sent.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("referrals:household_referrals", args=[sent.pk]) in body
    assert reverse("eligibility:household_receipt", args=[sent.pk]) not in body
    detail = client.get(reverse("households:household_detail", args=[draft.pk]))
    assert detail.status_code == 404
