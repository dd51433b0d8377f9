"""A past for the demo registry (issue 18, point 10): families who left poverty during the last
year, as the change history a facilitator's update would have left (welfare decile 4 → their
current 5 or 6), so the backfilled monthly trend of poor households falls slowly. Deterministic:
the same registry gets the same history."""

from datetime import datetime, timedelta

from households.models import ChangeRecord, Household

# At most this share of the registry, chosen among families now in desil 5 or 6 who were
# registered over a year ago; their change dates spread over the last 360 days.
SHARE = 0.08
DAYS = 360


def add_demo_history(*, household_ids: range, now: datetime) -> int:
    """Write the change records of the chosen households of `household_ids` (this seed's)."""
    cap = int(len(household_ids) * SHARE)
    chosen = list(
        Household.objects.filter(
            pk__gte=household_ids.start,
            pk__lt=household_ids.stop,
            welfare_decile__in=(5, 6),
            created_at__lt=now - timedelta(days=DAYS + 5),
        )
        .order_by("pk")
        .values_list("pk", "kk_number", "welfare_decile")[: cap * 2 : 2]
    )
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                household_id=pk,
                entity="household",
                object_id=pk,
                object_label=kk,
                action=ChangeRecord.Action.UPDATED,
                changes={"welfare_decile": [4, decile]},
            )
            for pk, kk, decile in chosen
        ],
        batch_size=1000,
    )
    # created_at is set on insert: move each record back to its day, a month's worth at a time.
    by_month: dict[int, list[int]] = {}
    for index, (pk, _kk, _decile) in enumerate(chosen):
        by_month.setdefault(index * 37 % 12, []).append(pk)
    for month, pks in by_month.items():
        ChangeRecord.objects.filter(
            household_id__in=pks, entity="household", changes__has_key="welfare_decile"
        ).update(created_at=now - timedelta(days=month * 30 + 15))
    return len(chosen)
