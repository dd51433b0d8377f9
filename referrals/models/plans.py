"""A plan per family (rencana penanganan, issue 21): goals and interventions, and the follow-up
visits that check on them. Written only by referrals.plans.

An intervention is a referral to an agency, a proposed program enrolment, or the facilitator's
own action (a home visit, accompaniment). A referral's intervention has no status of its own:
its progress is read from the referral (`progress_of`, and `progress_expression` for counts),
so the plan can never say "open" of a referral the agency resolved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import (
    Agency,
    AssessedNeed,
    Assessment,
    Household,
    Intervention,
    Member,
    Program,
)
from referrals.models import Outcome, Referral, Status
from slrt.models import TimeStampedModel

# The need category (referrals' NeedCategory code, seeded by a data migration) that turns each
# economic intervention of an assessment into a referral, routed to the agency of
# households.models.assessments.INTERVENTION_AGENCY (tests/referrals/test_plans.py checks both
# agree).
INTERVENTION_CATEGORY: dict[str, str] = {
    Intervention.JOB_TRAINING: "pelatihan-kerja",
    Intervention.BUSINESS_CAPITAL: "modal-usaha",
    Intervention.KUBE: "kube",
    Intervention.UEP: "uep",
    Intervention.UMKM_SUPPORT: "pendampingan-umkm",
    Intervention.KUR: "kur",
}


class Progress(models.TextChoices):
    """Where an intervention stands: read from its referral, or set by the facilitator for a
    program proposal or their own action."""

    PLANNED = "planned", _("planned")
    UNDERWAY = "underway", _("under way")
    DONE = "done", _("done")
    STOPPED = "stopped", _("stopped")


# A referral's status → the intervention's progress. Resolved or closed is done when the
# family was served, stopped otherwise (not eligible, declined, ...); see progress_of.
_REFERRAL_PROGRESS: dict[str, str] = {
    Status.DRAFT: Progress.PLANNED,
    Status.SUBMITTED: Progress.UNDERWAY,
    Status.ACCEPTED: Progress.UNDERWAY,
    Status.IN_PROGRESS: Progress.UNDERWAY,
    Status.RETURNED: Progress.UNDERWAY,
    Status.REJECTED: Progress.STOPPED,
    Status.RESOLVED: Progress.DONE,
    Status.CLOSED: Progress.DONE,
}
_ENDED = (Status.RESOLVED, Status.CLOSED)


def progress_of(status: str, outcome: str) -> str:
    """The progress of a referral's intervention, from the referral's status and outcome."""
    if status in _ENDED and outcome and outcome != Outcome.SERVED:
        return Progress.STOPPED
    return _REFERRAL_PROGRESS[status]


def progress_expression(prefix: str = "") -> models.Case:
    """progress_of in SQL, for counting interventions by progress (the dashboards): the same
    table, so the page and the counts agree."""
    status, outcome = f"{prefix}referral__status", f"{prefix}referral__outcome"
    ended_unserved = (
        Q(**{f"{status}__in": _ENDED}) & ~Q(**{outcome: ""}) & ~Q(**{outcome: Outcome.SERVED})
    )
    whens = [models.When(ended_unserved, then=models.Value(Progress.STOPPED))]
    whens += [
        models.When(Q(**{status: code}), then=models.Value(progress))
        for code, progress in _REFERRAL_PROGRESS.items()
    ]
    return models.Case(
        *whens, default=models.F(f"{prefix}own_progress"), output_field=models.CharField()
    )


class PlanQuerySet(models.QuerySet):
    def active(self) -> "PlanQuerySet":
        return self.filter(closed_on__isnull=True)


class Plan(TimeStampedModel):
    """A family's plan, made with the family: who made it, when, and the family's agreement
    (the family is co-author: the member who agreed, and when). One active plan a household;
    a closed plan stays as it was."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="plans"
    )
    made_on = models.DateField(_("made on"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_by = models.ForeignKey(
        Member,
        verbose_name=_("agreed by (family member)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-pk"]
        verbose_name = _("family plan")
        verbose_name_plural = _("family plans")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(closed_on__isnull=True),
                name="referrals_plan_one_active",
            ),
            models.CheckConstraint(
                condition=Q(agreed_by__isnull=True, agreed_on__isnull=True)
                | Q(agreed_by__isnull=False, agreed_on__isnull=False),
                name="referrals_plan_agreement_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.kk_number} ({self.made_on})"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None


class PlanGoal(TimeStampedModel):
    """What the family wants to reach, optionally tied to a need of its assessment."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("family plan"), on_delete=models.CASCADE, related_name="goals"
    )
    text = models.CharField(_("goal"), max_length=300)
    need = models.ForeignKey(
        AssessedNeed,
        verbose_name=_("assessed need"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")

    def __str__(self) -> str:
        return self.text


class PlanIntervention(TimeStampedModel):
    """One step of the plan, with a target date. A referral's step follows its referral (and
    its agency, after a transfer); the others carry `own_progress`, set by the facilitator."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("referral to an agency")
        PROGRAM = "program", _("proposed program enrolment")
        OWN = "own", _("facilitator's own action")

    plan = models.ForeignKey(
        Plan, verbose_name=_("family plan"), on_delete=models.CASCADE, related_name="interventions"
    )
    goal = models.ForeignKey(
        PlanGoal,
        verbose_name=_("goal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("what is to be done"), max_length=300)
    target_date = models.DateField(_("target date"))
    referral = models.OneToOneField(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_intervention",
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A program proposal may name the agency that runs it; an own action has none.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    own_progress = models.CharField(
        _("progress"), max_length=10, choices=Progress.choices, default=Progress.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["plan_id", "target_date", "pk"]
        verbose_name = _("plan intervention")
        verbose_name_plural = _("plan interventions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="referral", referral__isnull=False, agency__isnull=True)
                | Q(kind="program", referral__isnull=True, program__isnull=False)
                | Q(kind="own", referral__isnull=True, program__isnull=True, agency__isnull=True),
                name="referrals_planintervention_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def progress(self) -> str:
        if self.referral_id is not None:
            return progress_of(self.referral.status, self.referral.outcome)
        return self.own_progress

    def get_progress_display(self) -> str:
        return str(Progress(self.progress).label)

    @property
    def agency_shown(self) -> Agency | None:
        """Who serves it: the referral's agency now (it follows a transfer), else the one
        named with a program proposal."""
        return self.referral.agency if self.referral_id is not None else self.agency


class FollowUpVisit(TimeStampedModel):
    """A visit to check on the plan: when, where (optional), what was found, and the family's
    re-assessment when one was made (through households.assessments)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("family plan"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"))
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("updated assessment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["plan_id", "-visited_on", "-pk"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.visited_on}"
