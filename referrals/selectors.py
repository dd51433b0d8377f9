"""Scoped reads of referrals and complaints. Pages, API and exports start here.

Agency staff see the referrals sent to their agency (never a draft); facilitators and desk
operators see those raised in their kelurahan or by themselves; the city-wide roles see all;
aggregate-only roles see none (their numbers come from referrals.metrics)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.models import Household, Member
from households.scope import scope_for
from households.selectors import log_household_read, visible_households
from referrals.models import (
    NAVIGATION_STAMP,
    Complaint,
    Plan,
    PlanIntervention,
    Referral,
    ReferralEvent,
    Status,
    overdue_q,
)
from slrt import stamps
from slrt.db import count_of


def visible_referrals(user: User) -> QuerySet[Referral]:
    scope = scope_for(user)
    referrals = Referral.objects.all()
    if not scope.personal_data:
        return referrals.none()
    if scope.city_wide:
        return referrals
    if scope.agency_id is not None:
        return referrals.sent_to(scope.agency_id)
    return referrals.filter(Q(origin_kelurahan_id__in=scope.kelurahan_ids) | Q(origin_user=user))


def access_referral(user: User, pk: int) -> Referral:
    """One referral with what its page shows. Agency staff reading it read the household's
    personal data: the read is logged."""
    queryset = visible_referrals(user).select_related(
        "household__kelurahan__parent",
        "member",
        "category",
        "agency",
        "origin_user",
        "origin_agency",
        "origin_kelurahan",
        "assignee",
        "complaint",
    )
    queryset = queryset.prefetch_related(
        Prefetch(
            "events",
            queryset=ReferralEvent.objects.select_related("actor", "from_agency", "to_agency"),
        ),
        "attachments",
    )
    referral = get_object_or_404(queryset, pk=pk)
    log_household_read(user, referral.household, via=f"referral {referral.pk}")
    return referral


def agency_queue(user: User) -> QuerySet[Referral]:
    """The referrals addressed to the user's agency, for its triage queue: what is still on
    its desk first (open), by deadline. Empty for anyone who is not agency staff."""
    scope = scope_for(user)
    if scope.agency_id is None:
        return Referral.objects.none()
    return visible_referrals(user).select_related(
        "household__kelurahan__parent", "category", "assignee"
    )


def raised_referrals(user: User) -> QuerySet[Referral]:
    """The closed loop: referrals the user raised, or (desk and facilitators) raised in
    their kelurahan, with status and outcome."""
    scope = scope_for(user)
    if scope.agency_id is not None or not scope.personal_data:
        return Referral.objects.none()
    return visible_referrals(user).select_related(
        "household__kelurahan__parent", "category", "agency", "origin_user"
    )


def visible_complaints(user: User) -> QuerySet[Complaint]:
    scope = scope_for(user)
    complaints = Complaint.objects.all()
    if not scope.personal_data or scope.agency_id is not None:
        return complaints.none()
    if scope.city_wide:
        return complaints
    return complaints.filter(Q(kelurahan_id__in=scope.kelurahan_ids) | Q(received_by=user))


def access_complaint(user: User, pk: int) -> Complaint:
    """One complaint with its family: a read of the family when it names one."""
    queryset = visible_complaints(user).select_related(
        "kelurahan__parent", "household", "received_by"
    )
    complaint = get_object_or_404(queryset, pk=pk)
    if complaint.household_id is not None:
        log_household_read(user, complaint.household, via=f"complaint {complaint.pk}")
    return complaint


@dataclass(frozen=True)
class QueueCounts:
    new: int  # submitted, waiting to be taken
    in_hand: int  # accepted or being worked on
    overdue: int
    returned: int  # waiting for the origin


def queue_counts(user: User) -> QueueCounts:
    """The numbers on the queue's tabs, read with the navigation's (navigation_counts): on the
    queue page one query serves both, which leaves the page room to log the rows it shows
    (issue 19) within its 8 queries. Each counts an open status, so only open referrals are
    read (the agency/status index): the closed ones, most of an agency's referrals after a
    year, are never touched on a page load."""
    counts = navigation_counts(user)
    return QueueCounts(
        new=counts.new, in_hand=counts.in_hand, overdue=counts.overdue, returned=counts.returned
    )


@dataclass(frozen=True)
class NavigationCounts:
    unread: int  # the user's unread notifications (the bell)
    new: int = 0  # agency staff: submitted to their agency
    overdue: int = 0  # agency staff: open on their agency's clock past the deadline
    in_hand: int = 0  # agency staff: accepted or being worked on (the queue's tab)
    returned: int = 0  # agency staff: returned, waiting for the origin (the queue's tab)
    waiting: int = 0  # the origin's side: what waits on the user (waiting_on_origin)


def navigation_counts(user: User) -> NavigationCounts:
    """The navigation's numbers, on every page (issue 17): the same definitions as
    waiting_on_origin, and for agency staff the queue's tabs too (queue_counts). Read once per
    request (kept on the user object, as the scope is) and kept per process between requests
    (`_kept`, below)."""
    cached = getattr(user, "_slrt_navigation_counts", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    key = (stamps.current(NAVIGATION_STAMP), timezone.localdate(), _scope_key(scope))
    kept = _kept.get(user.pk)
    if kept is not None and kept[0] == key:
        found = kept[1]
    else:
        found = _count_for_navigation(user, scope)
        if len(_kept) >= NAVIGATION_KEPT:
            _kept.clear()
        _kept[user.pk] = (key, found)
    user._slrt_navigation_counts = found
    return found


# What the navigation showed each user, per process: {user id: ((stamp, day, scope), counts)}.
# What it buys: the one query of scalar subqueries below on every page of every user (12 %
# of a gunicorn worker's samples on the household list, bench_load's py-spy, 2026-12-06: the
# facilitator's "waiting" count reads ~11,000 index entries there) becomes a comparison; the
# stamp is read with the reference dropdowns' in the request's one cache read (slrt.stamps).
# Invalidated by NAVIGATION_STAMP, which every write to a referral or a notification moves
# (referrals.models, slrt.stamps.watch: saves, deletes, and the querysets' bulk writes), by the
# day (overdue counts turn at midnight) and by the user's scope (role, agency, kelurahan,
# grants): tests/referrals/test_navigation_counts.py. Bounded: emptied at NAVIGATION_KEPT users.
_kept: dict[int, tuple[tuple, NavigationCounts]] = {}
NAVIGATION_KEPT = 5000


def _scope_key(scope) -> tuple:
    return (
        scope.role,
        scope.personal_data,
        scope.city_wide,
        scope.agency_id,
        scope.kelurahan_ids,
        tuple(sorted(scope.granted.items())),
    )


def _count_for_navigation(user: User, scope) -> NavigationCounts:
    """The counts in one query of scalar subqueries."""
    from referrals.notifications import visible_notifications

    counts = {"unread": count_of(visible_notifications(user).filter(read_at__isnull=True))}
    if scope.agency_id is not None:
        queue = agency_queue(user)
        counts["new"] = count_of(queue.filter(status=Status.SUBMITTED))
        counts["overdue"] = count_of(queue.filter(overdue_q()))
        in_hand = queue.filter(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])
        counts["in_hand"] = count_of(in_hand)
        counts["returned"] = count_of(queue.filter(status=Status.RETURNED))
    elif scope.personal_data:
        counts["waiting"] = count_of(_waiting_on(user))
    return NavigationCounts(**User.objects.filter(pk=user.pk).values(**counts).get())


def _waiting_on(user: User) -> QuerySet[Referral]:
    """The user's own raised referrals that wait on them. Every referral a user raised is in
    their scope (visible_referrals' `origin_user=user`), so the scope's OR is left out: it made
    PostgreSQL read the kelurahan's referrals instead of counting from the (origin_user,
    status) index, about 10 ms on every page at 100,000 referrals (bench_load's profile)."""
    if not raised_referrals(user).query.is_empty():
        return Referral.objects.filter(
            origin_user=user, status__in=[Status.RETURNED, Status.RESOLVED]
        )
    return Referral.objects.none()


def waiting_on_origin(user: User) -> int:
    """Referrals the user's side must act on: returned for information, or resolved and not
    yet closed (the navigation shows the number)."""
    return _waiting_on(user).count()


def assignable_staff(user: User) -> QuerySet[User]:
    """The colleagues a referral of the user's agency may be assigned to."""
    scope = scope_for(user)
    if scope.agency_id is None:
        return User.objects.none()
    act = Q(groups__permissions__codename="act_on_referral") | Q(
        user_permissions__codename="act_on_referral"
    )
    staff = User.objects.filter(act, is_active=True, profile__agency_id=scope.agency_id)
    return staff.distinct().order_by("first_name", "username")


def counted_referrals(user: User) -> QuerySet[Referral]:
    """The referrals whose numbers (never their rows) a user may see, for the dashboards:
    the city's for city-wide and aggregate-only roles, the agency's own for its staff, those
    raised in their kelurahan for facilitators and desks."""
    scope = scope_for(user)
    referrals = Referral.objects.exclude(status=Status.DRAFT)
    if scope.role is None:
        return referrals.none()
    if scope.city_wide:
        return referrals
    if scope.agency_id is not None:
        return referrals.filter(agency_id=scope.agency_id)
    return referrals.filter(origin_kelurahan_id__in=scope.kelurahan_ids)


# --- what agency staff reach in the registry (households.hooks.AgencyReach) ----------------------


def referred_household_ids(agency_id: int) -> QuerySet:
    """The households with a referral sent to the agency (a subquery)."""
    return Referral.objects.sent_to(agency_id).values("household_id")


def referred_members(agency_id: int) -> Q:
    """The people a referral sent to the agency names; for a referral of the whole family,
    its head (the family's contact). A condition on Member."""
    sent = Referral.objects.sent_to(agency_id)
    named = sent.filter(member__isnull=False).values("member_id")
    families = sent.filter(member__isnull=True).values("household_id")
    return Q(pk__in=named) | Q(relationship=Member.Relationship.HEAD, household_id__in=families)


# --- the family's plan (issue 21) -----------------------------------------------------------------


def visible_plans(user: User) -> QuerySet[Plan]:
    """Plans of the households the user sees, as households are scoped; agency staff
    (need-to-know) only the plans with an intervention referred to their agency, or of a
    household an emergency grant opened to them. Needs referrals.view_plan."""
    scope = scope_for(user)
    if not scope.personal_data or not user.has_perm("referrals.view_plan"):
        return Plan.objects.none()
    if scope.agency_id is not None:
        referred = Referral.objects.sent_to(scope.agency_id).values("pk")
        theirs = PlanIntervention.objects.filter(referral__in=referred).values("plan_id")
        return Plan.objects.filter(
            Q(pk__in=theirs) | Q(household_id__in=scope.granted_household_ids)
        )
    return Plan.objects.filter(household__in=visible_households(user).values("pk"))


def visible_plan_interventions(user: User) -> QuerySet[PlanIntervention]:
    """The interventions of the visible plans; agency staff see only those referred to their
    agency (not the family's other steps), unless an emergency grant opened the household."""
    scope = scope_for(user)
    rows = PlanIntervention.objects.filter(plan__in=visible_plans(user).values("pk"))
    if scope.agency_id is not None:
        referred = Referral.objects.sent_to(scope.agency_id).values("pk")
        granted = scope.granted_household_ids
        rows = rows.filter(Q(referral__in=referred) | Q(plan__household_id__in=granted))
    return rows


def access_plan(user: User, pk: int) -> Plan:
    """One plan with its household: a read of the family (logged as households' reads)."""
    plan = get_object_or_404(
        visible_plans(user).select_related("household__kelurahan__parent", "made_by", "agreed_by"),
        pk=pk,
    )
    log_household_read(user, plan.household, via=f"plan {plan.pk}")
    return plan


def plan_interventions(user: User, plan: Plan) -> list[PlanIntervention]:
    """The plan's interventions the user may see, by target date, with what the page shows."""
    rows = visible_plan_interventions(user).filter(plan=plan)
    return list(
        rows.select_related("referral__agency", "referral__category", "program", "agency", "goal")
    )


def active_plan_of(user: User, household: Household) -> Plan | None:
    """The household's active plan, if the user may see it."""
    return visible_plans(user).active().filter(household=household).first()
