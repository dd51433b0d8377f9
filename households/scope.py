"""Who may see which records: the one scope module (DESIGN.md, STYLE.md section 4).

Every page, API endpoint, export and dashboard starts from `scope_for(user)` through the
selectors. Outside scope is 404, so a record's existence does not leak.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from households.models import BreakGlassGrant
from households.roles import FULL_IDENTIFIER_ROLES, ROLE_PRECEDENCE, Role


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

    @property
    def is_aggregate_only(self) -> bool:
        return not self.personal_data

    @property
    def granted_household_ids(self) -> frozenset[int]:
        return frozenset(self.granted)


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
        return Scope(role=role, personal_data=True, city_wide=True, sees_full_identifiers=full)
    if role in (Role.PIMPINAN, Role.PERENCANA):
        return Scope(role=role, personal_data=False, city_wide=True)
    profile = getattr(user, "profile", None)
    granted = _active_grants(user)
    if role == Role.PETUGAS_OPD:
        agency_id = profile.agency_id if profile else None
        if agency_id is None:
            return NO_SCOPE
        return Scope(
            role=role,
            personal_data=True,
            city_wide=False,
            agency_id=agency_id,
            granted=granted,
            sees_full_identifiers=full,
        )
    kelurahan_ids = frozenset(profile.kelurahan.values_list("pk", flat=True)) if profile else ()
    return Scope(
        role=role,
        personal_data=True,
        city_wide=False,
        kelurahan_ids=frozenset(kelurahan_ids),
        granted=granted,
        sees_full_identifiers=full,
    )


def _active_grants(user: User) -> dict[int, int]:
    """The households the user opened by emergency access that has not yet expired (one
    query; the newest grant wins when there are several for one household)."""
    if not user.has_perm("households.request_breakglassgrant"):
        return {}
    rows = BreakGlassGrant.objects.active().filter(user=user).order_by("created_at", "pk")
    return dict(rows.values_list("household_id", "pk"))
