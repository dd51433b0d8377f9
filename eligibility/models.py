"""Rules as data, their versioned sets, the flags they raise, runs and human review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from households.models import Household
from slrt.models import TimeStampedModel


class RuleSet(TimeStampedModel):
    """A version of the whole set of rules: draft → active → retired, one active at a time.
    A draft that is not wanted is discarded (kept, with who and when, never reused)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")
        DISCARDED = "discarded", _("discarded")

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Why the rules change (issue 20): asked for when the draft is opened, restated when it is
    # activated, and kept with the version. Blank only on sets older than the question.
    reason = models.TextField(_("reason for the change"), blank=True)
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="eligibility_ruleset_one_active",
            ),
        ]
        permissions = [
            ("activate_ruleset", _("Can activate a rule set")),
            ("simulate_ruleset", _("Can simulate a rule set")),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("eligibility:ruleset_detail", args=[self.pk])


class RuleQuerySet(models.QuerySet):
    def findings(self) -> "RuleQuerySet":
        """The rules a run turns into flags for review: all but program criteria and
        definitions."""
        return self.exclude(kind__in=Rule.NOT_FINDINGS)

    def program_criteria(self) -> "RuleQuerySet":
        return self.filter(kind=Rule.Kind.PROGRAM)


class Rule(TimeStampedModel):
    """One rule in one rule set. Its condition is JSON compiled by eligibility.conditions."""

    class Kind(models.TextChoices):
        EXCLUSION = "exclusion", _("exclusion criterion")
        INCLUSION = "inclusion", _("targeting error")
        DATA_QUALITY = "data_quality", _("data quality")
        # Who qualifies for an aid program (issue 18, item 11): read by the dashboards'
        # programs and planning pages, never a finding (a run makes no flags of it).
        PROGRAM = "program", _("program criteria")
        # A named population that rules refer to ({"definition": "poor"}) and the dashboards
        # count (issue 19): written once, so a verifier's edit changes every reader of it.
        # Never a finding either.
        DEFINITION = "definition", _("definition")

    class Severity(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="rules", verbose_name=_("rule set")
    )
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name_id = models.CharField(_("name (Indonesian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    condition = models.JSONField(_("condition"))
    message = models.CharField(_("message"), max_length=255)  # Indonesian
    message_en = models.CharField(
        _("message (English)"),
        max_length=255,
        blank=True,
        help_text=_("The same message for English readers; empty: the message above is shown."),
    )
    severity = models.CharField(
        _("severity"), max_length=6, choices=Severity.choices, default=Severity.MEDIUM
    )
    # The households.Program code whose criteria a PROGRAM rule states; blank for the others.
    program = models.SlugField(_("program"), max_length=20, blank=True)

    # The kinds a run makes no flags of.
    NOT_FINDINGS = (Kind.PROGRAM, Kind.DEFINITION)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["rule_set", "code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="eligibility_rule_code"),
            models.UniqueConstraint(
                fields=["rule_set", "program"],
                condition=~models.Q(program=""),
                name="eligibility_rule_one_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="program", program__gt="")
                | (~models.Q(kind="program") & models.Q(program="")),
                name="eligibility_rule_program_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def reader_message(self) -> str:
        """The message template in the reader's language (Indonesian when it has no English)."""
        from django.utils.translation import get_language

        english = (get_language() or "id").startswith("en")
        return self.message_en if english and self.message_en else self.message


# "Poor household" is defined once, as the rule of kind definition with this code in the active
# set (issue 19): the overview's poor households and exclusion errors, their history, the rule
# poor_no_program and the criteria of the programs that target the poor all read it. A set
# without it cannot be activated.
POOR = "poor"
REQUIRED_DEFINITIONS = (POOR,)


class Run(TimeStampedModel):
    """One evaluation of the active set over the registry. Shown only once complete."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        COMPLETE = "complete", _("complete")
        FAILED = "failed", _("failed")

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("rule set")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    # {"car_owner": {"flagged": 312, "new": 4, "resolved": 2}, ...}
    counts = models.JSONField(_("counts per rule"), default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("eligibility run")
        verbose_name_plural = _("eligibility runs")
        permissions = [("start_run", _("Can start an eligibility run"))]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.get_status_display()})"


class FlagQuerySet(models.QuerySet):
    def open(self) -> "FlagQuerySet":
        return self.filter(status=Flag.Status.OPEN)


class Flag(TimeStampedModel):
    """A rule holding for a household. Never changes aid by itself: a person decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("no longer holds")

    class Decision(models.TextChoices):
        NONE = "", _("not reviewed")
        CONFIRMED = "confirmed", _("confirmed: recommend removal from the program")
        DISMISSED = "dismissed", _("dismissed")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="eligibility_flags"
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="flags")
    rule_code = models.SlugField(max_length=40)  # stable across rule versions
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    values = models.JSONField(_("triggering values"), default=dict)
    run = models.ForeignKey(
        Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default="", blank=True
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "household"],
                condition=Q(status="open"),
                name="eligibility_flag_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "rule_code"], name="eligibility_flag_status_rule"),
            # The flag queue's decided and dismissed counts per rule (issue 17): the few
            # decided flags, not every flag of the rule (196,499 flags: 297 ms -> 0.9 ms).
            models.Index(
                fields=["rule_code", "decision"],
                condition=~Q(decision=""),
                name="eligibility_flag_decided_rule",
            ),
        ]
        permissions = [("review_flag", _("Can confirm or dismiss a flag"))]

    def __str__(self) -> str:
        return f"{self.rule_code} – {self.household_id}"

    @property
    def state_display(self) -> str:
        """One word for where the finding stands: its decision once decided (issue 20: not
        "open · confirmed"), else whether it still holds."""
        if self.decision == Flag.Decision.CONFIRMED:
            return str(_("Confirmed"))
        if self.decision == Flag.Decision.DISMISSED:
            return str(_("Dismissed"))
        if self.status == Flag.Status.RESOLVED:
            return str(_("No longer holds"))
        return str(_("Open, not reviewed"))


class ReviewDecision(models.Model):
    """A person's decision on a flag; the history of decisions is these rows."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Flag.Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Issue 20: the standard reason of a dismissal (the free text says more) and the household
    # case decided with it; both empty for decisions on single flags made before.
    standard_reason = models.ForeignKey(
        "DismissalReason",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("standard reason"),
    )
    case = models.ForeignKey(
        "CaseDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.flag_id}: {self.decision}"


class DismissalReason(TimeStampedModel):
    """A standard reason for dismissing a finding (issue 20): data, so Dinas Sosial adds or
    retires reasons in the admin and the dismiss rate can be read per reason."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("reason (Indonesian)"), max_length=150)
    text_en = models.CharField(_("reason (English)"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("dismissal reason")
        verbose_name_plural = _("dismissal reasons")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.text_en if (get_language() or "id").startswith("en") else self.text


class CaseDecision(TimeStampedModel):
    """One decision on a household's review case (issue 20): every open finding of the family
    confirmed or dismissed at once, and the consequence for each of its enrolments. The
    decisions on the single findings are ReviewDecision rows pointing here."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="case_decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case decision")
        verbose_name_plural = _("case decisions")

    def __str__(self) -> str:
        return f"case {self.household_id} ({self.created_at:%Y-%m-%d})"


class Consequence(models.Model):
    """What a case decision means for one enrolment of the family."""

    class Outcome(models.TextChoices):
        REMOVE = "remove", _("recommend removal")
        KEEP = "keep", _("keep")
        VISIT = "visit", _("needs a home visit")

    decision = models.ForeignKey(
        CaseDecision, on_delete=models.CASCADE, related_name="consequences"
    )
    enrolment = models.ForeignKey(
        "households.Enrolment", on_delete=models.PROTECT, related_name="case_consequences"
    )
    outcome = models.CharField(_("consequence"), max_length=6, choices=Outcome.choices)

    class Meta:
        ordering = ["decision", "pk"]
        verbose_name = _("consequence")
        verbose_name_plural = _("consequences")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "enrolment"], name="eligibility_consequence_one_per_enrolment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.outcome}"


class CaseAssignment(TimeStampedModel):
    """Who reviews a household's case (issue 20). One reviewer per household."""

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="case_assignment"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")

    def __str__(self) -> str:
        return f"{self.household_id} → {self.assignee_id}"


# Graduation (issue 21 part 4): the active set's definition of this code says when a family
# is out of poverty by the criteria (income per person above the poverty line at two needs
# assessments at least 6 months apart, no open exclusion finding). Not required for
# activation: without it only "sejahtera mandiri" graduations can be proposed.
GRADUATION_READY = "graduation_ready"
# A return into poverty this many days after a confirmed graduation is a relapse.
RELAPSE_WINDOW_DAYS = 365


class GraduationQuerySet(models.QuerySet):
    def confirmed(self) -> "GraduationQuerySet":
        return self.filter(status=Graduation.Status.CONFIRMED)

    def proposed(self) -> "GraduationQuerySet":
        return self.filter(status=Graduation.Status.PROPOSED)


class Graduation(TimeStampedModel):
    """A family leaving poverty (graduasi): proposed by the facilitator with evidence, then
    confirmed or rejected by a verifier. On confirmation the family's enrolments end with the
    reason "graduasi" (households.services.end_household_enrolments)."""

    class Kind(models.TextChoices):
        CRITERIA = "criteria", _("By the criteria (income above the poverty line)")
        MANDIRI = "mandiri", _("Sejahtera mandiri (the family declares it no longer needs aid)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, awaiting verification")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="graduations",
    )
    kind = models.CharField(_("kind of graduation"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField(_("evidence"))
    # The criteria as evaluated when proposed and again when decided: the rule set's version,
    # whether the definition held and each line with its value (presenters.Criterion).
    rule_set_version = models.PositiveIntegerField(_("rule set version"), null=True, blank=True)
    criteria_met = models.BooleanField(_("criteria met"), null=True, blank=True)
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("verifier's note"), blank=True)
    # Whether the family met the definition of a poor household when confirmed (a relapse is a
    # *return* into poverty: a family still poor by its welfare decile does not relapse by it).
    poor_at_confirmation = models.BooleanField(null=True, blank=True)

    objects = GraduationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("graduation")
        verbose_name_plural = _("graduations")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="proposed"),
                name="eligibility_graduation_one_proposed",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_at__isnull=True)
                | (~Q(status="proposed") & Q(decided_at__isnull=False)),
                name="eligibility_graduation_decided_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "decided_at"], name="eligibility_graduation_st_dec"),
        ]
        permissions = [
            ("propose_graduation", _("Can propose a family's graduation")),
            ("decide_graduation", _("Can confirm or reject a graduation")),
        ]

    def __str__(self) -> str:
        return f"graduation {self.household_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("eligibility:graduation_detail", args=[self.pk])


class Relapse(TimeStampedModel):
    """A graduated family found poor again within RELAPSE_WINDOW_DAYS of the confirmation
    (detected by eligibility.graduation.detect_relapses after a save and after each run)."""

    class Why(models.TextChoices):
        POOR_AGAIN = "poor_again", _("Meets the definition of a poor household again")
        ASSESSED_POOR = (
            "assessed_poor",
            _("A needs assessment found income per person below the poverty line"),
        )
        RE_ENROLLED = "re_enrolled", _("Enrolled in an aid program again")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="relapses"
    )
    graduation = models.OneToOneField(
        Graduation, on_delete=models.PROTECT, related_name="relapse", verbose_name=_("graduation")
    )
    detected_at = models.DateTimeField(_("detected at"), db_index=True)
    why = models.CharField(_("why"), max_length=15, choices=Why.choices)
    values = models.JSONField(_("values"), default=dict, blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("relapse")
        verbose_name_plural = _("relapses")

    def __str__(self) -> str:
        return f"relapse {self.household_id} ({self.detected_at:%Y-%m-%d})"
