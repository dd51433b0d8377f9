"""The decision receipt: each flag's rule, version, values and where each value came from."""

from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from eligibility.conditions import (
    BOOL,
    changed_comparisons,
    describe,
    fields_used,
    placeholders,
    render_message,
)
from eligibility.fields import CATALOGUE
from eligibility.models import Flag, Rule, RuleSet
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
        items.append(ReceiptItem(flag, render_message(flag.rule.reader_message, values), lines))
    return items


def _value_label(name: str, value: Any) -> str:
    """One value of a field as a rule shows it: "3.500 VA", "Rp1.500.000", "yes", a choice's
    label; numbers grouped in the reader's language."""
    field = CATALOGUE.get(name)
    if field is not None and field.type == BOOL:
        return str(_("yes") if value else _("no"))
    if field is not None and field.choices:
        model_field = Household._meta.get_field(field.sources[1][0])
        return str(dict(model_field.choices).get(value, value)).lower()
    if field is not None and field.name == "enrolled_programs":
        return str(value).upper()
    if isinstance(value, int) and not isinstance(value, bool):
        number = number_format(value, force_grouping=True)
        return str(field.unit) % {"value": number} if field is not None and field.unit else number
    return str(value)


def _field_words(name: str) -> str:
    field = CATALOGUE.get(name)
    return str(field.words_label) if field is not None else name


def condition_in_words(condition: dict) -> str:
    """A rule's condition in words, from the catalogue's labels: "daya listrik ≥ 3.500 VA"
    (the template capitalises the first letter)."""
    return describe(condition, _field_words, _value_label, lambda kind: str(Rule.Kind(kind).label))


def message_in_words(template: str) -> str:
    """A rule's message with each {field} named by its label: "Memiliki [jumlah mobil] mobil"."""
    return render_message(
        template, {name: f"[{_field_words(name)}]" for name in placeholders(template)}
    )


def comparison_in_words(leaf: dict) -> str:
    """One comparison without its field, for a change beside the field's name: "≥ 3.500 VA"."""
    name, op, value = leaf["field"], leaf["op"], leaf.get("value")
    if op == "is_empty":
        return _("not recorded")
    if op == "in":
        return _("one of: %(values)s") % {"values": ", ".join(_value_label(name, v) for v in value)}
    if op == "between":
        low, high = (_value_label(name, v) for v in value)
        return _("between %(low)s and %(high)s") % {"low": low, "high": high}
    symbol = {">=": "≥", "<=": "≤", "!=": "≠"}.get(op, op)
    return f"{symbol} {_value_label(name, value)}"


def value_in_words(name: str, value: Any) -> str:
    """A household's value of a field, named: "daya listrik: 2.200 VA"."""
    shown = "–" if value is None else _value_label(name, _display(name, value))
    return f"{_field_words(name)}: {shown}"


@dataclass
class RuleChange:
    """One rule's difference between the active set and a draft, in words."""

    code: str
    name: str
    change: str  # "changed", "added", "removed", "reworded" (name or message only)
    old_version: int | None
    new_version: int | None
    steps: list[str]  # "daya listrik: ≥ 2.200 VA → ≥ 3.500 VA"
    fields: list[str]  # the catalogue fields whose comparison changed

    @property
    def versions(self) -> str:
        if self.old_version is None:
            return _("new, v%(v)s") % {"v": self.new_version}
        if self.new_version is None:
            return _("removed, was v%(v)s") % {"v": self.old_version}
        return f"v{self.old_version} → v{self.new_version}"

    @property
    def summary(self) -> str:
        return f"{self.name} {self.versions}: {'; '.join(self.steps)}"


def _steps(old: dict, new: dict) -> tuple[list[str], list[str]]:
    pairs = changed_comparisons(old, new)
    if pairs is None:
        before, after = condition_in_words(old), condition_in_words(new)
        return [f"{before} → {after}"], fields_used(old) + fields_used(new)
    steps = []
    for a, b in pairs:
        if a["field"] == b["field"]:
            before, after = comparison_in_words(a), comparison_in_words(b)
            steps.append(f"{_field_words(a['field'])}: {before} → {after}")
        else:
            steps.append(f"{condition_in_words(a)} → {condition_in_words(b)}")
    return steps, list(dict.fromkeys(f for pair in pairs for leaf in pair for f in [leaf["field"]]))


REWORDED_FIELDS = ("name_id", "name_en", "message", "message_en", "severity", "kind", "program")


def rule_changes(active: list[Rule], draft: list[Rule]) -> list[RuleChange]:
    """What a draft changes against the active set, rule by rule in code order: the diff a
    simulation opens with and an activation restates (issue 20)."""
    before = {rule.code: rule for rule in active}
    after = {rule.code: rule for rule in draft}
    changes = []
    for code in sorted(before.keys() | after.keys()):
        old, new = before.get(code), after.get(code)
        if old is None:
            words = _("added: %(condition)s") % {"condition": condition_in_words(new.condition)}
            fields = fields_used(new.condition)
            changes.append(RuleChange(code, new.name, "added", None, new.version, [words], fields))
        elif new is None:
            words = _("removed: %(condition)s") % {"condition": condition_in_words(old.condition)}
            fields = fields_used(old.condition)
            change = RuleChange(code, old.name, "removed", old.version, None, [words], fields)
            changes.append(change)
        elif old.condition != new.condition:
            steps, fields = _steps(old.condition, new.condition)
            changes.append(
                RuleChange(code, new.name, "changed", old.version, new.version, steps, fields)
            )
        elif any(getattr(old, f) != getattr(new, f) for f in REWORDED_FIELDS):
            steps = [_("name, message or kind changed; the condition is the same")]
            changes.append(
                RuleChange(code, new.name, "reworded", old.version, new.version, steps, [])
            )
    return changes


def rule_set_changes(draft: RuleSet) -> list[RuleChange]:
    """A draft's changes against the active set (none active: every rule is new)."""
    active = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).first()
    return rule_changes(list(active.rules.all()) if active else [], list(draft.rules.all()))
