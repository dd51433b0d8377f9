"""The programs page's figures (issue 6, item 4): three per aid program, defined here.

Cell codes are "<program code>:<figure>", so one tree (dashboards.tree) carries every
program and each figure is suppressed on its own like any indicator.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dashboards.indicators import HOUSEHOLDS_UNIT


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    unit: str
    definition: str


FIGURES: tuple[Figure, ...] = (
    Figure(
        "enrolled",
        _("Enrolled"),
        HOUSEHOLDS_UNIT,
        _("Households with an active enrolment in the program (of the household or a member)."),
    ),
    Figure(
        "flagged",
        _("Enrolled but flagged"),
        HOUSEHOLDS_UNIT,
        _(
            "Enrolled households caught by an exclusion rule whose finding is still open and "
            "was not dismissed by a verifier (the inclusion errors of this program)."
        ),
    ),
    Figure(
        "eligible",
        _("Eligible but not enrolled"),
        HOUSEHOLDS_UNIT,
        _(
            "Poor households (as defined on the overview) without an active enrolment in "
            "this program."
        ),
    ),
)
FIGURE_CODES = tuple(figure.code for figure in FIGURES)


def program_code(program: str, figure: str) -> str:
    return f"{program}:{figure}"
