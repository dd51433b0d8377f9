"""Demo needs assessments and PMKS records (issue 21), so a fresh `make run` shows them: the
demo facilitator and desk of Margahayu assess families over the last twelve months, through
the services like real work (every registry suggestion decided), re-assess some, and record
PMKS persons. Deterministic: the same registry gets the same assessments."""

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from households.assessments import (
    NeedInput,
    classify_person,
    record_assessment,
    registry_suggestions,
)
from households.demo.users import MARGAHAYU
from households.models import (
    Assessment,
    Domain,
    Household,
    Intervention,
    Member,
    NeedKind,
    PmksCategory,
)

MONTHS = 12
PER_MONTH = 3  # families assessed each month, the newest months first
SEVERITIES = ("mild", "moderate", "severe")
# What a conversation brings out, in turn: (economic need, intervention, amount, note).
ECONOMIC = [
    (NeedKind.UNEMPLOYED, Intervention.JOB_TRAINING, None, "Kena PHK dari pabrik garmen."),
    (NeedKind.CAPITAL, Intervention.BUSINESS_CAPITAL, 3_000_000, "Ingin berjualan gorengan."),
    (NeedKind.BUSINESS, Intervention.UMKM_SUPPORT, None, "Usaha jahit di rumah, sepi order."),
    (NeedKind.DEBT, Intervention.KUR, 5_000_000, "Utang ke rentenir untuk modal warung."),
    (NeedKind.UNDEREMPLOYED, Intervention.KUBE, None, "Buruh harian lepas, kerja 2 hari/minggu."),
    (NeedKind.SKILLS, Intervention.JOB_TRAINING, None, "Ingin kursus las atau montir."),
]
# Ordinary categories only: the demo shows no one in a sensitive one.
PMKS = ["fakir-miskin", "lanjut-usia-terlantar", "penyandang-disabilitas", "anak-terlantar"]


def seed_demo_needs(*, today: datetime.date | None = None) -> int:
    """Assess PER_MONTH Margahayu families a month for MONTHS months (nothing if assessments
    exist or the demo users are absent). Returns the number of assessments."""
    if Assessment.objects.exists():
        return 0
    today = today or timezone.localdate()
    assessors = list(
        User.objects.filter(username__in=["demo-pendamping", "demo-puskesos"]).order_by("username")
    )
    families = list(
        Household.objects.filter(kelurahan__code=MARGAHAYU).order_by("pk")[: MONTHS * PER_MONTH]
    )
    if len(assessors) < 2 or not families:
        return 0
    categories = {c.code: c for c in PmksCategory.objects.filter(code__in=PMKS)}
    count = 0
    with transaction.atomic():
        for index, household in enumerate(families):
            by = assessors[index % 2]
            month = index // PER_MONTH
            day = today - datetime.timedelta(days=month * 30 + index % 7)
            record_assessment(
                household=household, assessed_on=day, needs=_needs(household, index), by=by
            )
            count += 1
            if index % 4 == 0 and month > 2:  # re-assessed at a follow-up visit
                later = day + datetime.timedelta(days=60)
                record_assessment(
                    household=household,
                    assessed_on=later,
                    needs=_needs(household, index + 1),
                    by=by,
                )
                count += 1
            if index % 3 == 0:
                _classify(household, index, categories, by, day)
    return count


def _needs(household: Household, index: int) -> list[NeedInput]:
    """Every suggestion decided (one in four dismissed), a domain or two with a need, and an
    economic need for most families."""
    needs = []
    for position, suggestion in enumerate(registry_suggestions(household)):
        dismissed = (index + position) % 4 == 3
        needs.append(
            NeedInput(
                kind=suggestion.kind,
                severity="" if dismissed else SEVERITIES[(index + position) % 3],
                member_id=suggestion.member.pk if suggestion.member else None,
                suggested=True,
                note="Tidak sesuai kondisi saat kunjungan." if dismissed else "",
            )
        )
    domains = list(Domain)
    with_need = {domains[index % len(domains)], domains[(index * 3 + 1) % len(domains)]}
    for domain in domains:
        severity = SEVERITIES[index % 3] if domain in with_need else ""
        needs.append(NeedInput(kind=NeedKind.DOMAIN, domain=domain, severity=severity))
    if index % 5 != 4:
        kind, intervention, amount, note = ECONOMIC[index % len(ECONOMIC)]
        adult = (
            Member.objects.filter(household=household, is_deceased=False)
            .exclude(relationship=Member.Relationship.CHILD)
            .order_by("pk")
            .first()
        )
        needs.append(
            NeedInput(
                kind=kind,
                severity=SEVERITIES[(index + 1) % 3],
                member_id=adult.pk if adult else None,
                intervention=intervention,
                amount=amount,
                note=note,
            )
        )
    return needs


def _classify(household, index, categories, by, day) -> None:
    people = list(Member.objects.filter(household=household, is_deceased=False).order_by("pk"))
    for offset, member in enumerate(people[: 1 + index % 2]):
        category = categories[PMKS[(index + offset) % len(PMKS)]]
        classify_person(member=member, category=category, recorded_on=day, by=by)
