"""Scoped reads of the registry. Pages, API and exports start here, never at .objects."""

from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from households.models import (
    AccessRecord,
    BreakGlassGrant,
    ChangeRecord,
    Enrolment,
    Household,
    ImportBatch,
    ImportFamily,
    Member,
    MoveRequest,
    Region,
)
from households.scope import scope_for, write_kelurahan_ids


def _household_condition(user: User, path: str = "") -> Q | None:
    """The rows of a household (reached through `path`) that the user may see; None: none.
    An active emergency (break-glass) grant adds its household to any personal-data scope."""
    scope = scope_for(user)
    if not scope.personal_data:  # planners, mayor's office: aggregates only
        return None
    if scope.city_wide:
        return Q()
    if scope.agency_id is not None:
        # Agency staff see a household only through a referral to their agency; reads of it
        # are logged (log_household_reads).
        condition = Q(**{f"{path}pk__in": referred_household_ids(scope.agency_id)})
    else:
        condition = Q(**{f"{path}kelurahan_id__in": scope.kelurahan_ids})
    if scope.granted:
        condition |= Q(**{f"{path}pk__in": scope.granted_household_ids})
    return condition


def referred_household_ids(agency_id: int) -> QuerySet:
    """The households with a referral sent to the agency (a subquery). Referrals depend on
    the registry, not the other way, hence the model looked up by name."""
    referral = apps.get_model("referrals", "Referral")
    sent = referral.objects.filter(agency_id=agency_id).exclude(status="draft")
    return sent.values("household_id")


def log_household_read(user: User, household: Household, via: str = "") -> None:
    """One household's personal data read (its page, a referral's page): see below."""
    log_household_reads(user, [household.pk], via=via)


def log_household_reads(user: User, household_ids: Iterable[int], via: str = "") -> None:
    """The one way into the access log (issue 7): every read of personal data outside the
    reader's own kelurahan. Agency staff (through a referral) and the city-wide roles have no
    kelurahan of their own, so each of their reads is recorded; a read possible only through
    an emergency grant is recorded with its grant; a facilitator or desk reading their own
    kelurahan leaves no record. One bulk insert, so a list page logs its rows cheaply."""
    scope = scope_for(user)
    if not scope.personal_data:
        return
    basis = AccessRecord.Basis
    records = []
    for pk in set(household_ids):
        grant_id = scope.granted.get(pk)
        if grant_id is not None:
            records.append((pk, basis.BREAK_GLASS, grant_id))
        elif scope.city_wide:
            records.append((pk, basis.CITY_WIDE, None))
        elif scope.agency_id is not None:
            records.append((pk, basis.AGENCY, None))
    if records:
        AccessRecord.objects.bulk_create(
            AccessRecord(user=user, household_id=pk, basis=why, grant_id=grant, via=via[:100])
            for pk, why, grant in records
        )


def visible_households(user: User) -> QuerySet[Household]:
    condition = _household_condition(user)
    if condition is None:
        return Household.objects.none()
    return Household.objects.filter(condition)


def access_household(user: User, pk: int) -> Household:
    household = get_object_or_404(
        visible_households(user).select_related("kelurahan__parent"), pk=pk
    )
    log_household_read(user, household, via="household")
    return household


def writable_households(user: User) -> QuerySet[Household]:
    """The households the user may change (households.scope's write scope): never through an
    emergency grant or an agency's referral, which open a household to read only."""
    allowed = write_kelurahan_ids(user)
    if allowed is None:
        return Household.objects.all()
    return Household.objects.filter(kelurahan_id__in=allowed)


def access_household_to_change(user: User, pk: int) -> Household:
    """A household for an edit, a location, an enrolment or a referral: 404 outside the write
    scope, as a read outside scope (the services check again, on the locked row)."""
    household = get_object_or_404(
        writable_households(user).select_related("kelurahan__parent"), pk=pk
    )
    log_household_read(user, household, via="household")
    return household


def household_with_details(user: User, pk: int) -> Household:
    """One household with what its page shows, in a fixed number of queries."""
    queryset = visible_households(user).select_related(
        "kelurahan__parent", "created_by", "updated_by"
    )
    queryset = queryset.prefetch_related(
        Prefetch("members", queryset=Member.objects.in_kk_order()),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related(
                "program", "member", "removal_recommended_by"
            ),
        ),
        Prefetch(
            "change_records",
            queryset=ChangeRecord.objects.select_related("actor").order_by("-created_at", "-pk"),
        ),
    )
    household = get_object_or_404(queryset, pk=pk)
    log_household_read(user, household, via="household")
    if scope_for(user).needs_to_know(household.pk):
        # Only the referred people; no aid programs or change history (issue 16).
        household.members_shown = list(
            visible_members(user).filter(household=household).in_kk_order()
        )
        household.need_to_know = True
    else:
        household.members_shown = list(household.members.all())
        household.need_to_know = False
    return household


def visible_members(user: User) -> QuerySet[Member]:
    """Members of the households in scope; for agency staff only the referred people (issue
    16, need-to-know), and the whole family of a household opened by an emergency grant."""
    scope = scope_for(user)
    condition = _household_condition(user, path="household__")
    if condition is None:
        return Member.objects.none()
    if scope.agency_id is not None:
        condition = referred_member_condition(scope.agency_id)
        if scope.granted:
            condition |= Q(household_id__in=scope.granted_household_ids)
    return Member.objects.filter(condition)


def referred_member_condition(agency_id: int) -> Q:
    """The people a referral sent to the agency names; for a referral of the whole family,
    its head (the family's contact)."""
    referral = apps.get_model("referrals", "Referral")
    sent = referral.objects.filter(agency_id=agency_id).exclude(status="draft")
    named = sent.filter(member__isnull=False).values("member_id")
    families = sent.filter(member__isnull=True).values("household_id")
    return Q(pk__in=named) | Q(relationship=Member.Relationship.HEAD, household_id__in=families)


def access_member(user: User, pk: int) -> Member:
    return get_object_or_404(visible_members(user).select_related("household"), pk=pk)


def kelurahan_choices(user: User) -> QuerySet[Region]:
    """The kelurahan a user may file a household under or filter by."""
    scope = scope_for(user)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN).select_related("parent")
    if scope.city_wide:
        return kelurahan
    if scope.kelurahan_ids:
        return kelurahan.filter(pk__in=scope.kelurahan_ids)
    return kelurahan.none()


def kecamatan_names_by_nik_prefix() -> dict[str, str]:
    """{"327501": "Bekasi Timur"}: what the first six digits of a NIK name, for the household
    form to show while a NIK is typed. Reference data, no personal data: no scope."""
    rows = Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", "name")
    return {code.replace(".", ""): name for code, name in rows}


def kecamatan_choices(user: User) -> QuerySet[Region]:
    return Region.objects.filter(
        level=Region.Level.KECAMATAN, children__in=kelurahan_choices(user)
    ).distinct()


def visible_import_batches(user: User) -> QuerySet[ImportBatch]:
    """City-wide importers see every batch; a desk operator those of their kelurahan."""
    scope = scope_for(user)
    batches = ImportBatch.objects.select_related("uploaded_by", "kelurahan")
    if not scope.personal_data:
        return batches.none()
    if scope.city_wide:
        return batches
    return batches.filter(Q(kelurahan_id__in=scope.kelurahan_ids) | Q(uploaded_by=user))


def access_import_batch(user: User, pk: int) -> ImportBatch:
    return get_object_or_404(visible_import_batches(user), pk=pk)


def visible_import_families(user: User, batch: ImportBatch) -> QuerySet[ImportFamily]:
    """The families a batch adds or changes that lie in the user's scope (a city-wide file
    may name families of other kelurahan than the viewer's)."""
    scope = scope_for(user)
    families = batch.families.select_related("household")
    if not scope.personal_data:
        return families.none()
    if scope.city_wide:
        return families
    return families.filter(kelurahan_id__in=scope.kelurahan_ids)


def own_break_glass_grants(user: User) -> QuerySet[BreakGlassGrant]:
    """The emergency accesses the user asked for, newest first (the request page lists them)."""
    return BreakGlassGrant.objects.filter(user=user).select_related("household")


def break_glass_grants_for_review(user: User) -> QuerySet[BreakGlassGrant]:
    """Every emergency access, for the Verifikator's review: not yet reviewed first, then the
    newest; with the number of reads made through each. Others: none."""
    if not user.has_perm("households.review_breakglassgrant"):
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.select_related(
        "user", "household__kelurahan", "reviewed_by"
    ).annotate(read_count=Count("reads"))
    return grants.order_by(F("reviewed_at").asc(nulls_first=True), "-created_at", "-pk")


def access_break_glass_grant(user: User, pk: int) -> BreakGlassGrant:
    return get_object_or_404(break_glass_grants_for_review(user), pk=pk)


def household_move_requests(household: Household) -> QuerySet[MoveRequest]:
    """The moves asked for a household the user may write (the request page lists them)."""
    return household.move_requests.select_related("to_kelurahan", "requested_by", "decided_by")


def move_requests_for_review(user: User) -> QuerySet[MoveRequest]:
    """Every move request, for the Verifikator: waiting first, then the newest; with where a
    person's NIK is registered now (only the Verifikator sees it). Others: none."""
    if not user.has_perm("households.decide_moverequest") or write_kelurahan_ids(user) is not None:
        return MoveRequest.objects.none()
    registered = Member.objects.filter(nik=OuterRef("nik"))
    requests = MoveRequest.objects.select_related(
        "household__kelurahan", "to_kelurahan", "requested_by", "decided_by"
    ).annotate(
        registered_kk=Subquery(registered.values("household__kk_number")[:1]),
        registered_kelurahan=Subquery(registered.values("household__kelurahan__name")[:1]),
        registered_name=Subquery(registered.values("name")[:1]),
        registered_relationship=Subquery(registered.values("relationship")[:1]),
    )
    waiting_first = F("decided_at").asc(nulls_first=True)
    return requests.order_by(waiting_first, "-requested_at", "-pk")


def access_move_request(user: User, pk: int) -> MoveRequest:
    return get_object_or_404(move_requests_for_review(user), pk=pk)
