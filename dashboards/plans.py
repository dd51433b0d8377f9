"""The family plans on the dashboards (issue 21, part 5): needs by domain, interventions open and
done per agency. Definitions in one place; counted per kelurahan by
`dashboards.selectors.plan_counts`, stored and suppressed like every other figure.

- a family's need in a domain: its latest needs assessment records a need in that domain;
- an intervention of an active plan is open while planned or under way, done when done
  (a referral's as its referral says, referrals.models.plans.progress_of); stopped ones are
  neither. It is counted at its agency: a referral's receiving agency (after a transfer, the
  new one), the agency named with a program proposal; the facilitator's own actions under
  OWN."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from households.models import Agency, Domain

OWN = "own"  # the facilitator's own actions (and program proposals without an agency)
OPEN, DONE = "open", "done"


def need_code(domain: str) -> str:
    return f"plan-need:{domain}"


def step_code(agency: str, part: str) -> str:
    return f"plan-step:{agency}:{part}"


NEED_CODES: tuple[str, ...] = tuple(need_code(d) for d in Domain.values)


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str

    @property
    def open_code(self) -> str:
        return step_code(self.code, OPEN)

    @property
    def done_code(self) -> str:
        return step_code(self.code, DONE)


def agency_rows() -> list[AgencyRow]:
    """The agencies that receive referrals, then the facilitators' own actions."""
    agencies = Agency.objects.filter(receives_referrals=True).order_by("short_name")
    rows = [AgencyRow(code, name) for code, name in agencies.values_list("code", "short_name")]
    return [*rows, AgencyRow(OWN, str(_("Facilitator's own actions")))]


def step_codes(rows: list[AgencyRow]) -> list[str]:
    return [code for row in rows for code in (row.open_code, row.done_code)]


def codes() -> list[str]:
    return [*NEED_CODES, *step_codes(agency_rows())]
