"""Sensitive PMKS categories (issue 21): HIV, NAPZA, trafficking, violence, tuna susila and
children in conflict with the law are seen by Dinas Sosial only (its Verifikator, the
administrator, its agency staff for a person referred to them). Every role is asked for the
household's page and panel, the PMKS page, the API list and detail, and the exports: the
sensitive category shows to those and to nobody else; an ordinary one shows as the household's
scope says."""

import pytest
from django.urls import reverse
from django.utils import timezone

from households.assessments import classify_person
from households.models import PmksCategory
from referrals.services import raise_referral
from tests.households.factories import persona
from tests.security.matrix import ROLES, client_for, user_for

pytestmark = pytest.mark.django_db

SENSITIVE_NAME = "Orang dengan HIV/AIDS"
SEES_SENSITIVE = {"verifikator", "admin", "dinsos"}


def _paths(world, sensitive) -> list[str]:
    pk = world.household.pk
    return [
        world.household.get_absolute_url(),
        reverse("households:household_needs", args=[pk]),
        reverse("households:pmks_record", args=[pk]),
        f"/api/v1/pmks-classifications/?household={pk}",
        f"/api/v1/pmks-classifications/{sensitive.pk}/",
        f"/api/v1/households/{pk}/",
        f"/api/v1/members/?household={pk}",
        reverse("households:household_export") + "?kind=members&format=csv",
        reverse("households:household_export") + "?kind=households&format=csv",
    ]


def test_only_dinas_sosial_ever_sees_a_sensitive_category(worlds, margahayu, verifikator):
    a, _b = worlds
    head = a.pmks.member
    sensitive = classify_person(
        member=head,
        category=PmksCategory.objects.get(code="odha"),
        recorded_on=timezone.localdate(),
        by=verifikator,
    )
    dinsos = persona("petugas_opd", agency_code="dinsos", username="sec-dinsos")
    raise_referral(
        household=a.household,
        member=head,
        category=a.referral.category,
        description="Pendampingan ODHA",
        by=a.referral.origin_user,
        agency=dinsos.profile.agency,
    )
    users = [(role, user_for(role, margahayu)) for role in ROLES if role != "anonymous"]
    users.append(("dinsos", dinsos))
    leaks, blind = [], []
    for role, user in users:
        client = client_for(user, role)
        seen_anywhere = False
        for path in _paths(a, sensitive):
            response = client.get(path)
            assert response.status_code < 500, (role, path)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", errors="replace")
            shows = SENSITIVE_NAME in text or '"odha"' in text or f'"id":{sensitive.pk},' in text
            seen_anywhere |= shows
            if shows and role not in SEES_SENSITIVE:
                leaks.append(f"{role} {path}")
        if role in SEES_SENSITIVE and not seen_anywhere:
            blind.append(role)
    assert not leaks, "a sensitive PMKS category shown to:\n" + "\n".join(leaks)
    assert not blind, f"Dinas Sosial roles that should see it: {blind}"
