"""Scoped reads of the registry. Pages, API and exports start here, never at .objects.

The access log is written here and nowhere else (issue 19, point 4): a selector that returns
one record of personal data logs its read (access_household, access_member, ...); a list logs
the rows it actually shows through shown_page (a page) or shown_rows (a few rows, an API page,
a back-office list), in one insert. Pages, API and admin call those, never the log itself."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Count, F, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from households.hooks import agency_household_ids, agency_members
from households.models import (
    AccessRecord,
    AssessedNeed,
    Assessment,
    BreakGlassGrant,
    ChangeRecord,
    Enrolment,
    Household,
    ImportBatch,
    ImportFamily,
    Member,
    MoveRequest,
    PmksCategory,
    PmksClassification,
    Region,
)
from households.scope import scope_for, write_kelurahan_ids

T = TypeVar("T")


def _household_condition(user: User, path: str = "") -> Q | None:
    """The rows of a household (reached through `path`) that the user may see; None: none.
    An active emergency (break-glass) grant adds its household to any personal-data scope."""
    scope = scope_for(user)
    if not scope.personal_data:  # planners, mayor's office: aggregates only
        return None
    if scope.city_wide:
        return Q()
    if scope.agency_id is not None:
        # Agency staff see a household only through what was sent to their agency (a
        # referral: referrals registers it, households.hooks); reads of it are logged
        # (log_household_reads).
        condition = Q(**{f"{path}pk__in": agency_household_ids(scope.agency_id)})
    else:
        condition = Q(**{f"{path}kelurahan_id__in": scope.kelurahan_ids})
    if scope.granted:
        condition |= Q(**{f"{path}pk__in": scope.granted_household_ids})
    return condition


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


def households_of(row) -> tuple[int | None, ...]:
    """The households a shown row tells about: a household itself, else the row's own
    `household` (a member, a flag, a referral, an import family; None when it has none)."""
    if isinstance(row, Household):
        return (row.pk,)
    return (getattr(row, "household_id", None),)


def shown_rows(
    user: User,
    rows: Iterable[T],
    *,
    via: str,
    households: Callable[[T], Iterable[int | None]] = households_of,
) -> list[T]:
    """Rows of personal data about to be shown to `user` (a search's few results, an API
    page, a back-office list): evaluated once and their households' reads logged in one insert
    (log_household_reads says whose reads are kept)."""
    rows = list(rows)
    shown = (pk for row in rows for pk in households(row) if pk is not None)
    log_household_reads(user, shown, via=via)
    return rows


def shown_page(
    user: User,
    page: Page,
    *,
    via: str,
    households: Callable[[object], Iterable[int | None]] = households_of,
) -> Page:
    """A page of a list of personal data as it will be shown: only the page's rows are
    logged, never the whole filtered list, so a list costs one insert whatever its length."""
    page.object_list = shown_rows(user, page.object_list, via=via, households=households)
    return page


def visible_households(user: User) -> QuerySet[Household]:
    condition = _household_condition(user)
    if condition is None:
        return Household.objects.none()
    return Household.objects.filter(condition)


def household_count_key(user: User, filters) -> tuple | None:
    """What the count of `visible_households(user)` filtered by the valid FilterSet `filters`
    depends on besides the household and reference rows: the name it is kept under
    (households.kept_counts). None where the scope depends on more: agency staff (their
    households are those referred to the agency) and an emergency grant (it ends with time).
    Change it with _household_condition."""
    scope = scope_for(user)
    if not scope.personal_data or scope.agency_id is not None or scope.granted:
        return None
    if not filters.is_valid():
        return None
    where = ("city",) if scope.city_wide else ("kelurahan", *sorted(scope.kelurahan_ids))
    values = []
    for name, value in sorted(filters.form.cleaned_data.items()):
        if isinstance(value, Model):
            value = (type(value).__name__, value.pk)
        elif not isinstance(value, str | int | None):
            return None  # several values, a date range...: counted each time
        values.append((name, value))
    return (type(filters).__name__, where, *values)


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
        condition = agency_members(scope.agency_id)
        if scope.granted:
            condition |= Q(household_id__in=scope.granted_household_ids)
    return Member.objects.filter(condition)


def visible_enrolments(user: User) -> QuerySet[Enrolment]:
    """Program enrolments of the households in scope (the back office lists them); agency
    staff see a family's need, not its aid (issue 16): only a household opened by an
    emergency grant, as household_with_details."""
    scope = scope_for(user)
    condition = _household_condition(user, path="household__")
    if condition is None:
        return Enrolment.objects.none()
    if scope.agency_id is not None:
        condition = Q(household_id__in=scope.granted_household_ids)
    return Enrolment.objects.filter(condition)


def access_member(user: User, pk: int) -> Member:
    member = get_object_or_404(visible_members(user).select_related("household"), pk=pk)
    log_household_read(user, member.household, via="member")
    return member


def kelurahan_choices(user: User) -> QuerySet[Region]:
    """The kelurahan a user may file a household under or filter by (dropdowns keep these rows
    under region_choices_key: change it with this)."""
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


def region_choices_key(user: User | None) -> tuple:
    """What kelurahan_choices and kecamatan_choices select depends on, and nothing else: the
    name their rows are kept under (households.choices.ReferenceChoiceFilter's reference_key).
    Change it with them."""
    if user is None:
        return ("none",)
    scope = scope_for(user)
    if scope.city_wide:
        return ("city",)
    return ("kelurahan", *sorted(scope.kelurahan_ids))


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
    requests = with_registered_household(MoveRequest.objects.all())
    requests = requests.select_related(
        "household__kelurahan", "to_kelurahan", "requested_by", "decided_by"
    ).annotate(
        registered_kk=Subquery(registered.values("household__kk_number")[:1]),
        registered_kelurahan=Subquery(registered.values("household__kelurahan__name")[:1]),
        registered_name=Subquery(registered.values("name")[:1]),
        registered_relationship=Subquery(registered.values("relationship")[:1]),
    )
    waiting_first = F("decided_at").asc(nulls_first=True)
    return requests.order_by(waiting_first, "-requested_at", "-pk")


def with_registered_household(moves: QuerySet[MoveRequest]) -> QuerySet[MoveRequest]:
    """Each move with the family its NIK is registered in now (a person's move), whose
    member a page of the move shows: see moved_households."""
    registered = Member.objects.filter(nik=OuterRef("nik"))
    return moves.annotate(registered_household_id=Subquery(registered.values("household_id")[:1]))


def moved_households(move: MoveRequest) -> tuple[int | None, ...]:
    """A move request's row shows its family and, for a person, the family the NIK is
    registered in now (move_requests_for_review): shown_page logs both."""
    return (move.household_id, getattr(move, "registered_household_id", None))


def access_move_request(user: User, pk: int) -> MoveRequest:
    return get_object_or_404(move_requests_for_review(user), pk=pk)


# --- needs assessments and PMKS (issue 21) ------------------------------------------------


def pmks_categories_for(user: User) -> QuerySet[PmksCategory]:
    """The categories the user may record and see on people: the sensitive ones (HIV, NAPZA,
    trafficking, violence, ...) for Dinas Sosial only. The list of categories itself is
    reference data, the same for everyone (the API's pmks-categories)."""
    categories = PmksCategory.objects.all()
    if not scope_for(user).sees_sensitive_pmks:
        categories = categories.filter(is_sensitive=False)
    return categories


def visible_pmks_classifications(user: User) -> QuerySet[PmksClassification]:
    """The PMKS records of the people the user sees (visible_members: for agency staff, the
    referred people only), in the categories they may see (pmks_categories_for)."""
    scope = scope_for(user)
    if not scope.personal_data:
        return PmksClassification.objects.none()
    rows = PmksClassification.objects.filter(member__in=visible_members(user))
    if not scope.sees_sensitive_pmks:
        rows = rows.filter(category__is_sensitive=False)
    return rows


def access_pmks_classification_to_change(user: User, household: Household, pk: int):
    """One PMKS record of a household the user may change (access_household_to_change), in a
    category they may see; else 404 (the service checks the write scope again)."""
    rows = visible_pmks_classifications(user).filter(member__household=household)
    return get_object_or_404(rows.select_related("member", "category"), pk=pk)


def visible_assessments(user: User) -> QuerySet[Assessment]:
    """Needs assessments of the households in scope. An assessment is the whole family's
    means and needs, so agency staff (need-to-know: the referred person) see one only in a
    household opened to them by an emergency grant."""
    scope = scope_for(user)
    condition = _household_condition(user, path="household__")
    if condition is None:
        return Assessment.objects.none()
    if scope.agency_id is not None:
        condition = Q(household_id__in=scope.granted_household_ids)
    return Assessment.objects.filter(condition)


def household_assessments(user: User, household: Household) -> list[Assessment]:
    """Every version of a household's assessment, newest first, with its needs."""
    needs = Prefetch("needs", queryset=AssessedNeed.objects.select_related("member"))
    rows = visible_assessments(user).filter(household=household)
    return list(rows.select_related("assessed_by").prefetch_related(needs).order_by("-version"))


def household_pmks(user: User, household: Household) -> list[PmksClassification]:
    """A household's PMKS records the user may see, current and ended, by person."""
    rows = visible_pmks_classifications(user).filter(member__household=household)
    return list(
        rows.select_related("member", "category", "recorded_by", "ended_by").order_by(
            "member_id", F("ended_on").asc(nulls_first=True), "category__number", "-recorded_on"
        )
    )
