"""The rule editor's input (issue 20: rules edited as forms, JSON only in the admin): a rule's
names, kind and message, and its condition as rows of field, operator and a value input that
fits the field's type. Page input only: the rule's checks are eligibility.services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from eligibility.conditions import BOOL, CODES, INT, OPERATORS_BY_TYPE, TEXT
from eligibility.fields import CATALOGUE, FIELDS
from eligibility.models import Rule
from households.models import Household, Program

OPERATOR_LABELS = {
    "=": _("is"),
    "!=": _("is not"),
    "<": _("less than (<)"),
    "<=": _("at most (≤)"),
    ">": _("more than (>)"),
    ">=": _("at least (≥)"),
    "in": _("is one of"),
    "between": _("between"),
    "is_empty": _("is not recorded"),
}
YES_NO = [("true", _("yes")), ("false", _("no"))]


def _field_choices() -> list[tuple[str, str]]:
    return [
        ("", _("— choose a field —")),
        *((f.name, capfirst(str(f.words_label))) for f in FIELDS),
    ]


def _value_choices(name: str) -> list[tuple[str, str]]:
    field = CATALOGUE.get(name)
    if field is None:
        return []
    if field.type == BOOL:
        return YES_NO
    if field.type == CODES:
        return list(Program.objects.order_by("name").values_list("code", "name"))
    if field.choices:
        labels = dict(Household._meta.get_field(field.sources[1][0]).choices)
        return [(code, str(labels.get(code, code))) for code in field.choices]
    return []


class ConditionForm(forms.Form):
    """One comparison. Which value input shows depends on the field's type and the operator
    (value_fields); a change of either re-draws the row (htmx, or the "Update" button)."""

    field = forms.ChoiceField(
        label=_("Household fact"),
        error_messages={"invalid_choice": _("Choose a household fact from the list.")},
    )
    op = forms.ChoiceField(
        label=_("Operator"),
        choices=list(OPERATOR_LABELS.items()),
        error_messages={"invalid_choice": _("Choose an operator that fits this fact.")},
    )
    number = forms.IntegerField(
        label=_("Value"),
        required=False,
        error_messages={"invalid": _("Write a whole number, e.g. 3500.")},
    )
    number_high = forms.IntegerField(
        label=_("up to"),
        required=False,
        error_messages={"invalid": _("Write a whole number, e.g. 3500.")},
    )
    numbers = forms.CharField(
        label=_("Values"), required=False, help_text=_("Whole numbers separated by commas.")
    )
    choice = forms.ChoiceField(
        label=_("Value"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed values.")},
    )
    choices = forms.MultipleChoiceField(
        label=_("Values"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the listed values.")},
    )

    VALUE_INPUTS = ("number", "number_high", "numbers", "choice", "choices")
    REDRAWN = ("field", "op", "number", "number_high", "numbers", "choice")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _field_choices()
        name = self._current("field")
        catalogue_field = CATALOGUE.get(name)
        self.type = catalogue_field.type if catalogue_field else INT
        allowed = OPERATORS_BY_TYPE[self.type]
        self.fields["op"].choices = [("", "---------")] + [
            (op, OPERATOR_LABELS[op]) for op in allowed
        ]
        values = _value_choices(name)
        self.fields["choice"].choices = [("", "---------"), *values]
        self.fields["choices"].choices = values
        for key in ("field", "op", "choice"):
            self.fields[key].widget.attrs["class"] = "condition-" + key

    def _current(self, key: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(key), "") or "")
        return str(self.initial.get(key, "") or "")

    @classmethod
    def initial_of(cls, leaf: dict) -> dict:
        """The row's initial data from a comparison of a condition."""
        name, op, value = leaf["field"], leaf["op"], leaf.get("value")
        initial: dict[str, Any] = {"field": name, "op": op}
        kind = cls.value_kind(CATALOGUE[name].type if name in CATALOGUE else INT, op)
        if kind == "number":
            initial["number"] = value
        elif kind == "range":
            initial["number"], initial["number_high"] = value
        elif kind == "numbers":
            initial["numbers"] = ", ".join(str(v) for v in value)
        elif kind == "choice":
            initial["choice"] = ("true" if value else "false") if isinstance(value, bool) else value
        elif kind == "choices":
            initial["choices"] = list(value)
        return initial

    @staticmethod
    def value_kind(type_: str, op: str) -> str:
        if op == "is_empty":
            return "none"
        if type_ == INT:
            return {"between": "range", "in": "numbers"}.get(op, "number")
        if type_ in (TEXT, CODES) and op == "in":
            return "choices"
        return "choice"

    def value_fields(self) -> list[forms.BoundField]:
        """The inputs for the value that fit this row's field and operator."""
        op = self._current("op")
        if op not in OPERATORS_BY_TYPE[self.type]:
            op = OPERATORS_BY_TYPE[self.type][0]
        names = {
            "none": [],
            "number": ["number"],
            "range": ["number", "number_high"],
            "numbers": ["numbers"],
            "choice": ["choice"],
            "choices": ["choices"],
        }[self.value_kind(self.type, op)]
        return [self[name] for name in names]

    def clean(self) -> dict:
        data = super().clean()
        name, op = data.get("field"), data.get("op")
        if not name or not op:
            return data
        if op not in OPERATORS_BY_TYPE[self.type]:
            self.add_error(
                "op",
                _("The operator “%(op)s” does not fit the field “%(field)s”.")
                % {
                    "op": OPERATOR_LABELS.get(op, op),
                    "field": capfirst(str(CATALOGUE[name].words_label)),
                },
            )
            return data
        kind = self.value_kind(self.type, op)
        value: Any = None
        if any(name in self.errors for name in self.VALUE_INPUTS):
            return data  # the input's own message says what is wrong
        missing = _("Fill in the value.")
        if kind == "number":
            value = data.get("number")
            if value is None:
                self.add_error("number", missing)
        elif kind == "range":
            value = [data.get("number"), data.get("number_high")]
            if None in value:
                self.add_error("number_high" if value[0] is not None else "number", missing)
        elif kind == "numbers":
            value = self._numbers(data.get("numbers", ""))
        elif kind == "choice":
            value = data.get("choice")
            if not value:
                self.add_error("choice", missing)
            elif self.type == BOOL:
                value = value == "true"
        elif kind == "choices":
            value = list(data.get("choices") or [])
            if not value:
                self.add_error("choices", _("Choose at least one."))
        leaf = {"field": name, "op": op}
        if kind != "none":
            leaf["value"] = value
        data["leaf"] = leaf
        return data

    def _numbers(self, text: str) -> list[int]:
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        try:
            numbers = [int(part.replace(".", "")) for part in parts]
        except ValueError:
            self.add_error("numbers", _("Write whole numbers separated by commas, e.g. 1, 2, 3."))
            return []
        if not numbers:
            self.add_error("numbers", _("Fill in the value."))
        return numbers


class BaseConditionFormSet(forms.BaseFormSet):
    def leaves(self) -> list[dict]:
        """The comparisons of the rows kept, in order (an untouched extra row is none)."""
        return [
            form.cleaned_data["leaf"]
            for form in self.forms
            if not self._should_delete_form(form) and "leaf" in form.cleaned_data
        ]


def condition_formset(*, editable_shape: bool, extra: int):
    return forms.formset_factory(
        ConditionForm,
        formset=BaseConditionFormSet,
        extra=extra if editable_shape else 0,
        can_delete=editable_shape,
    )


class RuleForm(forms.ModelForm):
    """A rule's words and kind; its condition is the formset beside it."""

    combine = forms.ChoiceField(
        label=_("The rule holds when"),
        required=False,
        choices=[("all", _("all of the conditions hold")), ("any", _("any of them holds"))],
    )

    class Meta:
        model = Rule
        fields = ["name_id", "name_en", "kind", "program", "severity", "message", "message_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = Program.objects.order_by("name").values_list("code", "name")
        self.fields["program"] = forms.ChoiceField(
            label=_("Program (program criteria only)"),
            choices=[("", "---------"), *programs],
            required=False,
        )


class DraftReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do the rules change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the PLN 2,200 VA tariff now includes many poor families "
            "(letter of the head of Dinas Sosial, 2 December)."
        ),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have read the changes above."))
    seen = forms.CharField(widget=forms.HiddenInput)


class DismissRateFilter(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
