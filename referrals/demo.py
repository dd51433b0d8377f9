"""Demo referrals for `make run`: a desk in Margahayu that has referred families to Dinas
Kesehatan and others, so the queue, the closed loop and the deadlines have something to
show. Through the services, like real work; only the dates are moved back afterwards."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from households.demo.users import MARGAHAYU
from households.models import Household
from referrals.deadlines import check_referral_deadlines
from referrals.models import NeedCategory, Notification, Referral, ReferralEvent, Status
from referrals.services import raise_referral, record_complaint, transition_referral

# (need, what is needed, days ago it was sent, what happened since)
STORIES = [
    ("kesehatan", "Nenek belum punya kartu JKN/PBI; sering sesak napas.", 20, ""),
    ("kesehatan", "Anak balita gizi kurang, perlu pemeriksaan dan PMT.", 16, "accept"),
    ("kesehatan", "Ibu hamil 7 bulan belum terdaftar JKN.", 9, ""),
    ("kesehatan", "Lansia stroke, butuh kunjungan rumah puskesmas.", 5, "accept"),
    ("kesehatan", "Kartu KIS tidak aktif sejak pindah alamat.", 2, ""),
    ("kesehatan", "Pemeriksaan TBC untuk kepala keluarga.", 12, "resolve"),
    ("pendidikan", "Anak SMP terancam putus sekolah, belum menerima KIP.", 8, ""),
    ("rutilahu", "Atap rumah bocor dan dinding bilik bambu.", 25, "accept"),
    ("adminduk", "Dua anak belum punya akta kelahiran.", 3, ""),
    ("sosial", "Lansia tinggal sendiri, butuh bantuan permakanan.", 6, ""),
]

# The year before (issue 18, point 10): health referrals the desk raised and Dinas Kesehatan
# served, more each month, so the monthly trend of open referrals rises. Month m (0 = eleven
# months ago) sends 1 + m // 2 referrals; each is accepted after two days and resolved after
# PAST_DAYS_TO_RESOLVE[i % 5] days (the 24-day ones past their deadline).
PAST_MONTHS = 12
PAST_DAYS_TO_RESOLVE = (5, 9, 24, 7, 11)
PAST_TEXT = "Pemeriksaan kesehatan dan kepesertaan JKN (rujukan tahun lalu)."


def seed_demo_referrals() -> int:
    """Raise the stories above once, after a year of past referrals (nothing when referrals
    exist or the demo is absent). Returns the number of stories (the open queue)."""
    if Referral.objects.exists():
        return 0
    desk = User.objects.filter(username="demo-puskesos").first()
    officer = User.objects.filter(username="demo-dinkes").first()
    households = list(
        Household.objects.filter(kelurahan__code=MARGAHAYU).order_by("pk")[: len(STORIES)]
    )
    if desk is None or officer is None or len(households) < len(STORIES):
        return 0
    with transaction.atomic():
        _past_year(households, desk, officer)
        for household, (need, text, days_ago, then) in zip(households, STORIES, strict=True):
            _tell(household, need, text, days_ago, then, desk, officer)
        check_referral_deadlines()  # this morning's job: overdue notices and escalations
    return len(STORIES)


def _tell(household, need, text, days_ago, then, desk, officer) -> None:
    category = NeedCategory.objects.get(code=need)
    complaint = record_complaint(
        kelurahan=household.kelurahan,
        household=household,
        complainant_name=household.head_name or "Warga",
        request=text,
        by=desk,
    )
    referral = raise_referral(
        household=household, category=category, description=text, by=desk, complaint=complaint
    )
    if then in ("accept", "resolve") and category.default_agency_id == officer.profile.agency_id:
        transition_referral(referral=referral, action="accept", by=officer)
    if then == "resolve":
        transition_referral(
            referral=referral,
            action="resolve",
            by=officer,
            outcome="served",
            note="Sudah diperiksa di Puskesmas; hasil negatif, kontrol 3 bulan lagi.",
        )
    # Move the story back in time so deadlines fall where a real month would put them.
    shift = timedelta(days=days_ago)
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        created_at=now - shift,
        submitted_at=now - shift,
        due_date=timezone.localdate()
        - shift
        + timedelta(days=category.deadline_for(referral.priority)),
    )
    ReferralEvent.objects.filter(referral=referral).update(created_at=now - shift)
    # Its notices spoke of the deadline before the move: the inbox starts with this
    # morning's deadline job instead.
    Notification.objects.filter(referral=referral).delete()


def _past_year(households, desk, officer) -> None:
    category = NeedCategory.objects.get(code="kesehatan")
    if category.default_agency_id != officer.profile.agency_id:
        return
    now = timezone.now()
    sent = 0
    for month in range(PAST_MONTHS - 1):
        for index in range(1 + month // 2):
            household = households[sent % len(households)]
            days_ago = (PAST_MONTHS - 1 - month) * 30 + 25 - 7 * index
            days_to_resolve = PAST_DAYS_TO_RESOLVE[sent % len(PAST_DAYS_TO_RESOLVE)]
            sent += 1
            referral = raise_referral(
                household=household, category=category, description=PAST_TEXT, by=desk
            )
            transition_referral(referral=referral, action="accept", by=officer)
            transition_referral(
                referral=referral, action="resolve", by=officer, outcome="served", note="Selesai."
            )
            submitted = now - timedelta(days=days_ago)
            moments = {
                Status.SUBMITTED: submitted,
                Status.ACCEPTED: submitted + timedelta(days=2),
                Status.RESOLVED: submitted + timedelta(days=days_to_resolve),
            }
            Referral.objects.filter(pk=referral.pk).update(
                created_at=submitted,
                submitted_at=submitted,
                accepted_at=moments[Status.ACCEPTED],
                resolved_at=moments[Status.RESOLVED],
                due_date=timezone.localdate(submitted)
                + timedelta(days=category.deadline_for(referral.priority)),
            )
            for status, moment in moments.items():
                ReferralEvent.objects.filter(referral=referral, to_status=status).update(
                    created_at=moment
                )
            Notification.objects.filter(referral=referral).delete()


# --- the family plans (issue 21) --------------------------------------------------------------
# Four assessed Margahayu families with a plan made by the demo facilitator: health referrals to
# Dinas Kesehatan in every state its staff can bring them to (resolved and closed, in progress,
# returned, rejected), other agencies' referrals waiting (Disdik, Disnaker, Dinas Sosial, Dinas
# Koperasi dan UKM, the KUR bank), the facilitator's own actions, a program proposal, visits.
# (need or "own"/"program:<code>", step, days to the target, what the agency did)
PLAN_STORIES = [
    (
        "Keluarga sehat, anak tetap sekolah, ayah bekerja",
        [
            ("kesehatan", "Daftarkan ibu dan anak ke JKN PBI", 14, "close"),
            ("pendidikan", "Anak SMP mendapat KIP dan kembali sekolah", 30, ""),
            ("pelatihan-kerja", "Pelatihan kerja (las) untuk ayah di BLK", 60, ""),
            ("own", "Kunjungan rumah bulanan", 7, "done"),
        ],
        True,
    ),
    (
        "Nenek tertangani, warung bertahan",
        [
            ("kesehatan", "Kunjungan rumah puskesmas untuk nenek (stroke)", 10, "start"),
            ("kur", "Pengajuan KUR mikro untuk warung", 45, ""),
            ("program:pkh", "Usulkan keluarga sebagai peserta PKH", 30, ""),
        ],
        True,
    ),
    (
        "Usaha ibu berjalan",
        [
            ("kesehatan", "Pemeriksaan kehamilan rutin", 14, "return"),
            ("modal-usaha", "Bantuan modal usaha jahit", 60, ""),
            ("own", "Dampingi ibu ke kantor kelurahan untuk SKU", 5, "underway"),
        ],
        True,
    ),
    (
        "Pendapatan keluarga naik",
        [
            ("kesehatan", "Pemeriksaan gigi anak", 14, "reject"),
            ("pendampingan-umkm", "Pendampingan UMKM keripik singkong", 45, ""),
        ],
        False,  # not yet agreed: the family wants to talk it over
    ),
]


def seed_demo_plans() -> int:
    """Give four assessed Margahayu families a plan (nothing when plans exist or the demo is
    absent). Through the services, like real work. Returns the number of plans."""
    from households.models import Program
    from referrals.models import Plan, PlanIntervention
    from referrals.plans import (
        add_goal,
        add_intervention,
        create_plan,
        record_follow_up_visit,
        set_intervention_progress,
    )

    if Plan.objects.exists():
        return 0
    facilitator = User.objects.filter(username="demo-pendamping").first()
    officer = User.objects.filter(username="demo-dinkes").first()
    families = list(
        Household.objects.filter(kelurahan__code=MARGAHAYU, assessments__isnull=False)
        .exclude(referrals__isnull=False)
        .distinct()
        .order_by("pk")[: len(PLAN_STORIES)]
    )
    if facilitator is None or officer is None or len(families) < len(PLAN_STORIES):
        return 0
    today = timezone.localdate()
    made_on = today - timedelta(days=20)
    with transaction.atomic():
        for household, (goal_text, steps, agreed) in zip(families, PLAN_STORIES, strict=True):
            head = household.members.filter(relationship="head").first()
            plan = create_plan(
                household=household,
                made_on=made_on,
                agreed_by=head if agreed else None,
                note="Disusun bersama keluarga saat kunjungan rumah.",
                by=facilitator,
            )
            goal = add_goal(plan=plan, text=goal_text, by=facilitator)
            for need, text, days, then in steps:
                fields = {}
                if need == "own":
                    kind = PlanIntervention.Kind.OWN
                elif need.startswith("program:"):
                    kind = PlanIntervention.Kind.PROGRAM
                    fields["program"] = Program.objects.get(code=need.split(":", 1)[1])
                else:
                    kind = PlanIntervention.Kind.REFERRAL
                    fields["category"] = NeedCategory.objects.get(code=need)
                step = add_intervention(
                    plan=plan,
                    kind=kind,
                    goal=goal,
                    description=text,
                    target_date=today + timedelta(days=days),
                    by=facilitator,
                    **fields,
                )
                if kind == PlanIntervention.Kind.REFERRAL:
                    _answer(step.referral, then, officer, facilitator)
                elif then:
                    set_intervention_progress(intervention=step, progress=then, by=facilitator)
            if agreed:
                record_follow_up_visit(
                    plan=plan,
                    visited_on=today - timedelta(days=3),
                    location="Rumah keluarga",
                    notes="Keluarga menjalankan rencana; menunggu jawaban dinas.",
                    by=facilitator,
                )
    return len(PLAN_STORIES)


def _answer(referral, then, officer, origin) -> None:
    """What Dinas Kesehatan (the demo's agency staff) did with its referral."""
    if not then or referral.agency_id != officer.profile.agency_id:
        return
    if then == "reject":
        transition_referral(
            referral=referral, action="reject", by=officer, note="Layanan gigi anak gratis di UKS."
        )
        return
    referral = transition_referral(referral=referral, action="accept", by=officer)
    if then == "return":
        transition_referral(
            referral=referral, action="return", by=officer, note="Mohon lampirkan buku KIA."
        )
    elif then == "start":
        transition_referral(referral=referral, action="start", by=officer)
    elif then == "close":
        referral = transition_referral(
            referral=referral,
            action="resolve",
            by=officer,
            outcome="served",
            note="Ibu dan anak terdaftar PBI-JK.",
        )
        transition_referral(
            referral=referral, action="close", by=origin, note="Kartu sudah diterima keluarga."
        )
