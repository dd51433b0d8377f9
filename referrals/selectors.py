"""Scoped reads of referrals and complaints. Pages, API and exports start here.

Agency staff see the referrals sent to their agency (never a draft); facilitators and desk
operators see those raised in their kelurahan or by themselves; the city-wide roles see all;
aggregate-only roles see none (their numbers come from referrals.metrics)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.scope import scope_for
from households.selectors import log_household_read
from referrals.models import (
    OPEN,
    Complaint,
    Referral,
    ReferralEvent,
    Status,
    overdue_q,
)
from slrt.db import count_of


def visible_referrals(user: User) -> QuerySet[Referral]:
    scope = scope_for(user)
    referrals = Referral.objects.all()
    if not scope.personal_data:
        return referrals.none()
    if scope.city_wide:
        return referrals
    if scope.agency_id is not None:
        return referrals.filter(agency_id=scope.agency_id).exclude(status=Status.DRAFT)
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
    queryset = visible_complaints(user).select_related(
        "kelurahan__parent", "household", "received_by"
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class QueueCounts:
    new: int  # submitted, waiting to be taken
    in_hand: int  # accepted or being worked on
    overdue: int
    returned: int  # waiting for the origin


def queue_counts(user: User) -> QueueCounts:
    """The numbers on the queue's tabs and in the navigation, in one query. Each counts an
    open status, so only open referrals are read (the agency/status index): the closed ones,
    most of an agency's referrals after a year, are never touched on a page load. Counted by
    `status` (never null, like the key) so that the index alone answers: counting the key
    read every open referral's row, 7-20 ms for Dinkes' 7,448 at 100,000 referrals, against
    1.4-2.2 ms from the index (EXPLAIN ANALYZE, bench_load.py's data, 2026-12-06)."""
    today = timezone.localdate()
    counts = (
        agency_queue(user)
        .filter(status__in=OPEN)
        .aggregate(
            new=Count("status", filter=Q(status=Status.SUBMITTED)),
            in_hand=Count("status", filter=Q(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])),
            overdue=Count("status", filter=overdue_q(today)),
            returned=Count("status", filter=Q(status=Status.RETURNED)),
        )
    )
    return QueueCounts(**counts)


@dataclass(frozen=True)
class NavigationCounts:
    unread: int  # the user's unread notifications (the bell)
    new: int = 0  # agency staff: submitted to their agency
    overdue: int = 0  # agency staff: open on their agency's clock past the deadline
    waiting: int = 0  # the origin's side: what waits on the user (waiting_on_origin)


def navigation_counts(user: User) -> NavigationCounts:
    """The navigation's numbers, on every page, in one query of scalar subqueries (issue 17):
    the same definitions as the queue's tabs (queue_counts) and waiting_on_origin."""
    from referrals.notifications import visible_notifications

    counts = {"unread": count_of(visible_notifications(user).filter(read_at__isnull=True))}
    scope = scope_for(user)
    if scope.agency_id is not None:
        queue = agency_queue(user)
        counts["new"] = count_of(queue.filter(status=Status.SUBMITTED))
        counts["overdue"] = count_of(queue.filter(overdue_q()))
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
