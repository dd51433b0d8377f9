"""The simulation's workbook (issue 20, `?format=xlsx`): the full change lists, no longer and
newly flagged, each family with its KK tail, kelurahan, programs, deciding rule and value, and
the totals per kecamatan and program; every sheet opens with a title block (the draft, its
reason, the changes in words, who and when). Cells are escaped by slrt.exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from eligibility.models import RuleSet
from eligibility.presenters import RuleChange
from eligibility.simulation import AreaRow, ChangedHousehold, Simulation, changed_households
from households.audit import record_export
from households.identifiers import kk_tails
from households.models import Household
from slrt.exports import Sheet, write_workbook

CHUNK = 500


def _title_block(draft: RuleSet, changes: list[RuleChange], by: User, what: str) -> list[str]:
    lines = [
        _("Simulation of draft rule set version %(v)s: %(what)s")
        % {"v": draft.version, "what": what},
        _("Reason for the change: %(reason)s") % {"reason": draft.reason or "–"},
    ]
    lines += [_("Change: %(change)s") % {"change": change.summary} for change in changes]
    if not changes:
        lines.append(_("No rule differs from the active set."))
    lines.append(
        _("Made by %(user)s on %(date)s, from the open flags and the registry at that moment.")
        % {
            "user": by.get_full_name() or by.username,
            "date": date_format(timezone.localtime(), "j F Y H:i"),
        }
    )
    return lines


def _change_rows(
    draft: RuleSet, ids: list[int], were_flagged: bool, fields: list[str]
) -> list[list]:
    rows = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows += changed_households(draft=draft, ids=chunk, were_flagged=were_flagged, fields=fields)
    # The tails tell apart every family of the sheet, not only those of one chunk.
    tails = kk_tails(row.household.kk_number for row in rows)
    return [_change_row(row, tails) for row in rows]


def _change_row(row: ChangedHousehold, tails: dict[str, str]) -> list:
    household = row.household
    return [
        household.kelurahan.parent.name if household.kelurahan.parent else "",
        household.kelurahan.name,
        household.head_name,
        tails[household.kk_number],
        ", ".join(row.programs),
        "; ".join(f"{rule.name} (v{rule.version})" for rule in row.rules),
        "; ".join(row.values),
    ]


def _area_rows(rows: list[AreaRow], total: AreaRow | None = None) -> Iterator[list]:
    for row in [*rows, *([total] if total else [])]:
        yield [row.name, row.now, row.draft, row.newly, row.no_longer, row.change_pct]


def simulation_workbook(
    *,
    draft: RuleSet,
    result: Simulation,
    changes: list[RuleChange],
    fields: list[str],
    by: User,
) -> bytes:
    """The workbook, recorded as an export of the households it names (already scoped)."""
    changed = result.no_longer_flagged + result.newly_flagged
    record_export(
        by=by,
        export="rule_simulation",
        file_format="xlsx",
        filters={"rule_set": str(draft.version)},
        row_count=len(changed),
        households=Household.objects.filter(pk__in=changed),
    )
    family_headers = [
        _("Kecamatan"),
        _("Kelurahan"),
        _("Head of the family"),
        _("KK (last digits)"),
        _("Programs"),
        _("Deciding rule"),
        _("Value"),
    ]
    area_headers = [
        _("Area"),
        _("Now"),
        _("Draft"),
        _("Newly"),
        _("No longer"),
        _("Change (%)"),
    ]
    no_longer, newly = _("No longer flagged"), _("Newly flagged")
    sheets = [
        Sheet(
            no_longer,
            family_headers,
            _change_rows(draft, result.no_longer_flagged, True, fields),
            text_columns=(3,),
            title_rows=_title_block(draft, changes, by, no_longer.lower()),
        ),
        Sheet(
            newly,
            family_headers,
            _change_rows(draft, result.newly_flagged, False, fields),
            text_columns=(3,),
            title_rows=_title_block(draft, changes, by, newly.lower()),
        ),
        Sheet(
            _("Per kecamatan"),
            area_headers,
            _area_rows(result.per_kecamatan, result.totals),
            title_rows=_title_block(draft, changes, by, _("per kecamatan")),
        ),
        Sheet(
            _("Per program"),
            area_headers,
            _area_rows(result.per_program),
            title_rows=_title_block(draft, changes, by, _("per program")),
        ),
    ]
    return write_workbook(sheets)
