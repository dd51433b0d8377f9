"""Needs assessment (asesmen kebutuhan) and PMKS classification of a household's people
(issue 21). Every write goes through here (STYLE.md section 5).

An assessment is made by someone who writes in the household's kelurahan (the facilitator, the
desk; the Verifikator city-wide). It starts from what the registry suggests
(`registry_suggestions`, the conditions of households.needs), and the assessor confirms or
dismisses each suggestion: a suggestion is never silently taken for a need, and an assessment
that leaves one undecided is refused. A re-assessment is a new version; the earlier ones stay.

A PMKS classification records a person in one of the 26 categories, dated, with who recorded
it. Sensitive categories are recorded and seen by Dinas Sosial only (households.scope).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from households import needs as registry_needs
from households.hooks import household_saved
from households.models import (
    AssessedNeed,
    Assessment,
    Domain,
    Household,
    Intervention,
    Member,
    NeedKind,
    PmksCategory,
    PmksClassification,
    Severity,
)
from households.models.assessments import ECONOMIC_KINDS, KIND_DOMAIN, SUGGESTED_KINDS
from households.scope import guard_write, scope_for

NOTE_MAX_LENGTH = 2000
MAX_AMOUNT = 10_000_000_000  # Rp10 billion: more is a typing error, not a family's capital need
# No assessment or PMKS record is dated before this many days ago: a paper form from the last
# visit is entered late, not one from years back.
MAX_DAYS_BACK = 366
# Graduation (issue 21 part 4) compares the income per person at two assessments at least this
# many days apart ("6 months").
GRADUATION_GAP_DAYS = 182
MAX_MONTHLY_INCOME = 1_000_000_000  # Rp1 billion a month: more is a typing error


@dataclass(frozen=True)
class Suggestion:
    """A need the registry suggests: for a person (`member`) or the whole household."""

    kind: str
    member: Member | None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.member.pk if self.member else 0}"

    @property
    def domain(self) -> str:
        return KIND_DOMAIN[self.kind]

    @property
    def label(self) -> str:
        return str(NeedKind(self.kind).label)


def registry_suggestions(
    household: Household, *, today: datetime.date | None = None
) -> list[Suggestion]:
    """What the registry suggests for this household today: one per living person meeting a
    member condition, one for each household condition that holds (households.needs)."""
    today = today or timezone.localdate()
    conditions = registry_needs.member_conditions(today)
    flags = {
        f"needs_{kind}": Case(When(condition, then=Value(True)), default=Value(False))
        for kind, condition in conditions.items()
    }
    living = Member.objects.filter(household=household, is_deceased=False)
    suggestions = [
        Suggestion(kind, member)
        for member in living.annotate(**flags).in_kk_order()  # one query for every condition
        for kind in conditions
        if getattr(member, f"needs_{kind}")
    ]
    one = Household.objects.filter(pk=household.pk)
    for kind, holding in registry_needs.household_needs(one).items():
        if holding is not None and holding.exists():
            suggestions.append(Suggestion(kind, None))
    order = list(Domain)
    return sorted(suggestions, key=lambda s: order.index(s.domain))


@dataclass(frozen=True)
class NeedInput:
    """One need as the assessor gave it. `severity` empty: not present (for a suggestion:
    dismissed)."""

    kind: str
    severity: str = ""
    note: str = ""
    domain: str = ""  # for kind "domain": which one
    member_id: int | None = None
    suggested: bool = False
    intervention: str = ""
    amount: int | None = None


@transaction.atomic
def record_assessment(
    *,
    household: Household,
    assessed_on: datetime.date,
    needs: list[NeedInput],
    by: User,
    note: str = "",
    monthly_income: int | None = None,
) -> Assessment:
    """A new version of the household's needs assessment. `by` writes in the household's
    kelurahan. `needs` holds one "domain" row for each domain, a decision on every current
    registry suggestion, and any economic needs (each with its intervention). With the
    family's `monthly_income` the assessment keeps its income per person (living members),
    and the income per person at the latest earlier assessment made at least
    GRADUATION_GAP_DAYS before it (graduation's criteria read both)."""
    guard_write(by, household.kelurahan_id)
    Household.objects.select_for_update().filter(pk=household.pk).first()  # versions in turn
    _check_date(assessed_on, "assessed_on")
    members = {m.pk: m for m in Member.objects.filter(household=household)}
    rows = [_need_row(need, members) for need in needs]
    _check_domains(rows)
    _check_suggestions(household, rows)
    latest = Assessment.objects.filter(household=household).aggregate(v=Max("version"))["v"]
    income = _income_fields(household, assessed_on, monthly_income, members)
    try:
        with transaction.atomic():  # a savepoint: the loser of a race is told, not a 500
            assessment = Assessment.objects.create(
                household=household,
                version=(latest or 0) + 1,
                assessed_on=assessed_on,
                assessed_by=by,
                note=_clean_note(note),
                **income,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Someone saved an assessment of this family a moment ago: open it and check."),
            code="stale",
        ) from error
    for row in rows:
        row.assessment = assessment
    AssessedNeed.objects.bulk_create(rows)
    if monthly_income is not None:
        # The family's assessed income is a fact rules read (graduation's criteria, a
        # relapse): the apps above re-evaluate it as after any save.
        household_saved(household.pk)
    return assessment


def _income_fields(
    household: Household,
    assessed_on: datetime.date,
    monthly_income: int | None,
    members: dict[int, Member],
) -> dict:
    if monthly_income is None:
        return {}
    if not 0 <= monthly_income <= MAX_MONTHLY_INCOME:
        raise ValidationError(
            _("Write a monthly income from Rp0 to Rp%(max)s.")
            % {"max": f"{MAX_MONTHLY_INCOME:,}".replace(",", ".")},
            code="invalid_income",
        )
    persons = sum(1 for m in members.values() if not m.is_deceased)
    if not persons:
        raise ValidationError(
            _("The family has no living member: its income per person cannot be counted."),
            code="no_members",
        )
    earlier = (
        Assessment.objects.filter(
            household=household,
            income_per_capita__isnull=False,
            assessed_on__lte=assessed_on - datetime.timedelta(days=GRADUATION_GAP_DAYS),
        )
        .order_by("-assessed_on", "-version")
        .values("income_per_capita", "assessed_on")
        .first()
    )
    return {
        "monthly_income": monthly_income,
        "person_count": persons,
        "income_per_capita": monthly_income // persons,
        "earlier_income_per_capita": earlier["income_per_capita"] if earlier else None,
        "earlier_assessed_on": earlier["assessed_on"] if earlier else None,
    }


def _need_row(need: NeedInput, members: dict[int, Member]) -> AssessedNeed:
    if need.kind not in NeedKind.values:
        raise ValidationError(
            _("Unknown need “%(kind)s”."), code="invalid", params={"kind": need.kind}
        )
    if need.severity and need.severity not in Severity.values:
        raise ValidationError(_("Choose mild, moderate or severe."), code="invalid_severity")
    if need.kind == NeedKind.DOMAIN:
        if need.domain not in Domain.values:
            raise ValidationError(_("Choose a domain."), code="invalid")
        domain = need.domain
    else:
        domain = KIND_DOMAIN[need.kind]
    member = None
    if need.member_id is not None:
        member = members.get(need.member_id)
        if member is None:  # another family's person: as if unknown
            raise ValidationError(_("Choose a member of this family."), code="invalid_member")
    present = bool(need.severity)
    intervention = ""
    if need.kind in ECONOMIC_KINDS:
        if not present:
            raise ValidationError(
                _("Choose how severe the economic need “%(need)s” is."),
                code="severity_required",
                params={"need": NeedKind(need.kind).label},
            )
        if need.intervention not in Intervention.values:
            raise ValidationError(
                _("Choose the intervention the economic need “%(need)s” points to."),
                code="intervention_required",
                params={"need": NeedKind(need.kind).label},
            )
        intervention = need.intervention
        if need.amount is not None and not 0 <= need.amount <= MAX_AMOUNT:
            raise ValidationError(
                _("Write an amount from Rp0 to Rp%(max)s.")
                % {"max": f"{MAX_AMOUNT:,}".replace(",", ".")},
                code="invalid_amount",
            )
    elif need.intervention or need.amount is not None:
        raise ValidationError(
            _("Only an economic need points to an intervention or an amount."), code="invalid"
        )
    return AssessedNeed(
        domain=domain,
        kind=need.kind,
        member=member,
        present=present,
        severity=need.severity,
        suggested=need.suggested,
        intervention=intervention,
        amount=need.amount,
        note=_clean_note(need.note),
    )


def _check_domains(rows: list[AssessedNeed]) -> None:
    """Every domain answered once: present or not is part of the record."""
    answered = [row.domain for row in rows if row.kind == NeedKind.DOMAIN]
    if sorted(answered) != sorted(Domain.values):
        raise ValidationError(
            _("Answer every domain once (need or no need)."), code="domains_incomplete"
        )


def _check_suggestions(household: Household, rows: list[AssessedNeed]) -> None:
    """Each current registry suggestion is decided (confirmed or dismissed) exactly once, and
    nothing is passed off as a suggestion that the registry did not make."""
    current = {(s.kind, s.member.pk if s.member else None) for s in registry_suggestions(household)}
    decided = [(row.kind, row.member_id) for row in rows if row.suggested]
    if any(row.suggested and row.kind not in SUGGESTED_KINDS for row in rows):
        raise ValidationError(_("This need is not a registry suggestion."), code="invalid")
    if len(decided) != len(set(decided)) or set(decided) != current:
        raise ValidationError(
            _(
                "Confirm or dismiss each need the registry suggests (the family's records "
                "may have changed: open the form again)."
            ),
            code="undecided_suggestion",
        )


def _check_date(day: datetime.date, field: str) -> None:
    today = timezone.localdate()
    if day > today:
        error = ValidationError(_("The date cannot be in the future."), code="future")
        raise ValidationError({field: error})
    if day < today - datetime.timedelta(days=MAX_DAYS_BACK):
        error = ValidationError(_("The date cannot be more than a year ago."), code="too_old")
        raise ValidationError({field: error})


def _clean_note(note: str) -> str:
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Write the note in at most %(max)d characters."),
            code="too_long",
            params={"max": NOTE_MAX_LENGTH},
        )
    return note


# --- PMKS -----------------------------------------------------------------------------------


@transaction.atomic
def classify_person(
    *,
    member: Member,
    category: PmksCategory,
    recorded_on: datetime.date,
    by: User,
    note: str = "",
) -> PmksClassification:
    """Record `member` in a PMKS category. `by` writes in the person's kelurahan; a sensitive
    category only by Dinas Sosial (to anyone else it is not a category they can choose)."""
    guard_write(by, member.household.kelurahan_id)
    if category.is_sensitive and not scope_for(by).sees_sensitive_pmks:
        raise ValidationError(
            {
                "category": ValidationError(
                    _("Choose a PMKS category from the list."), code="invalid_category"
                )
            }
        )
    if member.is_deceased:
        raise ValidationError(
            {"member": ValidationError(_("This person is recorded as deceased."), code="deceased")}
        )
    _check_date(recorded_on, "recorded_on")
    Member.objects.select_for_update().filter(pk=member.pk).first()  # one at a time
    current = PmksClassification.objects.current().filter(member=member, category=category)
    if current.exists():
        raise ValidationError(
            {
                "category": ValidationError(
                    _("This person is already recorded in this category."), code="duplicate"
                )
            }
        )
    return PmksClassification.objects.create(
        member=member,
        category=category,
        recorded_on=recorded_on,
        recorded_by=by,
        note=_clean_note(note),
    )


@transaction.atomic
def end_pmks_classification(
    *, classification: PmksClassification, ended_on: datetime.date, by: User
) -> PmksClassification:
    """The person is no longer in the category from `ended_on`: kept, with who ended it. Same
    rights as recording it."""
    guard_write(by, classification.member.household.kelurahan_id)
    if classification.category.is_sensitive and not scope_for(by).sees_sensitive_pmks:
        raise ValidationError(_("Choose a PMKS category from the list."), code="invalid_category")
    _check_date(ended_on, "ended_on")
    if ended_on < classification.recorded_on:
        raise ValidationError(
            {
                "ended_on": ValidationError(
                    _("The end cannot be before the date it was recorded."), code="before_start"
                )
            }
        )
    updated = PmksClassification.objects.filter(pk=classification.pk, ended_on__isnull=True)
    if not updated.update(ended_on=ended_on, ended_by=by, updated_at=timezone.now()):
        raise ValidationError(_("This record was already ended."), code="stale")
    classification.refresh_from_db()
    return classification
