"""The family's plan (rencana penanganan, issue 21): every write to a plan goes through here
(STYLE.md section 5).

A plan is made by someone who writes in the household's kelurahan (the facilitator, the desk),
with the family, whose agreement is recorded (which member agreed, when). Its interventions are
referrals (raised through referrals.services, routed to the category's agency), proposed program
enrolments, or the facilitator's own actions; a referral's intervention follows its referral
(referrals.models.plans.progress_of), the others' progress is set here. Follow-up visits record
what was found and, where the family was assessed again, that assessment (households.assessments
makes it)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Agency, AssessedNeed, Assessment, Household, Member, Program
from households.scope import guard_write
from referrals.models import (
    FollowUpVisit,
    NeedCategory,
    Plan,
    PlanGoal,
    PlanIntervention,
    Priority,
    Progress,
)
from referrals.services import raise_referral

TEXT_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 2000
MAX_DAYS_BACK = 366  # a paper plan or visit from the last year is entered late, not older ones
MAX_YEARS_AHEAD = 3  # a target further than this is a typing error


def _guard(plan_or_household: Plan | Household, by: User) -> Household:
    """The household, after checking `by` writes in its kelurahan (else 404, as a read)."""
    household_id = (
        plan_or_household.household_id
        if isinstance(plan_or_household, Plan)
        else plan_or_household.pk
    )
    household = Household.objects.select_related("kelurahan").get(pk=household_id)
    guard_write(by, household.kelurahan_id)
    return household


def _active(plan: Plan) -> None:
    if Plan.objects.filter(pk=plan.pk, closed_on__isnull=False).exists():
        raise ValidationError(_("This plan is closed: start a new one."), code="plan_closed")


@transaction.atomic
def create_plan(
    *,
    household: Household,
    made_on: datetime.date,
    by: User,
    agreed_by: Member | None = None,
    note: str = "",
) -> Plan:
    """The household's plan, made on `made_on` with the family: `agreed_by` is the member who
    agreed to it (the family is co-author), recorded as agreed on the day it was made. One
    active plan a household."""
    household = _guard(household, by)
    Household.objects.select_for_update().filter(pk=household.pk).first()  # one at a time
    _check_past(made_on, "made_on")
    _check_member(agreed_by, household, "agreed_by")
    if Plan.objects.active().filter(household=household).exists():
        raise ValidationError(
            _("This family already has a plan: add to it instead."), code="plan_exists"
        )
    try:
        with transaction.atomic():
            return Plan.objects.create(
                household=household,
                made_on=made_on,
                made_by=by,
                agreed_by=agreed_by,
                agreed_on=made_on if agreed_by is not None else None,
                note=_clean(note, NOTE_MAX_LENGTH),
            )
    except IntegrityError as error:  # a second plan saved a moment ago (the constraint)
        raise ValidationError(
            _("This family already has a plan: add to it instead."), code="plan_exists"
        ) from error


@transaction.atomic
def record_agreement(*, plan: Plan, agreed_by: Member, agreed_on: datetime.date, by: User) -> Plan:
    """The family agreed to the plan (later than it was made): which member, and when."""
    household = _guard(plan, by)
    _active(plan)
    _check_past(agreed_on, "agreed_on")
    _check_member(agreed_by, household, "agreed_by")
    if agreed_on < plan.made_on:
        raise ValidationError(
            {
                "agreed_on": ValidationError(
                    _("The family cannot agree before the plan was made."), code="before_plan"
                )
            }
        )
    Plan.objects.filter(pk=plan.pk).update(
        agreed_by=agreed_by, agreed_on=agreed_on, updated_at=timezone.now()
    )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def add_goal(*, plan: Plan, text: str, by: User, need: AssessedNeed | None = None) -> PlanGoal:
    """A goal of the plan, tied (optionally) to a need of this family's assessment."""
    _guard(plan, by)
    _active(plan)
    text = _clean(text, TEXT_MAX_LENGTH)
    if not text:
        raise ValidationError({"text": ValidationError(_("Write the goal."), code="required")})
    if need is not None and need.assessment.household_id != plan.household_id:
        raise ValidationError(
            {"need": ValidationError(_("Choose a need of this family."), code="invalid_need")}
        )
    return PlanGoal.objects.create(plan=plan, text=text, need=need)


@transaction.atomic
def add_intervention(
    *,
    plan: Plan,
    kind: str,
    description: str,
    target_date: datetime.date,
    by: User,
    goal: PlanGoal | None = None,
    category: NeedCategory | None = None,
    member: Member | None = None,
    priority: str = Priority.NORMAL,
    program: Program | None = None,
    agency: Agency | None = None,
) -> PlanIntervention:
    """One step of the plan. A referral's step raises the referral now (referrals.services:
    routed to the category's agency, submitted, on the agency's clock); a program proposal
    names the program (and, optionally, the agency that runs it); an own action is the
    facilitator's."""
    household = _guard(plan, by)
    _active(plan)
    description = _clean(description, TEXT_MAX_LENGTH)
    if not description:
        raise ValidationError(
            {"description": ValidationError(_("Describe what is to be done."), code="required")}
        )
    _check_target(target_date)
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError(
            {"goal": ValidationError(_("Choose a goal of this plan."), code="invalid_goal")}
        )
    _check_member(member, household, "member")
    fields: dict[str, object] = {}
    if kind == PlanIntervention.Kind.REFERRAL:
        if category is None or not category.is_active:
            raise ValidationError(
                {"category": ValidationError(_("Choose the need to refer."), code="required")}
            )
        fields["referral"] = raise_referral(
            household=household,
            category=category,
            description=description,
            member=member,
            priority=priority,
            by=by,
        )
    elif kind == PlanIntervention.Kind.PROGRAM:
        if program is None or not program.is_active:
            raise ValidationError(
                {"program": ValidationError(_("Choose the program."), code="required")}
            )
        fields |= {"program": program, "agency": agency}
    elif kind != PlanIntervention.Kind.OWN:
        raise ValidationError({"kind": ValidationError(_("Choose a kind."), code="invalid")})
    return PlanIntervention.objects.create(
        plan=plan,
        goal=goal,
        kind=kind,
        description=description,
        target_date=target_date,
        created_by=by,
        **fields,
    )


@transaction.atomic
def set_intervention_progress(
    *, intervention: PlanIntervention, progress: str, by: User
) -> PlanIntervention:
    """The facilitator's word on a program proposal or an own action. A referral's step
    follows its referral: its agency resolves it, nobody sets it here."""
    _guard(intervention.plan, by)
    _active(intervention.plan)
    if intervention.referral_id is not None:
        raise ValidationError(
            _("This step follows its referral: the agency's answer moves it."),
            code="follows_referral",
        )
    if progress not in Progress.values:
        raise ValidationError(_("Choose the progress."), code="invalid_progress")
    PlanIntervention.objects.filter(pk=intervention.pk).update(
        own_progress=progress, updated_at=timezone.now()
    )
    intervention.refresh_from_db()
    return intervention


@transaction.atomic
def record_follow_up_visit(
    *,
    plan: Plan,
    visited_on: datetime.date,
    notes: str,
    by: User,
    location: str = "",
    assessment: Assessment | None = None,
) -> FollowUpVisit:
    """A follow-up visit: when, where (optional), what was found, and the family's
    re-assessment if one was made at the visit (recorded by households.assessments first)."""
    _guard(plan, by)
    _active(plan)
    _check_past(visited_on, "visited_on")
    if visited_on < plan.made_on:
        raise ValidationError(
            {
                "visited_on": ValidationError(
                    _("A follow-up visit cannot be before the plan was made."), code="before_plan"
                )
            }
        )
    notes = _clean(notes, NOTE_MAX_LENGTH)
    if not notes:
        raise ValidationError(
            {"notes": ValidationError(_("Write what was found at the visit."), code="required")}
        )
    if assessment is not None and assessment.household_id != plan.household_id:
        raise ValidationError(
            {
                "assessment": ValidationError(
                    _("Choose an assessment of this family."), code="invalid_assessment"
                )
            }
        )
    return FollowUpVisit.objects.create(
        plan=plan,
        visited_on=visited_on,
        location=_clean(location, 200),
        notes=notes,
        assessment=assessment,
        visited_by=by,
    )


def _check_member(member: Member | None, household: Household, field: str) -> None:
    if member is not None and member.household_id != household.pk:
        raise ValidationError(
            {field: ValidationError(_("Choose a member of this family."), code="invalid_member")}
        )


def _check_past(day: datetime.date, field: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            {field: ValidationError(_("The date cannot be in the future."), code="future")}
        )
    if day < today - datetime.timedelta(days=MAX_DAYS_BACK):
        raise ValidationError(
            {field: ValidationError(_("The date cannot be more than a year ago."), code="too_old")}
        )


def _check_target(day: datetime.date) -> None:
    today = timezone.localdate()
    if day < today - datetime.timedelta(days=MAX_DAYS_BACK) or day > today.replace(
        year=today.year + MAX_YEARS_AHEAD, day=min(today.day, 28)
    ):
        raise ValidationError(
            {
                "target_date": ValidationError(
                    _("Choose a target date within the next three years."), code="invalid_target"
                )
            }
        )


def _clean(text: str, limit: int) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ValidationError(
            _("Write at most %(max)d characters."), code="too_long", params={"max": limit}
        )
    return text
