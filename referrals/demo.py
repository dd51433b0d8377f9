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
from referrals.models import NeedCategory, Notification, Referral, ReferralEvent
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


def seed_demo_referrals() -> int:
    """Raise the stories above once (nothing when referrals exist or the demo is absent)."""
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
