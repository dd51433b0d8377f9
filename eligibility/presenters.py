"""The decision receipt: each flag's rule, version, values and where each value came from."""

from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from eligibility.conditions import BOOL, describe, render_message
from eligibility.fields import CATALOGUE
from eligibility.models import Flag
from households.models import ChangeRecord, Household


@dataclass
class ValueLine:
    label: str
    value: str
    source: str


@dataclass
class ReceiptItem:
    flag: Flag
    message: str
    values: list[ValueLine]


def _display(name: str, value: Any) -> Any:
    field = CATALOGUE.get(name)
    if field and field.type == BOOL and value is not None:
        return bool(value)  # SQLite's JSON stores booleans as 0/1
    return value


def _who(record: ChangeRecord) -> str:
    return (record.actor.get_full_name() or record.actor.username) if record.actor else _("unknown")


def _source_sentence(record: ChangeRecord | None, household: Household) -> str:
    if record is None:
        return _("Recorded when the household was registered on %(date)s.") % {
            "date": date_format(household.created_at, "j F Y")
        }
    when = date_format(record.created_at, "j F Y")
    if record.import_batch_id:
        return _("From import file %(batch)s, on %(date)s.") % {
            "batch": str(record.import_batch),
            "date": when,
        }
    if record.action == ChangeRecord.Action.CREATED:
        return _("Entered on the form by %(user)s on %(date)s.") % {
            "user": _who(record),
            "date": when,
        }
    return _("Changed on the form by %(user)s on %(date)s.") % {"user": _who(record), "date": when}


def _latest_source(records: list[ChangeRecord], name: str) -> ChangeRecord | None:
    field = CATALOGUE.get(name)
    if field is None:
        return None
    entity, columns = field.sources
    for record in records:  # newest first
        if record.entity != entity:
            continue
        if record.action == ChangeRecord.Action.CREATED or set(columns) & set(record.changes):
            return record
    return next((r for r in reversed(records) if r.entity == "household"), None)


def receipt(household: Household, flags: list[Flag]) -> list[ReceiptItem]:
    records = list(
        household.change_records.select_related("actor", "import_batch").order_by(
            "-created_at", "-pk"
        )
    )
    items = []
    for flag in flags:
        values = {k: _display(k, v) for k, v in flag.values.items()}
        lines = [
            ValueLine(
                label=str(CATALOGUE[name].label) if name in CATALOGUE else name,
                value=render_message("{" + name + "}", values),
                source=_source_sentence(_latest_source(records, name), household),
            )
            for name in values
        ]
        items.append(ReceiptItem(flag, render_message(flag.rule.message, values), lines))
    return items


def _value_label(name: str, value: Any) -> str:
    field = CATALOGUE.get(name)
    if field is not None and field.type == BOOL:
        return str(_("yes") if value else _("no"))
    if field is not None and field.choices:
        model_field = Household._meta.get_field(field.sources[1][0])
        return str(dict(model_field.choices).get(value, value)).lower()
    return str(value)


def condition_in_words(condition: dict) -> str:
    """A rule's (expanded) condition as the pages show it beside the figures it defines."""
    return describe(condition, lambda name: str(CATALOGUE[name].label), _value_label)
