"""Monthly snapshots of the indicators per kelurahan: the trends and "change vs last month"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import Region
from slrt.models import TimeStampedModel


class IndicatorSnapshot(TimeStampedModel):
    """One kelurahan's counts for one month, city-wide (not per agency or role): pages scope and
    suppress them as they do live figures. Written by `snapshot_indicators` (counted on the
    month's first day) and `backfill_snapshots` (rebuilt later from the records' own dates,
    `backfilled`; a real snapshot is never replaced by a backfilled one unless asked)."""

    month = models.DateField(_("month"))  # the first day of the month
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    households = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    poor_households = models.PositiveIntegerField(default=0)
    aid_recipients = models.PositiveIntegerField(default=0)
    inclusion_errors = models.PositiveIntegerField(default=0)
    exclusion_errors = models.PositiveIntegerField(default=0)
    assessed_households = models.PositiveIntegerField(default=0)
    households_with_plan = models.PositiveIntegerField(default=0)
    # Flows (dashboards.indicators.FLOW_CODES): events during this month, not at its first day.
    graduated_households = models.PositiveIntegerField(default=0)
    relapsed_households = models.PositiveIntegerField(default=0)
    open_referrals = models.PositiveIntegerField(default=0)
    overdue_referrals = models.PositiveIntegerField(default=0)
    backfilled = models.BooleanField(_("backfilled"), default=False)

    class Meta:
        ordering = ["month", "kelurahan"]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kelurahan"], name="dashboards_indicatorsnapshot_month_kel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kelurahan_id}"


class UnitCost(TimeStampedModel):
    """What one unit of a planning need costs (Rp a year), as the planner set it. A need
    without a row costs its documented default (dashboards.needs). Written only by
    `set_unit_cost`."""

    need = models.CharField(_("need"), max_length=30, unique=True)
    amount = models.PositiveBigIntegerField(_("unit cost (Rp)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["need"]
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")

    def __str__(self) -> str:
        return f"{self.need}: Rp{self.amount}"


class KelurahanCount(models.Model):
    """One figure of one kelurahan as last counted (issue 17): the dashboards, their exports
    and the indicators API read these rows, never the registry, so a page costs the same at
    30,000 households as at 300,000. Written only by `refresh_kelurahan_counts`, which replaces
    a kelurahan's rows in one transaction (dashboards.counts says when it runs)."""

    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.CASCADE, related_name="+"
    )
    # An indicator (dashboards.indicators), "<program>:<figure>" (dashboards.programs), a
    # planning need (dashboards.needs) or a deadline count (dashboards.selectors.DEADLINE_CODES).
    code = models.CharField(_("figure"), max_length=60)
    value = models.PositiveIntegerField(_("value"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("kelurahan figure")
        verbose_name_plural = _("kelurahan figures")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "code"], name="dashboards_kelurahancount_kel_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kelurahan_id} {self.code}={self.value}"
