"""Rule conditions: validate, compile to SQL (Q) and evaluate in Python. Pure: no ORM access.

A condition is JSON data, never code:
  {"all": [c, ...]}  {"any": [c, ...]}  {"not": c}
  {"field": "car_count", "op": ">=", "value": 1}
  {"rule_kind": "exclusion"}  any rule of that kind in the same set (expanded before use)
  {"definition": "poor"}      the condition of the set's definition of that code (a rule of
                              kind "definition": a named population such as "poor", written
                              once and read by every rule, page and count that needs it)
The field catalogue (eligibility.fields) says which fields exist, their type and how each is
read in SQL and in Python; the two evaluators here must agree (tests/eligibility).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

INT, TEXT, BOOL, CODES = "int", "text", "bool", "codes"

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "between", "is_empty")
OPERATORS_BY_TYPE = {
    INT: OPERATORS,
    TEXT: ("=", "!=", "in", "is_empty"),
    BOOL: ("=", "!="),
    CODES: ("in", "is_empty"),  # a set of codes: "in" means any of them
}
KINDS = ("exclusion", "inclusion", "data_quality")
DEFINITION_CODE = re.compile(r"[a-z0-9_-]{1,40}")
MAX_DEPTH = 8


@dataclass(frozen=True)
class FieldSpec:
    """What conditions need to know of a catalogue field: its type and allowed choices."""

    name: str
    type: str
    choices: tuple[str, ...] = ()


def _invalid(message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def validate(condition: Any, fields: Mapping[str, FieldSpec], depth: int = 0) -> None:
    """Refuse anything but a well-formed condition over whitelisted fields."""
    if depth > MAX_DEPTH:
        raise _invalid(_("The condition is nested too deeply."), "too_deep")
    if not isinstance(condition, dict) or len(condition) == 0:
        raise _invalid(_("A condition must be an object."), "not_object")
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if len(condition) != 1 or not isinstance(parts, list) or not parts:
            raise _invalid(
                _("“%(key)s” needs a non-empty list of conditions."), "bad_group", key=key
            )
        for part in parts:
            validate(part, fields, depth + 1)
        return
    if "not" in condition:
        if len(condition) != 1:
            raise _invalid(_("“not” takes exactly one condition."), "bad_not")
        validate(condition["not"], fields, depth + 1)
        return
    if "rule_kind" in condition:
        if len(condition) != 1 or condition["rule_kind"] not in KINDS:
            raise _invalid(_("Unknown rule kind in the condition."), "bad_rule_kind")
        return
    if "definition" in condition:
        code = condition["definition"]
        if len(condition) != 1 or not isinstance(code, str) or not DEFINITION_CODE.fullmatch(code):
            raise _invalid(_("“definition” takes the code of a definition."), "bad_definition")
        return
    _validate_leaf(condition, fields)


def _validate_leaf(condition: dict, fields: Mapping[str, FieldSpec]) -> None:
    if set(condition) - {"field", "op", "value"} or "field" not in condition:
        raise _invalid(_("A comparison has the keys “field”, “op” and “value”."), "bad_comparison")
    name, op = condition["field"], condition.get("op")
    if name not in fields:
        raise _invalid(_("Unknown field “%(field)s”."), "unknown_field", field=str(name)[:60])
    spec = fields[name]
    if op not in OPERATORS:
        raise _invalid(_("Unknown operator “%(op)s”."), "unknown_operator", op=str(op)[:20])
    if op not in OPERATORS_BY_TYPE[spec.type]:
        raise _invalid(
            _("The operator “%(op)s” cannot be used with the field “%(field)s”."),
            "operator_not_allowed",
            op=op,
            field=name,
        )
    value = condition.get("value")
    if op == "is_empty":
        if value not in (None, True):
            raise _invalid(_("“is_empty” takes no value."), "bad_value")
        return
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _invalid(
                _("The value for “%(field)s” must be a non-empty list."), "bad_value", field=name
            )
        for item in value:
            _check_scalar(spec, item)
        return
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise _invalid(
                _("“between” needs two values, the lowest and the highest."), "bad_value"
            )
        _check_scalar(spec, value[0])
        _check_scalar(spec, value[1])
        if value[0] > value[1]:
            raise _invalid(
                _("In “between” the first value must not exceed the second."), "bad_value"
            )
        return
    _check_scalar(spec, value)


def _check_scalar(spec: FieldSpec, value: Any) -> None:
    ok = {
        INT: isinstance(value, int) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
        TEXT: isinstance(value, str),
        CODES: isinstance(value, str),
    }[spec.type]
    if ok and spec.choices and value not in spec.choices:
        ok = False
    if not ok:
        expected = {
            INT: _("a whole number"),
            BOOL: _("yes or no (true/false)"),
            TEXT: _("text"),
            CODES: _("a code"),
        }[spec.type]
        if spec.choices:
            expected = _("one of: %(choices)s") % {"choices": ", ".join(spec.choices)}
        raise _invalid(
            _("The value %(value)s does not fit the field “%(field)s”: expected %(expected)s."),
            "bad_value",
            value=repr(value)[:40],
            field=spec.name,
            expected=expected,
        )


def expand(
    condition: dict,
    rules_of_kind: Callable[[str], list[dict]],
    definition: Callable[[str], dict | None] = lambda code: None,
) -> dict:
    """Replace {"rule_kind": k} with "any" over the conditions of the set's rules of kind k,
    and {"definition": d} with the condition of the set's definition d (a definition refers
    to nothing, so one step suffices; one the set lacks holds for no household, and
    activation refuses such a set)."""
    if "rule_kind" in condition:
        parts = [
            expand(c, rules_of_kind, definition) for c in rules_of_kind(condition["rule_kind"])
        ]
        return {"any": parts} if parts else {"never": True}
    if "definition" in condition:
        defined = definition(condition["definition"])
        return {"never": True} if defined is None else defined
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        return {key: [expand(c, rules_of_kind, definition) for c in condition[key]]}
    if "not" in condition:
        return {"not": expand(condition["not"], rules_of_kind, definition)}
    return condition


def references(condition: Any) -> tuple[set[str], set[str]]:
    """The rule kinds and the definitions a (validated, unexpanded) condition refers to."""
    kinds: set[str] = set()
    definitions: set[str] = set()

    def walk(c: Any) -> None:
        if not isinstance(c, dict):
            return
        if "rule_kind" in c:
            kinds.add(c["rule_kind"])
        if "definition" in c:
            definitions.add(c["definition"])
        for key in ("all", "any"):
            for part in c.get(key, ()) if isinstance(c.get(key), list) else ():
                walk(part)
        walk(c.get("not"))

    walk(condition)
    return kinds, definitions


def fields_used(condition: dict) -> list[str]:
    """The catalogue fields a (expanded) condition reads, in first-use order."""
    found: list[str] = []

    def walk(c: dict) -> None:
        if "field" in c and c["field"] not in found:
            found.append(c["field"])
        for key in ("all", "any"):
            for part in c.get(key, ()):
                walk(part)
        if "not" in c:
            walk(c["not"])

    walk(condition)
    return found


# --- SQL -------------------------------------------------------------------------------------

_LOOKUPS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
NEVER = Q(pk__in=[])


def to_q(
    condition: dict,
    column: Callable[[str], str | None],
    codes_q: Callable[[str, list | None], Q],
    types: Mapping[str, str],
    non_null: frozenset[str] = frozenset(),
) -> Q:
    """Compile a validated, expanded condition to a Q over annotated columns.

    Every comparison is two-valued: a missing value (NULL) never matches a comparison, so
    "not" behaves as in Python. `column(field)` names the annotation holding the field;
    `codes_q(field, codes)` builds the test of a set-valued field (codes None: "is empty").
    """
    if condition.get("never"):
        return NEVER
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = [to_q(c, column, codes_q, types, non_null) for c in condition[key]]
        if not parts:
            return Q() if key == "all" else NEVER
        result = parts[0]
        for part in parts[1:]:
            result = (result & part) if key == "all" else (result | part)
        return result
    if "not" in condition:
        return ~to_q(condition["not"], column, codes_q, types, non_null)
    name, op, value = condition["field"], condition["op"], condition.get("value")
    col = column(name)
    if op == "is_empty":
        if col is None:
            return codes_q(name, None)
        empty = Q(**{f"{col}__isnull": True})
        return empty | Q(**{col: ""}) if types[name] == TEXT else empty
    if col is None:  # a set of codes
        return codes_q(name, value)
    # Referencing an annotation twice compiles it twice: skip the test where it cannot be NULL.
    present = Q() if name in non_null else Q(**{f"{col}__isnull": False})
    if op == "!=":
        return present & ~Q(**{col: value})
    if op == "in":
        return present & Q(**{f"{col}__in": value})
    if op == "between":
        return present & Q(**{f"{col}__gte": value[0], f"{col}__lte": value[1]})
    return present & Q(**{f"{col}__{_LOOKUPS[op]}": value})


# --- words -----------------------------------------------------------------------------------


def describe(
    condition: dict,
    label: Callable[[str], str],
    value_label: Callable[[str, Any], str] = lambda name, value: str(value),
    kind_label: Callable[[str], str] = str,
) -> str:
    """A validated, expanded condition in words, for the pages that show a rule's definition:
    "welfare decile between 1 and 4 or …". `label(field)` names a field, `value_label(field,
    value)` shows one of its values (a choice's label)."""

    def words(c: dict, nested: bool) -> str:
        if c.get("never"):
            return _("never")
        if "all" in c or "any" in c:
            key = "all" if "all" in c else "any"
            joiner = _(" and ") if key == "all" else _(" or ")
            text = joiner.join(words(part, True) for part in c[key])
            return f"({text})" if nested and len(c[key]) > 1 else text
        if "not" in c:
            return _("not %(condition)s") % {"condition": words(c["not"], True)}
        if "rule_kind" in c:
            return _("any rule of kind “%(kind)s”") % {"kind": kind_label(c["rule_kind"])}
        if "definition" in c:
            return _("the definition “%(code)s”") % {"code": c["definition"]}
        return _leaf(c)

    def _leaf(c: dict) -> str:
        name, op, value = c["field"], c["op"], c.get("value")
        field = label(name)
        if op == "is_empty":
            return _("%(field)s is not recorded") % {"field": field}
        if op == "in":
            values = ", ".join(value_label(name, v) for v in value)
            return _("%(field)s is one of: %(values)s") % {"field": field, "values": values}
        if op == "between":
            low, high = (value_label(name, v) for v in value)
            return _("%(field)s between %(low)s and %(high)s") % {
                "field": field,
                "low": low,
                "high": high,
            }
        symbol = {">=": "≥", "<=": "≤", "!=": "≠"}.get(op, op)
        return f"{field} {symbol} {value_label(name, value)}"

    return words(condition, False)


def leaves(condition: dict) -> list[dict]:
    """The comparisons of a condition in reading order (groups, "not" and references walked)."""
    if "field" in condition:
        return [condition]
    found: list[dict] = []
    for key in ("all", "any"):
        for part in condition.get(key, ()):
            found += leaves(part)
    if "not" in condition:
        found += leaves(condition["not"])
    return found


def shape(condition: dict) -> Any:
    """A condition with each comparison's operator and value left out: two conditions of the
    same shape differ only in their thresholds (and operators)."""
    if "field" in condition:
        return ("field", condition["field"])
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        return (key, tuple(shape(part) for part in condition[key]))
    if "not" in condition:
        return ("not", shape(condition["not"]))
    return tuple(sorted((k, repr(v)) for k, v in condition.items()))


def changed_comparisons(old: dict, new: dict) -> list[tuple[dict, dict]] | None:
    """The comparisons that differ between two conditions of the same shape, as (old, new)
    pairs in reading order; None when the shapes differ (a comparison added, removed or
    regrouped), where only the whole conditions can be set side by side."""
    if shape(old) != shape(new):
        return None
    return [(a, b) for a, b in zip(leaves(old), leaves(new), strict=True) if a != b]


def is_flat(condition: dict) -> bool:
    """A comparison, or "all"/"any" of comparisons and references to rules of a kind: the
    shapes the rule editor can regroup (add, remove, all/any); deeper ones keep their shape
    and only their comparisons are edited."""
    if "field" in condition:
        return True
    key = "all" if "all" in condition else "any" if "any" in condition else None
    return key is not None and all("field" in c or _is_reference(c) for c in condition[key])


def kept_references(condition: dict) -> list[dict]:
    """The {"rule_kind": ...} and {"definition": ...} parts of a flat condition, kept as they
    are by the editor."""
    key = "all" if "all" in condition else "any" if "any" in condition else None
    return [c for c in condition.get(key, ()) if _is_reference(c)] if key else []


def _is_reference(c: dict) -> bool:
    return "rule_kind" in c or "definition" in c


def regroup(combine: str, comparisons: list[dict], kept: list[dict]) -> dict:
    """A flat condition from the editor's rows: one comparison alone, else all/any of them."""
    parts = [*comparisons, *kept]
    if len(parts) == 1 and "field" in parts[0]:
        return parts[0]
    return {combine if combine in ("all", "any") else "all": parts}


def replace_leaves(condition: dict, comparisons: list[dict]) -> dict:
    """The condition with its comparisons replaced, in reading order, by `comparisons` (as
    many as it has): the shape is kept."""
    queue = list(comparisons)

    def walk(c: dict) -> dict:
        if "field" in c:
            return queue.pop(0)
        if "all" in c or "any" in c:
            key = "all" if "all" in c else "any"
            return {key: [walk(part) for part in c[key]]}
        if "not" in c:
            return {"not": walk(c["not"])}
        return c

    return walk(condition)


# --- Python ----------------------------------------------------------------------------------


def evaluate(condition: dict, values: Mapping[str, Any]) -> bool:
    """The same condition over one household's field values (read by the catalogue)."""
    if condition.get("never"):
        return False
    if "all" in condition:
        return all(evaluate(c, values) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, values) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], values)
    op, value = condition["op"], condition.get("value")
    actual = values[condition["field"]]
    if isinstance(actual, (set, frozenset)):
        return not actual if op == "is_empty" else bool(actual & set(value))
    if op == "is_empty":
        return actual is None or actual == ""
    if actual is None:
        return False
    return _PYTHON_OPERATORS[op](actual, value)


_PYTHON_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, v: a == v,
    "!=": lambda a, v: a != v,
    "<": lambda a, v: a < v,
    "<=": lambda a, v: a <= v,
    ">": lambda a, v: a > v,
    ">=": lambda a, v: a >= v,
    "in": lambda a, v: a in v,
    "between": lambda a, v: v[0] <= a <= v[1],
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def render_message(template: str, values: Mapping[str, Any]) -> str:
    """Fill {field} placeholders with values; nothing else in the template is interpreted."""

    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        if value is None:
            return "–"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, (list, set, frozenset, tuple)):
            return ", ".join(sorted(str(v) for v in value)) or "–"
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return str(value)

    return _PLACEHOLDER.sub(fill, template)


def validate_template(template: str, known: Iterable[str]) -> None:
    unknown = sorted(set(_PLACEHOLDER.findall(template)) - set(known))
    if unknown:
        raise _invalid(
            _("The message names unknown fields: %(fields)s."),
            "unknown_placeholder",
            fields=", ".join(unknown),
        )


def placeholders(template: str) -> list[str]:
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))
