"""Monthly snapshots of the indicators per kelurahan: the trends and "change vs last month"."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import Region
from slrt.models import TimeStampedModel


class IndicatorSnapshot(TimeStampedModel):
    """One kelurahan's counts for one month, city-wide (not per agency or role): pages scope and
    suppress them as they do live figures. Written only by `snapshot_indicators`."""

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
    open_referrals = models.PositiveIntegerField(default=0)
    overdue_referrals = models.PositiveIntegerField(default=0)

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
