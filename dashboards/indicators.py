"""The dashboard's indicators: pure definitions, the one place their meaning is written down.

Each figure on a page carries its definition beside it, so the text here is what the mayor's
office reads; the SQL that counts it lives in `dashboards.selectors`, one annotation per code.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    definition: str
    # Counted from referrals rather than households: agency staff see only these.
    referrals: bool = False


def _poverty_line() -> str:
    # Read at call time (STYLE.md section 12): tests and deployments change the line.
    return number_format(int(settings.POVERTY_LINE), force_grouping=True)


_poverty_definition = lazy(
    lambda: (
        str(
            _(
                "Households whose income per person is below the poverty line (Rp %(line)s a "
                "month), or whose welfare decile (desil) is 1 to 4."
            )
        )
        % {"line": _poverty_line()}
    ),
    str,
)

HOUSEHOLDS_UNIT = pgettext_lazy("unit", "households")
PERSONS_UNIT = pgettext_lazy("unit", "persons")
REFERRALS_UNIT = pgettext_lazy("unit", "referrals")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "households",
        _("Households"),
        HOUSEHOLDS_UNIT,
        _("Families (one Kartu Keluarga each) in the registry."),
    ),
    Indicator(
        "persons",
        _("Persons"),
        PERSONS_UNIT,
        _("Members of those families, as listed on their Kartu Keluarga."),
    ),
    Indicator("poor_households", _("Poor households"), HOUSEHOLDS_UNIT, _poverty_definition()),
    Indicator(
        "aid_recipients",
        _("Aid recipients"),
        HOUSEHOLDS_UNIT,
        _("Households with at least one active enrolment in an aid program."),
    ),
    Indicator(
        "inclusion_errors",
        _("Inclusion errors"),
        HOUSEHOLDS_UNIT,
        _(
            "Aid recipients caught by an exclusion rule (e.g. car owners) whose finding is "
            "still open and was not dismissed by a verifier."
        ),
    ),
    Indicator(
        "exclusion_errors",
        _("Exclusion errors"),
        HOUSEHOLDS_UNIT,
        _("Poor households (as defined above) with no active aid program."),
    ),
    Indicator(
        "open_referrals",
        _("Open referrals"),
        REFERRALS_UNIT,
        _("Referrals submitted, accepted, in progress or returned for information."),
        referrals=True,
    ),
    Indicator(
        "overdue_referrals",
        _("Overdue referrals"),
        REFERRALS_UNIT,
        _("Open referrals waiting on the agency past their deadline."),
        referrals=True,
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
CODES: tuple[str, ...] = tuple(BY_CODE)
HOUSEHOLD_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS if not i.referrals)
REFERRAL_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS if i.referrals)
# The map's indicator when the user has not picked one.
DEFAULT_MAP_INDICATOR = "poor_households"
