"""The demo's visits and usulan (issue 22): `make run` shows the facilitator a visit to do
and one done, the desk a draft batch to agree, the verifier an agreed kelurahan batch sent in
a city batch (one answer recorded), and the dashboards something to count."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from national.models import ReconciliationCase, Usulan, Visit
from national.reconcile import latest_extract
from national.usulan import agree_kelurahan_batch, assemble_usulan_batch, decide_usulan
from national.visits import complete_visit, schedule_visit

MINUTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 62>>stream\n"
    b"BT /F1 18 Tf 60 760 Td (Berita Acara Musyawarah Kelurahan) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_demo_usulan() -> bool:
    """Once (False when visits exist already, or the demo users or extract are missing).

    Works with whatever the demo kelurahan has: a small demo (`HOUSEHOLDS=100 make run`) may
    have no family to propose, but always has families only in DTSEN (national.demo gives
    each kelurahan at least three in desil 1-4), whose visits propose exits. So there is
    always a visit done, an agreed kelurahan batch with its minutes, a city batch sent with
    one proposal accepted; with more cases, also a new draft and a visit still to do."""
    if Visit.objects.exists():
        return False
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    facilitator = users.get("demo-pendamping")
    desk = users.get("demo-puskesos")
    verifier = users.get("demo-verifikator")
    extract = latest_extract()
    if None in (facilitator, desk, verifier, extract):
        return False
    kelurahan = facilitator.profile.kelurahan.order_by("pk").first()
    cases = ReconciliationCase.objects.open().filter(extract=extract, kelurahan=kelurahan)
    Action = ReconciliationCase.Action
    Result = Visit.Result
    proposing = list(
        cases.filter(action__in=[Action.PROPOSE_NEW, Action.PROPOSE_CORRECTION]).order_by(
            "-action", "pk"
        )
    )
    national_only = list(cases.filter(kind=ReconciliationCase.Kind.NATIONAL_ONLY).order_by("pk"))
    # (case, result, notes): each proposes something (national.visits.usulan_kind)
    proposals = [(case, Result.LAYAK, POOR_NOTES[i % 2]) for i, case in enumerate(proposing)]
    pairs = zip(national_only, EXITS, strict=False)  # at most as many as EXITS
    exits = [(case, result, notes) for case, (result, notes) in pairs]
    if not exits:
        return False
    today = timezone.localdate()

    def visit(case, result, notes):
        done = schedule_visit(case=case, by=desk)
        return complete_visit(
            visit=done, result=result, visited_on=today, notes=notes, by=facilitator
        )

    # Agreed at the musyawarah and sent: a proposal (if any) and an exit, accepted.
    if proposals:
        visit(*proposals.pop(0))
    else:
        visit(*exits.pop())
    exit_visit = visit(*exits.pop(0))
    agree_kelurahan_batch(
        batch=exit_visit.usulan.kelurahan_batch,
        meeting_on=today,
        attendees="Lurah\nSekretaris Kelurahan\nKetua RW 03\nKetua RW 05\nTKSK\nPSM",
        minutes=SimpleUploadedFile("berita-acara.pdf", MINUTES, content_type="application/pdf"),
        by=desk,
    )
    assemble_usulan_batch(by=verifier)
    decide_usulan(
        usulan=Usulan.objects.get(visit=exit_visit),
        status=Usulan.Status.ACCEPTED,
        reason="",
        by=verifier,
    )
    # The next musyawarah's draft, and a visit still to do, from what is left.
    left = [*proposals, *exits]
    if left:
        visit(*left.pop(0))
    rest = cases.filter(status=ReconciliationCase.Status.OPEN).order_by("pk").first()
    if rest is not None:
        schedule_visit(case=rest, by=desk)
    return True


POOR_NOTES = (
    "Rumah semi permanen, kepala keluarga buruh harian.",
    "Lansia tinggal sendiri, tanpa penghasilan tetap.",
)
EXITS = (
    (Visit.Result.MENINGGAL, "Kepala keluarga meninggal; anggota pindah ke Bogor."),
    (Visit.Result.PINDAH, "Keluarga pindah ke Kabupaten Bekasi sejak 2025."),
    (Visit.Result.TIDAK_LAYAK, "Rumah permanen dua lantai, usaha toko bangunan."),
)
