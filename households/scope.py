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

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import BigIntegerField, CharField, Value
from django.http import Http404

from households.models import BreakGlassGrant, UserProfile
from households.models.registry import SCOPE_STAMP
from households.roles import (
    FULL_IDENTIFIER_ROLES,
    ROLE_PRECEDENCE,
    SEES_SENSITIVE_PMKS,
    SOCIAL_AFFAIRS_AGENCY,
    WRITES_CITY_WIDE,
    WRITES_IN_OWN_KELURAHAN,
    Role,
)
from slrt import stamps


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
    """The user's role from their groups, read with their profile and grants in one query
    (_facts_of), kept on the user object for the request (the scope and every permission
    check read it, accounts.backends)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    if not hasattr(user, "_slrt_role"):
        names = _facts_of(user).group_names
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
    for cached in ("_slrt_scope", "_slrt_role", "_slrt_facts"):
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
    facts = _facts_of(user)
    has_profile, agency_id, kelurahan_ids = facts.has_profile, facts.agency_id, facts.kelurahan
    agency_code = facts.agency_code
    # Grants open households only while the role may ask for them.
    granted = facts.granted if user.has_perm("households.request_breakglassgrant") else {}
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


@dataclass(frozen=True)
class _Facts:
    """What the database says of a user, read once a request (_facts_of)."""

    group_names: frozenset[str]
    has_profile: bool
    agency_id: int | None
    agency_code: str | None  # the agency's code: Dinas Sosial sees sensitive PMKS (issue 21)
    kelurahan: frozenset[int]
    granted: dict[int, int]  # {household id: grant id}, emergency grants not yet expired


def _facts_of(user: User) -> _Facts:
    cached = getattr(user, "_slrt_facts", None)
    if cached is None:
        cached = user._slrt_facts = _kept_or_read_facts(user)
    return cached


# What the database said of each user, per process: {user id: (SCOPE_STAMP's token, facts)}.
# What it buys: _read_facts' query (a UNION of three) on every page of every signed-in user,
# 13.6 % of the household list's samples (py-spy, in-process, 300,000 households,
# 2026-12-06); the stamp comes in the request's one cache read (slrt.stamps).
# Invalidated by SCOPE_STAMP, which moves on every save or delete of a group, a user's
# membership of one, a profile, a profile's kelurahan, an agency, and on every write to an
# emergency grant (HouseholdsConfig.ready(), BreakGlassGrantQuerySet). Grants also end with
# time: facts holding an active grant are never kept, they are read on every request.
# Tests: tests/households/test_kept_scope.py. Bounded: emptied at FACTS_KEPT users.
_kept_facts: dict[int, tuple[str, _Facts]] = {}
FACTS_KEPT = 5000


def _kept_or_read_facts(user: User) -> _Facts:
    token = stamps.current(SCOPE_STAMP)
    kept = _kept_facts.get(user.pk)
    if kept is not None and kept[0] == token:
        return kept[1]
    facts = _read_facts(user)
    if not facts.granted:
        if len(_kept_facts) >= FACTS_KEPT:
            _kept_facts.clear()
        _kept_facts[user.pk] = (token, facts)
    else:
        _kept_facts.pop(user.pk, None)
    return facts


def _read_facts(user: User) -> _Facts:
    """The user's groups, their profile's agency (id and code) and kelurahan, and the
    emergency grants they hold, in one query: the role, the scope and every permission of a
    request (issue 17).
    The groups were a query of their own, the profile and grants another, on every page of a
    facilitator, a desk or agency staff (the household list's 6 queries: 5). Grants: the
    newest one wins when there are several for one household."""
    text = Value(None, output_field=CharField())
    number = Value(None, output_field=BigIntegerField())
    groups = Group.objects.filter(user=user).values_list(Value("group"), "name", number, number)
    profile = UserProfile.objects.filter(user=user).values_list(
        Value("profile"), "agency__code", "agency_id", "kelurahan"
    )
    grants = BreakGlassGrant.objects.active().filter(user=user)
    grants = grants.values_list(Value("grant"), text, "household_id", "pk")
    rows = groups.order_by().union(profile.order_by(), grants.order_by(), all=True)
    names, has_profile, agency_id, agency_code, kelurahan = set(), False, None, None, set()
    grants_seen = []
    for kind, name, first, second in rows:
        if kind == "group":
            names.add(name)
        elif kind == "grant":
            grants_seen.append((second, first))
        else:
            has_profile, agency_id, agency_code = True, first, name
            if second is not None:
                kelurahan.add(second)
    granted = {household_id: grant_id for grant_id, household_id in sorted(grants_seen)}
    return _Facts(
        frozenset(names), has_profile, agency_id, agency_code, frozenset(kelurahan), granted
    )


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
