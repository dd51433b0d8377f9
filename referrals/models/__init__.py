"""Referrals (rujukan): a need of a household routed to the agency that can serve it, with a
deadline, a state machine and one event per transition (DESIGN.md, issue 5)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Agency, Household, Member, Region
from referrals import sla
from slrt.messages import render_json
from slrt.models import TimeStampedModel
from slrt.stamps import StampedQuerySet


class NeedCategory(TimeStampedModel):
    """What a household needs (health, schooling, house repair, ...): data, with the agency
    that serves it by default and its deadline in days."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    default_agency = models.ForeignKey(
        Agency, verbose_name=_("default agency"), on_delete=models.PROTECT, related_name="+"
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days)"))
    urgent_deadline_days = models.PositiveSmallIntegerField(
        _("deadline when urgent (days)"),
        default=3,
        help_text=_("For referrals marked urgent; at most the normal deadline."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_days__gte=1), name="needcategory_deadline_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    urgent_deadline_days__gte=1, urgent_deadline_days__lte=models.F("deadline_days")
                ),
                name="referrals_needcategory_urgent_shorter",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def deadline_for(self, priority: str) -> int:
        """Days an agency has for a referral of this need with `priority`."""
        return self.urgent_deadline_days if priority == Priority.URGENT else self.deadline_days


class Complaint(TimeStampedModel):
    """What a person asked for at the Puskesos desk (pengaduan). It may be settled at the desk
    or raise one or more referrals; it is done when they are (referrals.services keeps
    `status`)."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("came to the desk")
        PHONE = "phone", _("phone")
        WHATSAPP = "whatsapp", _("WhatsApp")
        LETTER = "letter", _("letter")
        VISIT = "visit", _("home visit")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REFERRED = "referred", _("referred")
        DONE = "done", _("done")

    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant_name = models.CharField(_("name of the person who came"), max_length=120)
    complainant_phone = models.CharField(_("phone"), max_length=30, blank=True)
    request = models.TextField(_("what they asked for"))
    category = models.ForeignKey(
        NeedCategory,
        verbose_name=_("need"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WALK_IN
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    resolved_at_desk = models.BooleanField(_("resolved at the desk"), default=False)
    desk_note = models.TextField(_("note from the desk"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"#{self.pk} {self.complainant_name}"

    @property
    def follow_up_is_due(self) -> bool:
        """Not done, and its follow-up day has come."""
        return (
            self.status != self.Status.DONE
            and self.follow_up_on is not None
            and self.follow_up_on <= timezone.localdate()
        )


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    RETURNED = "returned", _("returned for information")
    REJECTED = "rejected", _("rejected")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


class Action(models.TextChoices):
    SUBMIT = "submit", _("submit")
    RESUBMIT = "resubmit", _("send again")
    ACCEPT = "accept", _("accept")
    START = "start", _("start work")
    RETURN = "return", _("return for information")
    REJECT = "reject", _("reject")
    TRANSFER = "transfer", _("transfer to another agency")
    RESOLVE = "resolve", _("resolve")
    CLOSE = "close", _("close")


class Record(models.TextChoices):
    """Entries of a referral's history that are not transitions: its status stays."""

    ATTACH = "attach", _("document added")
    DETACH = "detach", _("document removed")


# The target of a re-submission: the status the referral was returned from (the return's
# event row says which), so it goes back to the same agency and officer where it left off.
PREVIOUS = "previous"

# action -> (the statuses it may start from, the status it leads to). A transfer leads back
# to "submitted", at the other agency (DESIGN.md: transferred -> submitted); a returned
# referral sent again resumes where it was (issue 18: the officer need not accept it again).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), Status.SUBMITTED),
    Action.RESUBMIT: (frozenset({Status.RETURNED}), PREVIOUS),
    Action.ACCEPT: (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
    Action.START: (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    Action.RETURN: (
        frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.RETURNED,
    ),
    Action.REJECT: (frozenset({Status.SUBMITTED, Status.ACCEPTED}), Status.REJECTED),
    Action.TRANSFER: (
        frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.SUBMITTED,
    ),
    Action.RESOLVE: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.RESOLVED),
    Action.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
}
# Taken by the receiving agency's staff; the others by the side that raised the referral.
AGENCY_ACTIONS = frozenset(
    {Action.ACCEPT, Action.START, Action.RETURN, Action.REJECT, Action.TRANSFER, Action.RESOLVE}
)
# Closing needs a note too: how it ended for the family, in the origin's words (issue 18).
NEEDS_NOTE = frozenset(
    {Action.RETURN, Action.REJECT, Action.RESOLVE, Action.TRANSFER, Action.CLOSE}
)
OPEN = frozenset(
    {Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED}
)  # the agency or the origin still has to act
# Open and on the agency's clock: a returned referral waits for its origin instead.
ON_AGENCY_CLOCK = OPEN - {Status.RETURNED}


class Outcome(models.TextChoices):
    SERVED = "served", _("served")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("referred elsewhere")
    UNREACHABLE = "unreachable", _("could not be reached")
    DECLINED = "declined", _("declined by the family")


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


def overdue_q(today=None) -> models.Q:
    """Overdue, defined once: on the agency's clock and past the deadline. Every reader (the
    queryset, the filter, the queue's and the dashboards' counts) uses this."""
    return models.Q(status__in=ON_AGENCY_CLOCK, due_date__lt=today or timezone.localdate())


def urgent_rank() -> models.Case:
    """0 for an urgent referral, 1 for the others: the queue's first sort key, and the
    expression of the index that serves it (Referral.Meta.indexes, "referral_urgent_first")."""
    return models.Case(
        models.When(priority=Priority.URGENT, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


# The stamp of the navigation's counts (referrals.selectors.navigation_counts): every write
# to referrals or notifications moves it (slrt.stamps.watch, in ReferralsConfig.ready()).
NAVIGATION_STAMP = "referrals:navigation"


class ReferralQuerySet(StampedQuerySet):
    stamp_key = NAVIGATION_STAMP

    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=OPEN)

    def overdue(self, today=None) -> "ReferralQuerySet":
        return self.filter(overdue_q(today))

    def sent_to(self, agency_id: int) -> "ReferralQuerySet":
        """What an agency's staff work on: the referrals to the agency, never a draft."""
        return self.filter(agency_id=agency_id).exclude(status=Status.DRAFT)

    def urgent_first(self) -> "ReferralQuerySet":
        """The queue's order: urgent referrals on top, then the earliest deadline."""
        return self.order_by(urgent_rank(), "due_date", "pk")


class Referral(TimeStampedModel):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="referrals"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("need"), on_delete=models.PROTECT, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    description = models.TextField(_("what is needed"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    origin_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    origin_kelurahan = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="referral_queue"),
            # The queue's first page across statuses, by deadline (bench_referrals).
            models.Index(fields=["agency", "due_date", "id"], name="referrals_referral_agency_due"),
            # The navigation's "waiting on me" on every page of the origin's side: the user's
            # returned and resolved referrals, without reading all they ever raised.
            models.Index(fields=["origin_user", "status"], name="referrals_referral_origin_wait"),
            # The triage queue's first page (urgent_first over what is on the agency's clock)
            # read in order: 25 index entries instead of sorting the agency's open referrals,
            # 66 ms -> 0.8 ms at 100,000 referrals (6,762 on Dinkes' clock; bench_load.py,
            # EXPLAIN ANALYZE, 2026-12-06).
            models.Index(
                models.F("agency"),
                urgent_rank(),
                models.F("due_date"),
                models.F("id"),
                condition=models.Q(status__in=sorted(ON_AGENCY_CLOCK)),
                name="referral_urgent_first",
            ),
        ]
        permissions = [
            ("act_on_referral", _("Can accept, work on and resolve referrals to own agency")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} – {self.household.kk_number}"

    def days_overdue(self, today=None) -> int:
        if self.status not in ON_AGENCY_CLOCK:
            return 0
        return sla.days_overdue(due=self.due_date, today=today or timezone.localdate())

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    @property
    def documents_removable(self) -> bool:
        """A document may be taken back while the referral is open (or still a draft)."""
        return self.status in OPEN or self.status == Status.DRAFT


class ReferralEvent(models.Model):
    """One transition (who, when, from which status to which, and why), or one Record of its
    history that leaves the status as it is (a document added or removed: the note names it)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(
        _("action"), max_length=10, choices=[*Action.choices, *Record.choices]
    )
    from_status = models.CharField(max_length=12, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    from_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class Attachment(models.Model):
    """A document sent with a referral (a letter, a photo of a card). Size and type are
    limited by referrals.services.attach_file."""

    class Kind(models.TextChoices):
        KTP = "ktp", _("identity card (KTP)")
        KK = "kk", _("family card (KK)")
        SKTM = "sktm", _("certificate of low income (SKTM)")
        MEDICAL = "medical", _("medical letter")
        SCHOOL = "school", _("school letter")
        PHOTO = "photo", _("photo of the situation")
        OTHER = "other", _("other document")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(
        _("document type"), max_length=10, choices=Kind.choices, default=Kind.OTHER
    )
    file = models.FileField(upload_to="referrals/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class NotificationQuerySet(StampedQuerySet):
    stamp_key = NAVIGATION_STAMP


class Notification(models.Model):
    """A message in someone's inbox about a referral (also e-mailed). `key` makes each one
    idempotent: the daily overdue check run twice finds its notification there already."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned to you")
        RETURNED = "returned", _("returned for information")
        RESOLVED = "resolved", _("resolved")
        REJECTED = "rejected", _("rejected")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("escalated")
        SUBMITTED = "submitted", _("new referral")
        RESUBMITTED = "resubmitted", _("sent again")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=60, blank=True)
    message = models.TextField(_("message"))  # in the default language: e-mail, old rows
    # The message as msgid and parameters, shown in the reader's language (slrt.messages).
    message_source = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "referral", "kind", "key"],
                name="referrals_notification_once",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="referrals_notification_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.referral_id} – {self.recipient}"

    @property
    def message_text(self) -> str:
        """The message in the reader's language."""
        return render_json(self.message_source, self.message)


# The family's plan (rencana penanganan, issue 21), built on the referrals above.
from referrals.models.plans import (  # noqa: E402, F401
    INTERVENTION_CATEGORY,
    FollowUpVisit,
    Plan,
    PlanGoal,
    PlanIntervention,
    Progress,
    progress_of,
)
