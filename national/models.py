"""The national data loop (issue 22): DTSEN/DTKS extracts as received each quarter, their
families and members matched to the registry, and the reconciliation cases between the two.

An extract is never changed once stored: the city keeps every quarter it received. Matching
(ExtractFamily.household) and the cases are derived and recomputed (national.reconcile).

The second half of issue 22 (verification visits, musyawarah kelurahan, usulan batches to
SIKS-NG) attaches to ReconciliationCase, not to the extract rows:
- a `Visit` (kunjungan verifikasi dan validasi) points at one case (`case`), is done by the
  ward's facilitator in the case's kelurahan (guard_write on case.kelurahan_id), and records
  the findings; a national_only case's visit may register the household (households
  services), after which reconcile_household() closes the need for it on its own;
- an `Usulan` (proposal: baru / perbaikan / keluar, `ReconciliationCase.Action`) points at
  the case (and its household, once registered), carries the musyawarah kelurahan's decision
  and joins an `UsulanBatch` (per kelurahan and period) that is exported for SIKS-NG;
- closing a case stays the one write that ends it (national.services.close_case, a note
  saying what was done); a visit or an usulan closes its case through that service. The
  next quarter's extract makes new cases; whether an usulan was accepted shows as the
  family's desil in it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from slrt.messages import render_json
from slrt.models import TimeStampedModel


class Extract(TimeStampedModel):
    """One file of DTSEN (or older DTKS) data for the city, as of a date."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")  # uploaded from the page, for a worker to import
        RECONCILING = "reconciling", _("Being imported and matched")
        COMPLETE = "complete", _("Imported")
        FAILED = "failed", _("Cannot be imported")

    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q3", from as_of
    as_of = models.DateField(_("data as of"))
    filename = models.CharField(_("file"), max_length=255)
    file = models.FileField(upload_to="national/%Y/%m/", blank=True)
    checksum = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    families = models.PositiveIntegerField(_("families"), default=0)
    members = models.PositiveIntegerField(_("members"), default=0)
    rejected = models.PositiveIntegerField(_("rows with errors"), default=0)
    uses_percentile = models.BooleanField(default=False)  # an older DTKS extract
    error_message = models.TextField(blank=True)
    error_source = models.JSONField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-as_of", "-pk"]
        permissions = [("import_extract", "Can import a DTSEN/DTKS extract")]
        constraints = [
            # The same file twice is one extract: a re-import changes nothing.
            models.UniqueConstraint(
                fields=["checksum"],
                condition=models.Q(status="complete"),
                name="national_extract_one_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quarter} ({self.filename})"

    @property
    def error_text(self) -> str:
        """Why the file could not be read, in the reader's language."""
        return render_json(self.error_source, self.error_message)

    @property
    def is_working(self) -> bool:
        """Waiting for a worker or being imported: the list refreshes itself."""
        return self.status in (self.Status.QUEUED, self.Status.RECONCILING)


class ExtractIssue(models.Model):
    """A row of the file that was not stored, and why (the error report)."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(null=True)
    column = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=40)
    message = models.TextField()
    message_source = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["row_number", "pk"]

    def __str__(self) -> str:
        return f"{self.extract_id}:{self.row_number} {self.code}"

    @property
    def text(self) -> str:
        return render_json(self.message_source, self.message)


class ExtractFamily(models.Model):
    """One family (KK) of an extract. `household`: the registry's family it is, by a
    member's NIK first, else by KK number (national.reconcile.match_extract)."""

    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="family_rows")
    kk_number = models.CharField(_("KK number"), max_length=16)
    # The kelurahan comes from the reader's region index (households.imports.regions) and the
    # household from the matching SQL: no per-row constraint check at COMMIT for 800,000 rows.
    kelurahan = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    desil = models.PositiveSmallIntegerField(_("desil"))
    programs = models.CharField(_("national programmes"), max_length=100, blank=True)
    head_name = models.CharField(_("head of family"), max_length=150, blank=True)
    member_count = models.PositiveSmallIntegerField(default=0)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.DO_NOTHING,  # households are never deleted
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        indexes = [
            models.Index(fields=["extract", "kk_number"], name="national_family_kk"),
            models.Index(fields=["household"], name="national_family_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desil__gte=1, desil__lte=10), name="national_family_desil"
            )
        ]

    def __str__(self) -> str:
        return f"KK {self.kk_number} desil {self.desil}"

    @property
    def program_codes(self) -> list[str]:
        return [code for code in self.programs.split(",") if code]


class ExtractMember(models.Model):
    """One person of an extract, as DTSEN has them; of the family with the same KK number in
    the same extract (no foreign key: members stream in before their families are known)."""

    # No database constraint: 2.6 million deferred foreign-key checks at COMMIT would cost
    # the import about as much as the COPY itself; only national.extracts writes these rows,
    # for the extract it has just created, and nothing deletes an extract.
    extract = models.ForeignKey(
        Extract,
        on_delete=models.PROTECT,
        related_name="member_rows",
        db_index=False,
        db_constraint=False,
    )
    kk_number = models.CharField(_("KK number"), max_length=16)
    nik = models.CharField("NIK", max_length=16)
    name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("date of birth"), null=True)
    row_number = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["extract", "nik"], name="national_member_nik"),
            models.Index(fields=["extract", "kk_number"], name="national_member_kk"),
        ]

    def __str__(self) -> str:
        return self.nik


class ReconciliationCaseQuerySet(models.QuerySet):
    def open(self) -> "ReconciliationCaseQuerySet":
        return self.filter(status=ReconciliationCase.Status.OPEN)


class ReconciliationCase(TimeStampedModel):
    """Where the city's registry and the national data disagree, for one family, as of one
    extract. Recomputed (national.reconcile); a closed case stays closed."""

    class Kind(models.TextChoices):
        UNREGISTERED = "unregistered", _("Not registered nationally")
        DESIL_MISMATCH = "desil_mismatch", _("Desil does not match")
        NATIONAL_ONLY = "national_only", _("Only in DTSEN")
        DATA_DIFFERS = "data_differs", _("Data differ")

    class Action(models.TextChoices):
        """What the case calls for: the second half of issue 22 turns these into visits
        and usulan."""

        PROPOSE_NEW = "usulan_baru", _("New proposal (usulan baru)")
        PROPOSE_CORRECTION = "usulan_perbaikan", _("Correction proposal (usulan perbaikan)")
        PROPOSE_EXIT = "usulan_keluar", _("Exit proposal (usulan keluar)")
        VISIT = "kunjungan", _("Verification visit")
        FIX_DATA = "perbaikan_data", _("Data correction")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    action = models.CharField(_("next step"), max_length=16, choices=Action.choices)
    kelurahan = models.ForeignKey(
        "households.Region", verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, related_name="+"
    )
    family = models.ForeignKey(
        ExtractFamily, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    # The facts that made it: the national desil, the city's finding ("poor", "excluded"),
    # the exclusion rules that fired, the NIK and the fields that differ.
    desil = models.PositiveSmallIntegerField(_("desil"), null=True)
    finding = models.CharField(max_length=12, blank=True)
    rules = models.CharField(max_length=200, blank=True)
    nik = models.CharField("NIK", max_length=16, blank=True)
    fields = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True)
    note = models.TextField(_("note"), blank=True)

    objects = ReconciliationCaseQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "kelurahan_id", "pk"]
        permissions = [("close_case", "Can close a reconciliation case")]
        indexes = [
            models.Index(
                fields=["extract", "status", "kelurahan", "kind"], name="national_case_queue"
            ),
            models.Index(fields=["household"], name="national_case_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | models.Q(family__isnull=False),
                name="national_case_has_family",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.extract_id})"

    @property
    def field_labels(self) -> list[str]:
        """The fields that differ (a data case), as the reader reads them."""
        return [str(FIELD_LABELS.get(name, name)) for name in self.fields.split()]

    @property
    def rule_codes(self) -> list[str]:
        return self.rules.split()


FIELD_LABELS = {
    "name": _("name"),
    "birth_date": _("date of birth"),
    "kk_number": _("KK number"),
    "kelurahan": _("kelurahan"),
}


# The second half of issue 22 (visits and usulan), in a module of its own.
from national.usulan_models import KelurahanBatch, Usulan, UsulanBatch, Visit  # noqa: E402, F401
