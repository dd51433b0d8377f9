"""Trends from day one (issue 18, point 10): snapshots backfilled from the records' dates."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from dashboards.history import counts_at
from dashboards.indicators import CODES
from dashboards.models import IndicatorSnapshot
from dashboards.selectors import household_counts
from dashboards.services import backfill_snapshots, snapshot_indicators
from eligibility.models import Flag
from households.models import ChangeRecord, Enrolment, Household, Region
from referrals.models import Referral, ReferralEvent, Status
from tests.dashboards.registry import LINE, crafted_registry
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 10, 15)
JULY, AUGUST, SEPTEMBER, OCTOBER = (datetime.date(2026, m, 1) for m in (7, 8, 9, 10))


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _history():
    """The crafted registry with a past: every household registered on 10 June; A enrolled
    on 5 August and flagged on 20 August; C poor (desil 3) until 20 September; A's referral
    sent on 10 August (due 24 August), resolved on 15 September."""
    registry = crafted_registry()
    a, _b, c, *_ = registry.households
    Household.objects.update(created_at=_at(datetime.date(2026, 6, 10)))
    Enrolment.objects.filter(household=a).update(start_date=datetime.date(2026, 8, 5))
    Flag.objects.filter(household=a).update(created_at=_at(datetime.date(2026, 8, 20)))
    record = ChangeRecord.objects.create(
        household=c, entity="household", object_id=c.pk, object_label=c.kk_number,
        action=ChangeRecord.Action.UPDATED, changes={"welfare_decile": [3, 8]},
    )  # fmt: skip
    ChangeRecord.objects.filter(pk=record.pk).update(created_at=_at(datetime.date(2026, 9, 20)))
    referral = Referral.objects.get(household=a)
    Referral.objects.filter(pk=referral.pk).update(due_date=datetime.date(2026, 8, 24))
    for day, before, after in (
        (datetime.date(2026, 8, 10), Status.DRAFT, Status.SUBMITTED),
        (datetime.date(2026, 8, 12), Status.SUBMITTED, Status.ACCEPTED),
        (datetime.date(2026, 9, 15), Status.ACCEPTED, Status.RESOLVED),
    ):
        ReferralEvent.objects.create(
            referral=referral, action="submit", from_status=before, to_status=after,
            created_at=_at(day),
        )  # fmt: skip
    return registry


def _margahayu(month, code):
    row = IndicatorSnapshot.objects.get(month=month, kelurahan__code="32.75.01.1002")
    return getattr(row, code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("households", [4, 4, 4, 4]),
        ("persons", [9, 9, 9, 9]),
        ("poor_households", [3, 3, 3, 2]),  # C leaves poverty on 20 September
        ("aid_recipients", [1, 1, 2, 2]),  # A enrolled on 5 August
        ("inclusion_errors", [0, 0, 1, 1]),  # A's finding of 20 August; C's was dismissed
        ("exclusion_errors", [2, 2, 1, 1]),
        ("open_referrals", [0, 0, 1, 0]),
        ("overdue_referrals", [0, 0, 1, 0]),
    ],
)
def test_backfill_rebuilds_each_month_from_the_records_dates(reference_data, code, expected):
    _history()
    result = backfill_snapshots(months=4, today=TODAY)
    assert result.written == [JULY, AUGUST, SEPTEMBER, OCTOBER]
    assert [_margahayu(month, code) for month in result.written] == expected


def test_households_registered_later_are_not_counted_earlier(reference_data):
    registry = _history()
    Household.objects.filter(pk=registry.households[1].pk).update(
        created_at=_at(datetime.date(2026, 8, 20))
    )
    backfill_snapshots(months=4, today=TODAY)
    assert [_margahayu(m, "households") for m in (JULY, AUGUST, SEPTEMBER)] == [3, 3, 4]


def test_every_kelurahan_gets_a_row_for_every_month(reference_data):
    _history()
    backfill_snapshots(months=12, today=TODAY)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN).count()
    assert IndicatorSnapshot.objects.count() == 12 * kelurahan
    assert IndicatorSnapshot.objects.filter(backfilled=False).count() == 0


def test_rerunning_replaces_backfilled_months_and_keeps_real_ones(reference_data):
    registry = _history()
    snapshot_indicators(month=OCTOBER)  # a real snapshot, counted at the time
    real = _margahayu(OCTOBER, "poor_households")
    backfill_snapshots(months=4, today=TODAY)
    household_with_members(registry.households[0].kelurahan, welfare_decile=1)
    Household.objects.update(created_at=_at(datetime.date(2026, 6, 10)))
    result = backfill_snapshots(months=4, today=TODAY)
    assert result.kept == [OCTOBER]
    assert result.written == [JULY, AUGUST, SEPTEMBER]
    assert _margahayu(OCTOBER, "poor_households") == real
    assert _margahayu(SEPTEMBER, "households") == 5  # rebuilt, not added to
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN).count()
    assert IndicatorSnapshot.objects.count() == 4 * kelurahan


def test_replace_rebuilds_real_months_too(reference_data):
    _history()
    snapshot_indicators(month=OCTOBER)
    result = backfill_snapshots(months=2, today=TODAY, replace=True)
    assert result.written == [SEPTEMBER, OCTOBER]
    assert not IndicatorSnapshot.objects.filter(backfilled=False).exists()


def test_command_backfills_the_months_asked_for(reference_data):
    crafted_registry()
    call_command("backfill_snapshots", "--months", "3")
    assert IndicatorSnapshot.objects.values("month").distinct().count() == 3
    with pytest.raises(CommandError):
        call_command("backfill_snapshots", "--months", "0")


def test_the_overview_trend_shows_twelve_months_after_a_backfill(client, pimpinan):
    crafted_registry()
    Household.objects.update(created_at=_at(datetime.date(2025, 1, 10)))
    backfill_snapshots(months=12)
    client.force_login(pimpinan)
    body = client.get(reverse("dashboards:overview")).content.decode()
    assert body.count('class="dot"') == 12


def test_the_history_counts_today_as_the_overview_does(reference_data):
    """The history evaluates the active definition of "poor" in Python, the overview in SQL:
    at this moment they count the same households (issue 19: one definition)."""
    kelurahan = Region.objects.get(code="32.75.01.1002")
    cases = [
        (None, None, 3), (None, 4, 3), (None, 5, 3), (0, None, 1), (LINE - 1, None, 1),
        (LINE, None, 1), (2 * LINE - 1, 9, 2), (2 * LINE, 9, 2), (10**9, 1, 5),
    ]  # fmt: skip
    for income, decile, size in cases:
        household_with_members(kelurahan, size=size, monthly_income=income, welfare_decile=decile)
    in_sql = household_counts(Region.objects.filter(pk=kelurahan.pk))[kelurahan.pk]
    moment = timezone.now() + datetime.timedelta(seconds=1)
    in_python = counts_at([moment])[moment][kelurahan.pk]
    assert in_python["poor_households"] == in_sql["poor_households"] == 5
    assert in_python["exclusion_errors"] == in_sql["exclusion_errors"] == 5


def test_the_demo_history_is_plausible(reference_data, settings):
    """A fresh `make run`: poverty falls slowly, referrals rise, the registry grows."""
    settings.DEBUG = True
    call_command("seed_demo", households=600, verbosity=0)
    call_command("seed_demo_referrals", verbosity=0)
    call_command("seed_demo_flags", stdout=io.StringIO())
    call_command("backfill_snapshots", "--months", "12", stdout=io.StringIO())
    rows = (
        IndicatorSnapshot.objects.values("month")
        .annotate(**{code: Sum(code) for code in CODES})
        .order_by("month")
    )
    series = {code: [row[code] for row in rows] for code in CODES}
    assert len(series["households"]) == 12
    assert series["households"] == sorted(series["households"])
    assert series["households"][0] > 0.9 * series["households"][-1]
    poor = series["poor_households"]
    assert poor[-1] < poor[0] < 1.15 * poor[-1]  # falling, slowly
    assert series["open_referrals"][-1] > series["open_referrals"][0]
    assert series["open_referrals"][6] >= series["open_referrals"][0]
    assert series["inclusion_errors"][1] > 0  # the rules were run as the year began


def test_families_assessed_and_planned_in_the_past(margahayu):
    """Issue 21: assessed from the first assessment's record time; planned while a plan made
    before the moment was not yet closed."""
    from households.models import Assessment
    from referrals.models import Plan

    registry = crafted_registry()
    a, _b, c, *_ = registry.households
    Household.objects.update(created_at=_at(datetime.date(2026, 6, 10)))
    Assessment.objects.filter(household=a).update(created_at=_at(datetime.date(2026, 8, 5)))
    Assessment.objects.exclude(household=a).update(created_at=_at(datetime.date(2026, 9, 5)))
    Plan.objects.filter(household=a).update(created_at=_at(datetime.date(2026, 8, 6)))
    Plan.objects.filter(household=c).update(
        created_at=_at(datetime.date(2026, 7, 6)), closed_on=datetime.date(2026, 8, 20)
    )
    moments = [
        timezone.make_aware(datetime.datetime.combine(m, datetime.time()))
        for m in (AUGUST, SEPTEMBER, OCTOBER)
    ]
    counts = counts_at(moments)
    kel = margahayu.pk
    figures = [
        (counts[m][kel]["assessed_households"], counts[m][kel]["households_with_plan"])
        for m in moments
    ]
    # 1 Aug: C's plan only; 1 Sep: A assessed and planned, C's closed; 1 Oct: B assessed too
    assert figures == [(0, 1), (1, 1), (2, 1)]
