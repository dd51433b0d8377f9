"""Graduation (graduasi) out of poverty, and relapse (issue 21 part 4): selectors and services.

A facilitator proposes a family's graduation with evidence; a verifier (not the proposer)
confirms or rejects it with a note. "By the criteria" needs the active rule set's definition
`graduation_ready` (models.GRADUATION_READY) to hold, at the proposal and again at the
confirmation; "sejahtera mandiri" is the family's own declaration, the criteria are shown for
information. A confirmation ends the family's enrolments with the reason "graduasi" through
households' service (this module calls down into households, never the reverse).

A relapse is a confirmed graduation followed, within RELAPSE_WINDOW_DAYS, by the family meeting
the definition of a poor household again (when it did not at the confirmation), by a needs
assessment finding its income per person below the poverty line, or by a new enrolment in an
aid program. `detect_relapses` looks for them after every household save (evaluate_household)
and after every whole-registry run (the nightly run included): graduations are few, each
candidate is read with the catalogue's Python readers.
"""

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eligibility.conditions import evaluate
from eligibility.fields import CATALOGUE, load_facts, read_values
from eligibility.models import GRADUATION_READY, RELAPSE_WINDOW_DAYS, Graduation, Relapse
from eligibility.presenters import explain
from eligibility.selectors import definition, poor_definition
from eligibility.services import active_rule_set
from households.models import Assessment, Enrolment, Household
from households.scope import guard_write
from households.services import end_household_enrolments

NOTE_MAX_LENGTH = 2000
END_REASON = "graduasi"

# --- reading ---------------------------------------------------------------------------------


@dataclass
class Readiness:
    """The graduation criteria of the active set against one family now."""

    defined: bool  # the active set has the definition
    met: bool
    rule_set_version: int | None
    criteria: list[dict] = field(default_factory=list)  # presenters.Criterion as dicts
    values: dict[str, Any] = field(default_factory=dict)


def readiness(household: Household) -> Readiness:
    """Evaluate `graduation_ready` for the family with the catalogue's readers: which
    criterion holds and which does not, with the values (the verifier reads these lines)."""
    compiled = definition(GRADUATION_READY)
    rule_set = active_rule_set()
    version = rule_set.version if rule_set else None
    if compiled is None:
        return Readiness(defined=False, met=False, rule_set_version=version)
    values = read_values(load_facts(household), compiled.fields)
    lines = [asdict(line) for line in explain(compiled.condition, values)]
    return Readiness(
        defined=True,
        met=evaluate(compiled.condition, values),
        rule_set_version=version,
        criteria=lines,
        values=values,
    )


def is_poor(household: Household) -> bool:
    """Whether the family meets the active set's definition of a poor household now."""
    poor = poor_definition()
    if poor is None:
        return False
    return evaluate(poor.condition, read_values(load_facts(household), poor.fields))


# --- writing ---------------------------------------------------------------------------------


def _clean(text: str, *, code: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code=code)
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Write at most %(max)s characters."), code="too_long", params={"max": NOTE_MAX_LENGTH}
        )
    return text


@transaction.atomic
def propose_graduation(*, household: Household, kind: str, evidence: str, by: User) -> Graduation:
    """A facilitator proposes that the family graduates. `by` writes in the household's
    kelurahan. Refused: without evidence; while another proposal waits; for a family already
    graduated (and not relapsed); "by the criteria" when the active set's graduation_ready
    does not hold (or is not defined)."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    guard_write(by, current.kelurahan_id)
    if kind not in Graduation.Kind.values:
        raise ValidationError(_("Choose the kind of graduation."), code="invalid_kind")
    evidence = _clean(
        evidence,
        code="evidence_required",
        message=_("Write the evidence: what shows the family no longer needs aid."),
    )
    if Graduation.objects.proposed().filter(household=current).exists():
        raise ValidationError(
            _("A graduation of this family is already waiting for a verifier."),
            code="already_proposed",
        )
    if Graduation.objects.confirmed().filter(household=current, relapse__isnull=True).exists():
        raise ValidationError(_("This family has already graduated."), code="already_graduated")
    ready = readiness(current)
    if kind == Graduation.Kind.CRITERIA and not ready.met:
        raise ValidationError(
            _(
                "The family does not meet the graduation criteria of the active rules (see "
                "which criterion is not met). A family that declares it no longer needs aid "
                "graduates as “sejahtera mandiri”."
            ),
            code="criteria_not_met",
        )
    try:
        with transaction.atomic():
            return Graduation.objects.create(
                household=current,
                kind=kind,
                evidence=evidence,
                proposed_by=by,
                rule_set_version=ready.rule_set_version,
                criteria_met=ready.met if ready.defined else None,
                criteria=ready.criteria,
            )
    except IntegrityError as error:  # a second proposal at the same moment
        raise ValidationError(
            _("A graduation of this family is already waiting for a verifier."),
            code="already_proposed",
        ) from error


@transaction.atomic
def decide_graduation(*, graduation: Graduation, confirm: bool, note: str, by: User) -> Graduation:
    """A verifier confirms or rejects a proposed graduation, with a note (the evidence they
    checked, or why not). `by` writes in the household's kelurahan and did not propose it.
    A confirmation "by the criteria" re-checks them; it ends every enrolment of the family
    with the reason "graduasi". The loser of two decisions at once is told."""
    household = Household.objects.select_for_update().get(pk=graduation.household_id)
    guard_write(by, household.kelurahan_id)
    if graduation.proposed_by_id == by.pk:
        raise ValidationError(
            _("Another verifier decides on a graduation you proposed."), code="own_proposal"
        )
    note = _clean(
        note,
        code="note_required",
        message=_("Write what you checked (confirmation) or why the graduation is rejected."),
    )
    status = Graduation.Status.CONFIRMED if confirm else Graduation.Status.REJECTED
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": status,
        "decided_by": by,
        "decided_at": now,
        "decision_note": note,
        "updated_at": now,
    }
    if confirm:
        ready = readiness(household)
        if graduation.kind == Graduation.Kind.CRITERIA and not ready.met:
            raise ValidationError(
                _(
                    "The family no longer meets the graduation criteria of the active rules: "
                    "reject the proposal or ask for a new assessment."
                ),
                code="criteria_not_met",
            )
        changes |= {
            "rule_set_version": ready.rule_set_version,
            "criteria_met": ready.met if ready.defined else None,
            "criteria": ready.criteria,
            "poor_at_confirmation": is_poor(household),
        }
    guarded = Graduation.objects.filter(pk=graduation.pk, status=Graduation.Status.PROPOSED)
    if not guarded.update(**changes):
        raise ValidationError(
            _("This graduation was decided by someone else a moment ago."), code="stale"
        )
    if confirm:
        end_household_enrolments(household=household, reason=END_REASON, by=by)
    graduation.refresh_from_db()
    return graduation


def _relapse_reason(graduation: Graduation) -> tuple[str, dict] | None:
    household = graduation.household
    since = graduation.decided_at
    enrolled = (
        Enrolment.objects.filter(household=household, created_at__gt=since)
        .exclude(status=Enrolment.Status.ENDED)
        .values_list("program__code", flat=True)
        .first()
    )
    if enrolled:
        return Relapse.Why.RE_ENROLLED, {"program": enrolled}
    # The latest assessment with an income, when made after the graduation: its income per
    # person read by the catalogue (a percentage of the poverty line, the one place the line
    # is read), below 100%.
    facts = load_facts(household)
    latest = (
        Assessment.objects.filter(household=household, income_per_capita__isnull=False)
        .order_by("-version")
        .values_list("created_at", "version")
        .first()
    )
    if latest is not None and latest[0] > since:
        pct = CATALOGUE["assessed_income_pct"].read(facts)
        if pct is not None and pct < 100:
            return Relapse.Why.ASSESSED_POOR, {"assessed_income_pct": pct, "version": latest[1]}
    if graduation.poor_at_confirmation is False and is_poor(household):
        return Relapse.Why.POOR_AGAIN, {}
    return None


def detect_relapses(
    *, household_ids: list[int] | None = None, now: datetime.datetime | None = None
) -> list[Relapse]:
    """Record a relapse for each graduation confirmed in the last RELAPSE_WINDOW_DAYS whose
    family has returned into poverty (see the module's docstring). Idempotent: a graduation
    relapses once. The caller holds no scope (a hook, a run)."""
    now = now or timezone.now()
    candidates = (
        Graduation.objects.confirmed()
        .filter(
            decided_at__gte=now - datetime.timedelta(days=RELAPSE_WINDOW_DAYS),
            decided_at__lte=now,
            relapse__isnull=True,
        )
        .select_related("household")
        .order_by("pk")
    )
    if household_ids is not None:
        candidates = candidates.filter(household_id__in=household_ids)
    found = []
    for graduation in candidates:
        reason = _relapse_reason(graduation)
        if reason is None:
            continue
        why, values = reason
        with transaction.atomic():
            relapse, created = Relapse.objects.get_or_create(
                graduation=graduation,
                defaults={
                    "household_id": graduation.household_id,
                    "detected_at": now,
                    "why": why,
                    "values": values,
                },
            )
        if created:
            found.append(relapse)
    return found
