"""The programs page's figures (issue 6, item 4): three per aid program, defined here.

Cell codes are "<program code>:<figure>", so one tree (dashboards.tree) carries every
program and each figure is suppressed on its own like any indicator.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dashboards.indicators import HOUSEHOLDS_UNIT
from eligibility.presenters import condition_in_words
from eligibility.selectors import program_criteria


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
            "Households that meet the program's own criteria (its rule in the active rule "
            "set, below) without an active enrolment in it."
        ),
    ),
)
FIGURE_CODES = tuple(figure.code for figure in FIGURES)


def program_code(program: str, figure: str) -> str:
    return f"{program}:{figure}"


@dataclass(frozen=True)
class Criteria:
    program: str  # its name
    rule: str  # the rule's name, in the reader's language
    words: str  # the condition in words


def program_criteria_shown(programs) -> list[Criteria]:
    """Each program's criteria as the programs page shows them under its figures."""
    criteria = program_criteria()
    shown = []
    for program in programs:
        compiled = criteria.get(program.code)
        if compiled is None:
            shown.append(Criteria(program.name, "", str(_("No criteria: not counted."))))
        else:
            words = condition_in_words(compiled.condition)
            shown.append(Criteria(program.name, compiled.rule.name, words))
    return shown
