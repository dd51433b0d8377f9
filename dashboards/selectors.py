"""Numbers only, so aggregate-only roles may call them (STYLE.md section 4)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from households.models import Household, Region
from households.scope import scope_for


@dataclass(frozen=True)
class DistrictSummary:
    code: str
    name: str
    households: int
    persons: int
    car_owners: int


def regions_for(user: User):
    """The kelurahan whose aggregates a user may see."""
    scope = scope_for(user)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    if scope.city_wide:
        return kelurahan
    return kelurahan.filter(pk__in=scope.kelurahan_ids)


def households_per_kecamatan(user: User) -> list[DistrictSummary]:
    rows = (
        Household.objects.filter(kelurahan__in=regions_for(user))
        .values(code=F("kelurahan__parent__code"), name=F("kelurahan__parent__name"))
        .annotate(
            households=Count("pk"),
            persons=Coalesce(Sum("member_count"), 0),
            car_owners=Count("pk", filter=Q(car_count__gt=0)),
        )
        .order_by("code")
    )
    return [DistrictSummary(**row) for row in rows]
