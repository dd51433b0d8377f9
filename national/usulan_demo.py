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
    """Once (False when visits exist already, or the demo users or extract are missing)."""
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
    proposing = [Action.PROPOSE_NEW, Action.PROPOSE_CORRECTION]
    new = list(cases.filter(action__in=proposing).order_by("-action", "pk")[:2])
    gone = cases.filter(kind=ReconciliationCase.Kind.NATIONAL_ONLY).order_by("pk").first()
    rest = cases.exclude(pk__in=[c.pk for c in new]).exclude(pk=getattr(gone, "pk", None))
    new.append(rest.order_by("pk").first())
    if None in new or len(new) < 3 or gone is None:
        return False
    today = timezone.localdate()
    Result = Visit.Result

    def visit(case, result, notes):
        done = schedule_visit(case=case, by=desk)
        return complete_visit(
            visit=done, result=result, visited_on=today, notes=notes, by=facilitator
        )

    first = visit(new[0], Result.LAYAK, "Rumah semi permanen, kepala keluarga buruh harian.")
    exit_visit = visit(
        gone, Result.MENINGGAL, "Kepala keluarga meninggal; anggota pindah ke Bogor."
    )
    agree_kelurahan_batch(
        batch=first.usulan.kelurahan_batch,
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
    visit(new[1], Result.LAYAK, "Lansia tinggal sendiri, tanpa penghasilan tetap.")  # a new draft
    schedule_visit(case=new[2], by=desk)  # still to do
    return True
