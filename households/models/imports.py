"""Import batches: an uploaded ward file, its validation, preview, commit and error report."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from slrt.messages import render_json
from slrt.models import TimeStampedModel


class ImportBatch(TimeStampedModel):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be checked")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked: waiting for confirmation")
        FAILED = "failed", _("Cannot be imported")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    class SourceFormat(models.TextChoices):
        SLRT = "slrt", _("SLRT template / ward file")
        PBDT2015 = "pbdt2015", _("PBDT 2015 / SIKS-NG codes")
        REGSOSEK2022 = "regsosek2022", _("Regsosek 2022 / DTSEN codes")

    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, db_index=True)
    source_format = models.CharField(
        _("file format"), max_length=12, choices=SourceFormat.choices, default=SourceFormat.SLRT
    )
    # The kelurahan the file is for: a desk operator's own; used when the file has no
    # kelurahan column. City-wide importers may leave it empty.
    kelurahan = models.ForeignKey(
        "households.Region",
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Row and record counts of the preview, then of the commit (see households.imports.plan).
    counts = models.JSONField(default=dict, blank=True)
    # A sample of field changes and the members that would move between families.
    preview = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    # The same message as its msgid and parameters, shown in the reader's language
    # (slrt.messages); empty for messages stored before.
    error_source = models.JSONField(null=True, blank=True)
    confirm_moves = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("households:import_detail", args=[self.pk])

    @property
    def error_text(self) -> str:
        """error_message in the reader's language."""
        return render_json(self.error_source, self.error_message)

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.COMMITTING)


class ImportIssue(models.Model):
    """One error or warning about one row (or the whole file) of a batch."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=40)
    message = models.TextField()  # in the language of the check (e-mail, logs, old rows)
    # The message as its msgid and parameters, shown in the reader's language (slrt.messages).
    message_source = models.JSONField(null=True, blank=True)
    severity = models.CharField(max_length=7, choices=Severity.choices)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [
            models.Index(
                fields=["batch", "severity", "row_number"], name="households_importissue_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.code}"

    @property
    def message_text(self) -> str:
        """The message in the reader's language."""
        return render_json(self.message_source, self.message)

    @property
    def column_label(self) -> str:
        """The column as the clerk's file and the template name it ("Tanggal Lahir"), not
        its internal key ("birth_date")."""
        from households.imports.columns import BY_NAME  # the import package reads models

        column = BY_NAME.get(self.column)
        return column.label if column else self.column


class ImportFamily(models.Model):
    """One family a batch adds or changes: listed in the preview (the first ones on the batch's
    page, all on their own page), then as the commit left it."""

    class Action(models.TextChoices):
        NEW = "new", _("New")
        UPDATED = "updated", _("Updated")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="families")
    first_row = models.PositiveIntegerField()  # the family's first row in the file
    kk_number = models.CharField(max_length=16)
    head_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=7, choices=Action.choices)
    # Where the family lives, so the list shows each viewer only the families in their scope.
    kelurahan = models.ForeignKey(
        "households.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The household once it exists: the one updated, or the one the commit created.
    household = models.ForeignKey(
        "households.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    members_new = models.PositiveIntegerField(default=0)
    members_changed = models.PositiveIntegerField(default=0)  # moved members included
    household_fields = models.JSONField(default=list, blank=True)  # columns of the household
    enrolments_new = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["first_row", "pk"]
        indexes = [models.Index(fields=["batch", "first_row"], name="households_importfamily_row")]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.kk_number}"

    @property
    def field_labels(self) -> list[str]:
        """The household columns that change, as the template names them."""
        from households.imports.columns import BY_NAME  # the import package reads models

        return [BY_NAME[name].label if name in BY_NAME else name for name in self.household_fields]
