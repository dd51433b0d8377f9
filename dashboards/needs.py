"""The planner's needs (issue 6, item 6): what each one counts, written in one place.

The page shows each definition beside its figures; `dashboards.selectors.need_counts` counts
them with the conditions of households.needs (the same ones a family's needs assessment
suggests, issue 21), and the unit cost a planner sets turns each count into an
estimated budget. Default unit costs are documented figures for Kota Bekasi (DOMAIN.md), used
until a planner saves another amount.
"""

from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dashboards.indicators import HOUSEHOLDS_UNIT, PERSONS_UNIT
from eligibility.presenters import condition_in_words
from eligibility.selectors import UNFIT_HOUSE_PROGRAM, program_criteria
from households.needs import (  # noqa: F401  (defined once, in households)
    DISABILITY,
    OUT_OF_SCHOOL,
    SCHOOL_AGE,
    UNEMPLOYED_HEAD,
    UNFIT_HOUSE,
    UNINSURED,
    member_conditions,
    years_before,
)

# Houses unfit to live in are counted with the Rutilahu program's criteria in the active rule
# set (issue 18, item 11): the planning page's need and the programs page's Rutilahu figures
# are the same families by construction, and a verifier who changes the criteria changes both.
RUTILAHU = UNFIT_HOUSE_PROGRAM


@dataclass(frozen=True)
class Need:
    code: str
    label: str
    unit: str
    definition: str
    default_cost: int  # Rp per unit and year
    cost_basis: str  # where the default comes from

    @property
    def assessed_code(self) -> str:
        return assessed_code(self.code)


def _unfit_definition() -> str:
    criteria = program_criteria().get(RUTILAHU)
    if criteria is None:
        return str(_("No Rutilahu criteria in the active rule set: not counted."))
    return str(_("Households meeting the Rutilahu criteria of the active rule set: %(words)s.")) % {
        "words": condition_in_words(criteria.condition)
    }


NEEDS: tuple[Need, ...] = (
    Need(
        OUT_OF_SCHOOL,
        _("Children out of school"),
        PERSONS_UNIT,
        format_lazy(
            _(
                "Living members aged {low} to {high} (compulsory schooling) who never attended "
                "school or are no longer in school."
            ),
            low=SCHOOL_AGE[0],
            high=SCHOOL_AGE[1],
        ),
        1_800_000,
        _("PIP for SMA/SMK pupils: Rp1,800,000 a year (the highest PIP rate)."),
    ),
    Need(
        DISABILITY,
        _("Persons with disabilities"),
        PERSONS_UNIT,
        _("Living members with any recorded disability."),
        3_600_000,
        _("Assumption: Rp300,000 a month of social assistance (ATENSI) for a year."),
    ),
    Need(
        UNEMPLOYED_HEAD,
        _("Unemployed heads of household"),
        PERSONS_UNIT,
        _("Living heads of household whose occupation is recorded as not working."),
        4_200_000,
        _("Kartu Prakerja: Rp4,200,000 of training and incentives per person."),
    ),
    Need(
        UNFIT_HOUSE,
        _("Houses unfit to live in"),
        HOUSEHOLDS_UNIT,
        lazy(_unfit_definition, str)(),
        20_000_000,
        _("Rutilahu in Kota Bekasi: Disperkimtan gives Rp20,000,000 per house."),
    ),
    Need(
        UNINSURED,
        _("Uninsured persons"),
        PERSONS_UNIT,
        _("Living members without any health insurance."),
        504_000,
        _("PBI-JK premium: Rp42,000 a month for a year."),
    ),
)

BY_CODE: dict[str, Need] = {need.code: need for need in NEEDS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def assessed_code(need: str) -> str:
    """The need as families' needs assessments confirmed it (issue 21: "planning uses
    assessed needs, not only registry-derived ones"): the persons (or, for a house, the
    households) whose family's latest assessment records the need as present. Shown beside
    the registry's count, which covers every family (most are not assessed yet); the budget
    stays on the registry's count, so that assessing a family never drops its need from it."""
    return f"assessed:{need}"


ASSESSED_CODES: tuple[str, ...] = tuple(assessed_code(code) for code in CODES)
