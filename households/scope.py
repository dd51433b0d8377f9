"""Who may see which records: the one scope module (DESIGN.md, STYLE.md section 4).

Every page, API endpoint, export and dashboard starts from `scope_for(user)` through the
selectors. Outside scope is 404, so a record's existence does not leak.

Writes too (issue 16): every service that creates, changes or moves a record calls
`guard_write(by, kelurahan_id, ...)` for every record it touches (the target and the source of
a move) and gets the same 404 as a read outside scope. The write scope is narrower than the
read scope: an emergency grant or an agency's referral opens a household to read only, and the
city-wide readers who write nothing (the data steward) have none (households.roles).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import BigIntegerField, CharField, Value
from django.http import Http404

from households.models import BreakGlassGrant, UserProfile
from households.roles import (
    FULL_IDENTIFIER_ROLES,
    ROLE_PRECEDENCE,
    SEES_SENSITIVE_PMKS,
    SOCIAL_AFFAIRS_AGENCY,
    WRITES_CITY_WIDE,
    WRITES_IN_OWN_KELURAHAN,
    Role,
)


@dataclass(frozen=True)
class Scope:
    role: str | None
    personal_data: bool  # False: aggregates only (planners, mayor's office)
    city_wide: bool
    agency_id: int | None = None  # agency staff: households referred to this agency
    kelurahan_ids: frozenset[int] = field(default_factory=frozenset)
    # Households opened by an active emergency (break-glass) grant: {household id: grant id}.
    # Expired grants are not here; the scope is computed once per request.
    granted: dict[int, int] = field(default_factory=dict)
    # NIK and KK whole on a household's own page and the API detail (households.roles).
    sees_full_identifiers: bool = False
    # Sensitive PMKS categories (HIV, NAPZA, trafficking, ...): Dinas Sosial only (issue 21).
    sees_sensitive_pmks: bool = False

    @property
    def is_aggregate_only(self) -> bool:
        return not self.personal_data

    @property
    def granted_household_ids(self) -> frozenset[int]:
        return frozenset(self.granted)

    @property
    def may_export_people(self) -> bool:
        """Household and member lists leave the system only with the roles that keep the
        registry; agency staff serve single referrals and export no people (issue 16)."""
        return self.personal_data and self.agency_id is None

    def needs_to_know(self, household_id: int) -> bool:
        """True where the user sees a household only through a referral to their agency: then
        the referred person and what the referral needs, not the family's incomes, assets,
        other members or eligibility findings. An emergency grant opens the whole household."""
        return self.agency_id is not None and household_id not in self.granted

    @property
    def write_kelurahan_ids(self) -> frozenset[int] | None:
        """The kelurahan whose records the user may create, change or move; None: all."""
        if self.role in WRITES_CITY_WIDE:
            return None
        if self.role in WRITES_IN_OWN_KELURAHAN:
            return self.kelurahan_ids
        return frozenset()


NO_SCOPE = Scope(role=None, personal_data=False, city_wide=False)


def role_of(user: User | AnonymousUser) -> str | None:
    """The user's role from their groups: one query, kept on the user object for the request
    (the scope and every permission check read it, accounts.backends)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    if not hasattr(user, "_slrt_role"):
        names = {group.name for group in user.groups.all()}
        user._slrt_role = next((role for role in ROLE_PRECEDENCE if role in names), None)
    return user._slrt_role


def scope_for(user: User | AnonymousUser) -> Scope:
    """Computed once per request and cached on the user object."""
    cached = getattr(user, "_slrt_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user.is_authenticated:
        user._slrt_scope = scope
    return scope


def forget_scope(user: User | AnonymousUser) -> None:
    """After a change to what the user may see (a grant): the next scope_for recomputes."""
    for cached in ("_slrt_scope", "_slrt_role"):
        if hasattr(user, cached):
            delattr(user, cached)


def _compute_scope(user: User | AnonymousUser) -> Scope:
    role = role_of(user)
    if role is None or not user.is_active:
        return NO_SCOPE
    full = role in FULL_IDENTIFIER_ROLES
    if role in (Role.ADMIN, Role.VERIFIKATOR, Role.DATA_STEWARD):
        return Scope(
            role=role,
            personal_data=True,
            city_wide=True,
            sees_full_identifiers=full,
            sees_sensitive_pmks=role in SEES_SENSITIVE_PMKS,
        )
    if role in (Role.PIMPINAN, Role.PERENCANA):
        return Scope(role=role, personal_data=False, city_wide=True)
    has_profile, agency_id, agency_code, kelurahan_ids, granted = _where_the_user_works(
        user, with_grants=user.has_perm("households.request_breakglassgrant")
    )
    if role == Role.PETUGAS_OPD:
        if agency_id is None:
            return NO_SCOPE
        return Scope(
            role=role,
            personal_data=True,
            city_wide=False,
            agency_id=agency_id,
            granted=granted,
            sees_full_identifiers=full,
            sees_sensitive_pmks=agency_code == SOCIAL_AFFAIRS_AGENCY,
        )
    return Scope(
        role=role,
        personal_data=True,
        city_wide=False,
        kelurahan_ids=kelurahan_ids if has_profile else frozenset(),
        granted=granted,
        sees_full_identifiers=full,
    )


def _where_the_user_works(
    user: User, *, with_grants: bool
) -> tuple[bool, int | None, str | None, frozenset[int], dict[int, int]]:
    """The profile's agency (id and code) and kelurahan and the households opened by emergency
    access that has not yet expired, in one query: with the groups (role_of), a request's
    scope, role and permissions cost two queries (issue 17). Grants: {household id: grant id},
    the newest grant winning when there are several for one household."""
    blank = Value(None, output_field=BigIntegerField())
    no_code = Value(None, output_field=CharField())
    rows = (
        UserProfile.objects.filter(user=user)
        .values_list("agency_id", "agency__code", "kelurahan", blank, blank)
        .order_by()
    )
    if with_grants:
        grants = BreakGlassGrant.objects.active().filter(user=user)
        rows = rows.union(
            grants.values_list(blank, no_code, blank, "household_id", "pk").order_by(), all=True
        )
    has_profile, agency_id, agency_code, kelurahan, grants_seen = False, None, None, set(), []
    for agency, code, kelurahan_id, household_id, grant_id in rows:
        if grant_id is not None:
            grants_seen.append((grant_id, household_id))
            continue
        has_profile, agency_id, agency_code = True, agency, code
        if kelurahan_id is not None:
            kelurahan.add(kelurahan_id)
    granted = {household_id: grant_id for grant_id, household_id in sorted(grants_seen)}
    return has_profile, agency_id, agency_code, frozenset(kelurahan), granted


def write_kelurahan_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """The kelurahan whose households the user may write in; None: the whole city."""
    return scope_for(user).write_kelurahan_ids


def may_write_in(user: User | AnonymousUser, kelurahan_ids: Iterable[int | None]) -> bool:
    allowed = write_kelurahan_ids(user)
    return allowed is None or all(pk in allowed for pk in kelurahan_ids)


def guard_write(user: User | AnonymousUser, *kelurahan_ids: int | None) -> None:
    """A service's own guard: `user` may write in every one of these kelurahan (the record's,
    and for a move its source and its target), else the same not-found as a read outside
    scope, so a write path never tells whether a record exists."""
    if not may_write_in(user, kelurahan_ids):
        raise Http404
