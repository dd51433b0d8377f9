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

    @property
    def rate(self) -> "Rate | None":
        return RATES.get(self.code)


def _poverty_line() -> str:
    # Read at call time (STYLE.md section 12): tests and deployments change the line.
    return number_format(int(settings.POVERTY_LINE), force_grouping=True)


def _poverty_words() -> str:
    """The definition of "poor" in the active rule set, in words: the text is the rule the
    counts use (issue 19), never a second description of it."""
    from eligibility.presenters import condition_in_words
    from eligibility.selectors import poor_definition

    poor = poor_definition()
    if poor is None:
        return str(_("No definition of a poor household in the active rule set: not counted."))
    return str(
        _(
            "Households meeting the definition of a poor household in the active rule set: "
            "%(words)s (poverty line Rp %(line)s a month per person)."
        )
    ) % {"words": condition_in_words(poor.condition), "line": _poverty_line()}


_poverty_definition = lazy(_poverty_words, str)

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
    # Flows, not stocks (issue 21 part 4): counted over one calendar month, the live figure
    # over this month so far; each month of the trend is that month's own count.
    Indicator(
        "graduated_households",
        _("Graduated households"),
        HOUSEHOLDS_UNIT,
        _(
            "Families whose graduation out of poverty (graduasi) a verifier confirmed this "
            "month, by the criteria or as sejahtera mandiri; their aid programs ended."
        ),
    ),
    Indicator(
        "relapsed_households",
        _("Relapsed households"),
        HOUSEHOLDS_UNIT,
        _(
            "Graduated families found poor again this month, within 12 months of their "
            "graduation (the definition of a poor household, an assessed income below the "
            "poverty line, or a new aid enrolment)."
        ),
    ),
    Indicator(
        "assessed_households",
        _("Families assessed"),
        HOUSEHOLDS_UNIT,
        _("Families whose needs were assessed (asesmen kebutuhan) at least once."),
    ),
    Indicator(
        "households_with_plan",
        _("Families with a plan"),
        HOUSEHOLDS_UNIT,
        _(
            "Families with an active plan (rencana penanganan), made with a facilitator or "
            "the desk."
        ),
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

# The national data (issue 22), beside the registry's: counted from the latest DTSEN extract
# (national.selectors.national_counts), shown in their own panel and in the indicators API,
# not in the monthly snapshots (an extract changes quarterly and has its own history).
NATIONAL_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "dtsen_desil_1_4",
        _("DTSEN desil 1–4"),
        HOUSEHOLDS_UNIT,
        _(
            "Families that the latest DTSEN extract places in desil 1 to 4 (the desil national "
            "aid targets), in the kelurahan DTSEN gives."
        ),
    ),
    Indicator(
        "dtsen_poor_overlap",
        _("In both"),
        HOUSEHOLDS_UNIT,
        _("Of those, the families that the city's registry also counts as poor."),
    ),
    Indicator(
        "unregistered_poor",
        _("Poor, not in DTSEN"),
        HOUSEHOLDS_UNIT,
        _(
            "Poor households of the city's registry that the latest DTSEN extract does not "
            "list at all: candidates for a new proposal (usulan baru)."
        ),
    ),
)
# The usulan (issue 22, second half): proposals the city sent to the national system, of all
# quarters (the usulan page splits them per quarter), and the national system's answers.
NATIONAL_INDICATORS += (
    Indicator(
        "usulan_sent",
        _("Usulan sent"),
        HOUSEHOLDS_UNIT,
        _("Families the city proposed to DTSEN (new, correction, exit) in its sent batches."),
    ),
    Indicator(
        "usulan_accepted",
        _("Usulan accepted"),
        HOUSEHOLDS_UNIT,
        _("Of those, the proposals the national system accepted."),
    ),
    Indicator(
        "usulan_rejected",
        _("Usulan rejected"),
        HOUSEHOLDS_UNIT,
        _("Of those, the proposals the national system rejected."),
    ),
)
NATIONAL_BY_CODE = {indicator.code: indicator for indicator in NATIONAL_INDICATORS}

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}
CODES: tuple[str, ...] = tuple(BY_CODE)
HOUSEHOLD_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS if not i.referrals)
REFERRAL_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS if i.referrals)
# Counted over a calendar month (dashboards.selectors.flow_counts), not at a moment.
FLOW_CODES: tuple[str, ...] = ("graduated_households", "relapsed_households")
# The map's indicator when the user has not picked one.
DEFAULT_MAP_INDICATOR = "poor_households"


@dataclass(frozen=True)
class Rate:
    """An indicator as a share of another (issue 18, point 12): the map colours it, so that
    a big kecamatan does not always look worst, and tables show it beside the count."""

    of: str  # the denominator's indicator code
    per: int  # 100: a percentage; 1000: per 1,000
    label: str  # the map's caption: "% of households"
    after: str  # after the formatted rate on a tile: "26,1%" + " of households"


RATES: dict[str, Rate] = {
    "poor_households": Rate("households", 100, _("% of households"), _("of households")),
    "aid_recipients": Rate("households", 100, _("% of households"), _("of households")),
    "inclusion_errors": Rate(
        "aid_recipients", 100, _("% of aid recipients"), _("of aid recipients")
    ),
    "exclusion_errors": Rate(
        "poor_households", 100, _("% of poor households"), _("of poor households")
    ),
    "assessed_households": Rate("households", 100, _("% of households"), _("of households")),
    "households_with_plan": Rate(
        "assessed_households", 100, _("% of assessed families"), _("of assessed families")
    ),
    "open_referrals": Rate("households", 1000, _("per 1,000 households"), HOUSEHOLDS_UNIT),
    "overdue_referrals": Rate(
        "open_referrals", 100, _("% of open referrals"), _("of open referrals")
    ),
}


def rate_of(code: str, cells) -> float | None:
    """The rate of indicator `code` from one area's cells, None when it has none, when
    either figure is hidden (a rate must not give a hidden count back) or the base is 0."""
    rate = RATES.get(code)
    if rate is None or code not in cells or rate.of not in cells:
        return None
    count, base = cells[code].value, cells[rate.of].value
    if count is None or not base:
        return None
    return round(count * rate.per / base, 1)


def format_rate(code: str, value: float) -> str:
    shown = number_format(value, decimal_pos=1)
    if RATES[code].per == 100:
        return f"{shown}%"
    return str(_("%(rate)s per 1,000") % {"rate": shown})
