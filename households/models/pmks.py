"""PMKS (Penyandang Masalah Kesejahteraan Sosial): the 26 categories of Permensos 8/2012 as
reference data, and the persons classified in them (issue 21)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models.registry import Member
from slrt.models import TimeStampedModel


class PmksCategory(TimeStampedModel):
    """One of the 26 PMKS categories. A sensitive one (HIV, NAPZA, trafficking, violence, tuna
    susila, children in conflict with the law) is seen only by Dinas Sosial (households.scope)."""

    number = models.PositiveSmallIntegerField(_("number in Permensos 8/2012"), unique=True)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (Indonesian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Seen only by Dinas Sosial, never below the kecamatan on dashboards."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")

    def __str__(self) -> str:
        return self.name


class PmksClassificationQuerySet(models.QuerySet):
    def current(self) -> "PmksClassificationQuerySet":
        """Those that still apply (not ended)."""
        return self.filter(ended_on__isnull=True)


class PmksClassification(TimeStampedModel):
    """A person recorded in a PMKS category: dated, with who recorded it. A person may carry
    several; one that no longer applies is ended (kept, with who ended it), never deleted."""

    member = models.ForeignKey(
        Member,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="pmks_classifications",
    )
    category = models.ForeignKey(
        PmksCategory,
        verbose_name=_("PMKS category"),
        on_delete=models.PROTECT,
        related_name="classifications",
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    ended_on = models.DateField(_("no longer applies since"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PmksClassificationQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "category__number", "-recorded_on", "-pk"]
        verbose_name = _("PMKS classification")
        verbose_name_plural = _("PMKS classifications")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "category"],
                condition=Q(ended_on__isnull=True),
                name="households_pmksclassification_one_current",
                violation_error_code="duplicate",
                violation_error_message=_("This person is already recorded in this category."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("recorded_on")),
                name="households_pmksclassification_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.category}"
