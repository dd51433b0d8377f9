"""A move across kelurahan, asked for by a facilitator or a desk and decided by the Verifikator
(issue 16; DESIGN.md "Moves across kelurahan are a verifier's act")."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models.registry import Household, Member, Region


class MoveRequest(models.Model):
    """Either a whole family that moved to another kelurahan (`to_kelurahan`), or a person
    registered in another family who now lives in this one (`nik`, with their relationship
    here). The requester writes in `household`'s kelurahan; the other end (where the family
    goes, where the person is registered) may be outside their scope, which is why a
    city-wide Verifikator decides."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family moves to another kelurahan")
        PERSON = "person", _("Person joins this family")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the Verifikator")
        APPROVED = "approved", _("Approved and moved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="move_requests",
    )
    to_kelurahan = models.ForeignKey(
        Region,
        verbose_name=_("to kelurahan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The NIK as typed: whether and where it is registered is shown to the Verifikator only.
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    relationship = models.CharField(
        _("relationship to the head"),
        max_length=20,
        choices=Member.Relationship.choices,
        blank=True,
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="move_requests",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decision_note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("move request")
        verbose_name_plural = _("move requests")
        permissions = [("decide_moverequest", _("Can approve or reject moves between kelurahan"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="family", to_kelurahan__isnull=False, nik="")
                    | models.Q(kind="person", to_kelurahan__isnull=True)
                    & ~models.Q(nik="")
                    & ~models.Q(relationship="")
                ),
                name="households_moverequest_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – KK {self.household.kk_number} – {self.status}"
