"""The decision receipt: each flag's rule, version, values and where each value came from."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from eligibility.conditions import (
    BOOL,
    changed_comparisons,
    describe,
    evaluate,
    expand,
    fields_used,
    placeholders,
    render_message,
)
from eligibility.fields import CATALOGUE
from eligibility.models import Flag, Rule, RuleSet
from households.choices import reference_rows
from households.models import ChangeRecord, Household


@dataclass
class ValueLine:
    label: str
    value: str
    source: str  # the sentence: where the value came from, who recorded it, as of when
    kind: str = ""  # the source in a word: input petugas, impor kelurahan, DTSEN, ...
    recorded_by: str = ""
    as_of: datetime.datetime | None = None


@dataclass
class Criterion:
    """One line of a rule's condition against the household's values (issue 20): the value,
    the threshold and whether it was met. A group ("all of", "any of") is a line too."""

    depth: int
    label: str
    threshold: str
    value: str
    met: bool | None  # None: the value is not recorded with the finding
    group: bool = False


@dataclass
class ReceiptItem:
    flag: Flag
    message: str
    values: list[ValueLine]
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def deciding(self) -> list[Criterion]:
        """The criteria met at the leaves: what made the rule fire."""
        return [c for c in self.criteria if c.met and not c.group]


def _display(name: str, value: Any) -> Any:
    field_ = CATALOGUE.get(name)
    if field_ and field_.type == BOOL and value is not None:
        return bool(value)  # SQLite's JSON stores booleans as 0/1
    return value


def flag_values(flag: Flag) -> dict[str, Any]:
    """The values recorded with a flag, as Python reads them (booleans as booleans)."""
    return {k: _display(k, v) for k, v in flag.values.items()}


def _who(record: ChangeRecord) -> str:
    return (record.actor.get_full_name() or record.actor.username) if record.actor else _("unknown")


SOURCE_WORDS = {
    Household.Source.FORM: _("officer's input"),
    Household.Source.IMPORT: _("kelurahan import"),
    Household.Source.DTKS: _("DTSEN"),
    Household.Source.DEMO: _("demo data"),
}


def _provenance(record: ChangeRecord | None, household: Household) -> tuple[str, str, str, Any]:
    """(sentence, source in a word, who, as of) of a value, from the change history and the
    import batch; without a record, from how the household came into the registry."""
    if record is None:
        kind = str(SOURCE_WORDS.get(household.source, household.get_source_display()))
        who = _who_user(household.created_by)
        sentence = _("%(source)s: recorded when the household was registered on %(date)s.") % {
            "source": kind[:1].upper() + kind[1:],
            "date": date_format(household.created_at, "j F Y"),
        }
        if who:
            sentence += " " + _("By %(user)s.") % {"user": who}
        return sentence, kind, who, household.created_at
    when = date_format(record.created_at, "j F Y")
    who = _who(record)
    if record.import_batch_id:
        kind = str(SOURCE_WORDS[Household.Source.IMPORT])
        sentence = _("Kelurahan import, file %(batch)s, by %(user)s on %(date)s.") % {
            "batch": str(record.import_batch),
            "user": who,
            "date": when,
        }
        return sentence, kind, who, record.created_at
    kind = str(SOURCE_WORDS[Household.Source.FORM])
    if record.action == ChangeRecord.Action.CREATED:
        sentence = _("Officer's input: entered on the form by %(user)s on %(date)s.")
    else:
        sentence = _("Officer's input: changed on the form by %(user)s on %(date)s.")
    return sentence % {"user": who, "date": when}, kind, who, record.created_at


def _who_user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _latest_source(records: list[ChangeRecord], name: str) -> ChangeRecord | None:
    field_ = CATALOGUE.get(name)
    if field_ is None:
        return None
    entity, columns = field_.sources
    for record in records:  # newest first
        if record.entity != entity:
            continue
        if record.action == ChangeRecord.Action.CREATED or set(columns) & set(record.changes):
            return record
    return next((r for r in reversed(records) if r.entity == "household"), None)


def receipt(
    household: Household, flags: list[Flag], conditions_by_rule: dict[int, dict] | None = None
) -> list[ReceiptItem]:
    """Each flag's message, values with their provenance and, given the rules' expanded
    conditions (rule id -> condition, see expanded_conditions), each criterion against the
    values recorded with the flag."""
    records = list(
        household.change_records.select_related("actor", "import_batch").order_by(
            "-created_at", "-pk"
        )
    )
    items = []
    for flag in flags:
        values = flag_values(flag)
        lines = []
        for name in values:
            sentence, kind, who, as_of = _provenance(_latest_source(records, name), household)
            lines.append(
                ValueLine(
                    label=str(CATALOGUE[name].label) if name in CATALOGUE else name,
                    value=render_message("{" + name + "}", values),
                    source=sentence,
                    kind=kind,
                    recorded_by=who,
                    as_of=as_of,
                )
            )
        condition = (conditions_by_rule or {}).get(flag.rule_id)
        criteria = explain(condition, values) if condition else []
        items.append(
            ReceiptItem(flag, render_message(flag.rule.reader_message, values), lines, criteria)
        )
    return items


def expanded_conditions(rules: list[Rule]) -> dict[int, dict]:
    """Rule id -> its condition with references to other rules expanded, each rule within
    its own rule set (one query for the sets' rules)."""
    set_ids = sorted({rule.rule_set_id for rule in rules})
    # From the process copy (households.choices): a rule set changes rarely, and the queue
    # and the case page each stay within 8 queries (issue 17).
    siblings = reference_rows(Rule.objects.filter(rule_set_id__in=set_ids).order_by("code"))
    expanded = {}
    for rule in rules:
        same_set = [r for r in siblings if r.rule_set_id == rule.rule_set_id]

        def of_kind(kind: str, same_set=same_set) -> list[dict]:
            return [r.condition for r in same_set if r.kind == kind]

        expanded[rule.pk] = expand(rule.condition, of_kind)
    return expanded


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return _value_label(name, value)


def _threshold(c: dict) -> str:
    name, op, value = c["field"], c["op"], c.get("value")
    if op == "is_empty":
        return str(_("not recorded"))
    if op == "in":
        return _("one of: %(values)s") % {"values": ", ".join(_shown(name, v) for v in value)}
    if op == "between":
        return _("%(low)s to %(high)s") % {
            "low": _shown(name, value[0]),
            "high": _shown(name, value[1]),
        }
    symbol = {">=": "≥", "<=": "≤", "!=": "≠"}.get(op, op)
    return f"{symbol} {_shown(name, value)}"


def explain(condition: dict, values: dict[str, Any]) -> list[Criterion]:
    """The condition line by line against `values` (conditions.evaluate on each leaf the
    values hold; a field not recorded with the flag is "not known")."""
    lines: list[Criterion] = []

    def walk(c: dict, depth: int) -> bool | None:
        if c.get("never"):
            return False
        if "all" in c or "any" in c:
            key = "all" if "all" in c else "any"
            header = Criterion(
                depth,
                str(_("all of these") if key == "all" else _("any of these")),
                "",
                "",
                None,
                group=True,
            )
            lines.append(header)
            results = [walk(part, depth + 1) for part in c[key]]
            if key == "all":
                met = False if False in results else (None if None in results else True)
            else:
                met = True if True in results else (None if None in results else False)
            header.met = met
            return met
        if "not" in c:
            header = Criterion(depth, str(_("not the following")), "", "", None, group=True)
            lines.append(header)
            inner = walk(c["not"], depth + 1)
            header.met = None if inner is None else not inner
            return header.met
        name = c["field"]
        field_ = CATALOGUE.get(name)
        label = str(field_.label) if field_ else name
        known = name in values
        met = evaluate(c, values) if known else None
        value = _shown(name, values[name]) if known else str(_("not recorded with the finding"))
        lines.append(Criterion(depth, label, _threshold(c), value, met))
        return met

    walk(condition, 0)
    return lines


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
