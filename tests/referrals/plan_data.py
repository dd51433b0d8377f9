"""A family's plan as the tests build it (issue 21): the economic need categories (seeded by a
data migration, which a transactional test's flush removes) and a plan with three referrals at
three agencies."""

import datetime

from django.utils import timezone

from households.models import Agency
from referrals.models import NeedCategory, Plan, PlanIntervention
from referrals.plans import add_goal, add_intervention, create_plan

# code, name, agency code: as referrals/migrations/0018_economic_need_categories.py seeds them
ECONOMIC = [
    ("pelatihan-kerja", "Pelatihan kerja", "disnaker"),
    ("modal-usaha", "Bantuan modal usaha", "dinsos"),
    ("kube", "Kelompok Usaha Bersama (KUBE)", "dinsos"),
    ("uep", "Usaha Ekonomi Produktif (UEP)", "dinsos"),
    ("pendampingan-umkm", "Pendampingan UMKM", "dinkopukm"),
    ("kur", "Kredit Usaha Rakyat (KUR)", "bank-kur"),
]
BASIC = [
    ("kesehatan", "Kesehatan / JKN", "dinkes"),
    ("pendidikan", "Pendidikan / KIP", "disdik"),
]


def economic_categories() -> None:
    for code, name, agency in ECONOMIC + BASIC:
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_agency": Agency.objects.get(code=agency),
                "deadline_days": 30 if (code, name, agency) in ECONOMIC else 14,
                "urgent_deadline_days": 3,
            },
        )


def plan_with_three_agencies(household, by) -> tuple[Plan, list[PlanIntervention]]:
    """A plan with a goal and three referrals: health (Dinkes), schooling (Disdik) and job
    training (Disnaker)."""
    economic_categories()
    today = timezone.localdate()
    head = household.members.get(relationship="head")
    plan = create_plan(household=household, made_on=today, agreed_by=head, by=by)
    goal = add_goal(plan=plan, text="Keluarga sehat, anak sekolah, ayah bekerja", by=by)
    steps = [
        add_intervention(
            plan=plan,
            kind=PlanIntervention.Kind.REFERRAL,
            goal=goal,
            description=description,
            target_date=today + datetime.timedelta(days=days),
            category=NeedCategory.objects.get(code=code),
            by=by,
        )
        for code, description, days in [
            ("kesehatan", "Daftarkan ibu ke JKN PBI", 14),
            ("pendidikan", "Anak kembali sekolah (KIP)", 30),
            ("pelatihan-kerja", "Pelatihan kerja untuk ayah", 60),
        ]
    ]
    return plan, steps
