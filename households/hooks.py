"""Where apps built on households plug in, so households never imports them (STYLE.md
section 2; slrt.layers checks it): after-save and after-import hooks (eligibility, dashboards;
each gets an id and runs after the saving transaction commits), what agency staff reach
(referrals) and the household page's sections (eligibility, referrals). Each app registers in
its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Q, QuerySet

_AFTER_SAVE: list[Callable[[int], None]] = []


def register_after_household_save(hook: Callable[[int], None]) -> None:
    if hook not in _AFTER_SAVE:
        _AFTER_SAVE.append(hook)


def household_saved(household_id: int) -> None:
    """Called by the services inside their transaction; the hooks run after commit."""
    for hook in _AFTER_SAVE:
        transaction.on_commit(partial(hook, household_id))


_AFTER_IMPORT: list[Callable[[int], None]] = []


def register_after_import(hook: Callable[[int], None]) -> None:
    """`hook(batch_id)` runs after an import's commit: one call for the whole file, not one
    per household (a 100,000-row file would otherwise queue 30,000 evaluations)."""
    if hook not in _AFTER_IMPORT:
        _AFTER_IMPORT.append(hook)


def registry_imported(batch_id: int) -> None:
    """Called by the import's commit inside its transaction; the hooks run after commit."""
    for hook in _AFTER_IMPORT:
        transaction.on_commit(partial(hook, batch_id))


# --- what agency staff reach ------------------------------------------------------------------
# Agency staff see a household, and the people in it, only through what was sent to their
# agency: referrals, an app built on this one, says which (referrals.apps registers
# referrals.selectors.referred_household_ids and referred_members). Without one registered
# they reach nobody.


@dataclass(frozen=True)
class AgencyReach:
    households: Callable[[int], QuerySet]  # agency id → a subquery of household ids
    members: Callable[[int], Q]  # agency id → the members (a condition on Member)


_AGENCY_REACH: list[AgencyReach] = []  # at most one: the app that sends work to agencies


def register_agency_reach(reach: AgencyReach) -> None:
    _AGENCY_REACH[:] = [reach]


def agency_household_ids(agency_id: int) -> QuerySet | list[int]:
    """The ids of the households an agency reaches (a subquery)."""
    return _AGENCY_REACH[0].households(agency_id) if _AGENCY_REACH else []


def agency_members(agency_id: int) -> Q:
    """The members an agency reaches, as a condition on Member."""
    return _AGENCY_REACH[0].members(agency_id) if _AGENCY_REACH else Q(pk__in=[])


# --- the household page's sections -------------------------------------------------------------
# Cards that apps built on households add to its page (eligibility's findings, referrals'
# list and "raise a referral"): each a template of the app's own, included with the page's
# context (household, need_to_know, can_write, perms), in `order`.


@dataclass(frozen=True)
class HouseholdSection:
    template: str
    order: int = 100


_SECTIONS: list[HouseholdSection] = []


def register_household_section(section: HouseholdSection) -> None:
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def household_sections() -> list[HouseholdSection]:
    return sorted(_SECTIONS, key=lambda section: (section.order, section.template))
