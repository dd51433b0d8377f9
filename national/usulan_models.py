"""Verification visits and usulan (issue 22, second half): a reconciliation case becomes a
visit of the kelurahan's facilitator; a visit's result may make the family a proposal (usulan
baru, perbaikan or keluar), agreed in the kelurahan's musyawarah (KelurahanBatch, with its
minutes) and sent to the national system in the city's batch (UsulanBatch), whose outcome
each proposal tracks. Imported by national.models, so Django finds them there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from slrt.models import TimeStampedModel


class Visit(TimeStampedModel):
    """A verification visit (verivali) to the family of one case. The case is closed when the
    visit is scheduled (it left the queue for the field), so a recompute never deletes it."""

    class Result(models.TextChoices):
        LAYAK = "layak", _("Eligible (layak)")
        TIDAK_LAYAK = "tidak_layak", _("Not eligible (tidak layak)")
        TIDAK_DITEMUKAN = "tidak_ditemukan", _("Not found (tidak ditemukan)")
        PINDAH = "pindah", _("Moved away (pindah)")
        MENINGGAL = "meninggal", _("Deceased (meninggal)")

    case = models.OneToOneField(
        "national.ReconciliationCase", on_delete=models.PROTECT, related_name="visit"
    )
    kelurahan = models.ForeignKey(
        "households.Region", verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    due_on = models.DateField(_("visit by"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    visited_on = models.DateField(_("visited on"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("verification visit")
        verbose_name_plural = _("verification visits")
        indexes = [models.Index(fields=["kelurahan", "result"], name="national_visit_queue")]

    def __str__(self) -> str:
        return f"{self.case} – {self.due_on}"

    @property
    def is_done(self) -> bool:
        return bool(self.result)


class KelurahanBatch(TimeStampedModel):
    """A kelurahan's proposals for one musyawarah: a draft collects them as visits complete;
    agreed at the meeting (date, attendees, minutes as PDF) it is frozen and goes to the city."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed at the musyawarah")

    kelurahan = models.ForeignKey(
        "households.Region", verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    meeting_on = models.DateField(_("date of the musyawarah"), null=True)
    attendees = models.TextField(_("attendees"), blank=True)
    minutes = models.FileField(_("minutes (berita acara)"), upload_to="usulan/%Y/%m/", blank=True)
    minutes_name = models.CharField(max_length=200, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True)
    usulan_batch = models.ForeignKey(
        "national.UsulanBatch",
        on_delete=models.PROTECT,
        null=True,
        related_name="kelurahan_batches",
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("kelurahan batch")
        verbose_name_plural = _("kelurahan batches")
        permissions = [("agree_kelurahanbatch", "Can record a kelurahan's musyawarah")]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan"],
                condition=models.Q(status="draft"),
                name="national_kelurahanbatch_one_draft",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan} #{self.pk}"


class UsulanBatch(TimeStampedModel):
    """The city's batch for the national system, assembled by the verifier from agreed
    kelurahan batches and sent (exported) on `sent_on`."""

    quarter = models.CharField(_("quarter"), max_length=7)
    sent_on = models.DateField(_("sent on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("usulan batch")
        verbose_name_plural = _("usulan batches")

    def __str__(self) -> str:
        return f"{self.quarter} #{self.pk}"


class Usulan(TimeStampedModel):
    """One family proposed to the national data: what the workbook sends (copied when the
    visit completed, so the batch says what was agreed) and what became of it."""

    class Kind(models.TextChoices):
        BARU = "baru", _("New (usulan baru)")
        PERBAIKAN = "perbaikan", _("Correction (usulan perbaikan)")
        KELUAR = "keluar", _("Exit (usulan keluar)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for the musyawarah")
        AGREED = "agreed", _("Agreed, waiting to be sent")
        SENT = "dikirim", _("Sent (dikirim)")
        ACCEPTED = "diterima", _("Accepted (diterima)")
        REJECTED = "ditolak", _("Rejected (ditolak)")

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="usulan")
    kelurahan_batch = models.ForeignKey(
        KelurahanBatch, on_delete=models.PROTECT, related_name="usulan"
    )
    kelurahan = models.ForeignKey(
        "households.Region", verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    nik = models.CharField("NIK", max_length=16, blank=True)
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    visited_on = models.DateField(_("visited on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=255, blank=True)
    decided_at = models.DateTimeField(null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by_extract = models.ForeignKey(
        "national.Extract", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("usulan")
        verbose_name_plural = _("usulan")
        permissions = [("decide_usulan", "Can record the national system's answer to an usulan")]
        indexes = [models.Index(fields=["household"], name="national_usulan_household")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.kk_number}"
