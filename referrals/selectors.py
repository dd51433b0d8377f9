"""Scoped reads of referrals and complaints. Pages, API and exports start here.

Agency staff see the referrals sent to their agency (never a draft); facilitators and desk
operators see those raised in their kelurahan or by themselves; the city-wide roles see all;
aggregate-only roles see none (their numbers come from referrals.metrics)."""

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from households.scope import scope_for
from households.selectors import log_agency_read
from referrals.models import Complaint, Referral, ReferralEvent, Status


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
    log_agency_read(user, referral.household, via=f"referral {referral.pk}")
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
