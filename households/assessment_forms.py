"""Page input for the needs assessment and PMKS screens (issue 21). Shape only: the rules are
households.assessments's."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.assessments import MAX_AMOUNT, NOTE_MAX_LENGTH, NeedInput, Suggestion
from households.choices import ReferenceChoiceField, reference_rows
from households.forms import DATE_INPUT
from households.models import (
    Agency,
    Domain,
    Household,
    Intervention,
    Member,
    NeedKind,
    PmksCategory,
    Severity,
)
from households.models.assessments import ECONOMIC_KINDS, INTERVENTION_AGENCY

DISMISSED = "dismissed"
NO_NEED = "none"
RADIOS = forms.RadioSelect(attrs={"class": "choice-row"})
NOTE = forms.Textarea(attrs={"rows": 2})


def _note(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"), required=False, max_length=NOTE_MAX_LENGTH, widget=NOTE
    )


class AssessmentForm(forms.Form):
    """One field per registry suggestion (dismissed, or confirmed with its severity: no
    default, the assessor decides) and per domain (no need, or its severity), each with a note.
    The economic needs are EconomicNeedFormSet's."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_INPUT)
    monthly_income = forms.IntegerField(
        label=_("Household income a month (Rp)"),
        required=False,
        min_value=0,
        help_text=_(
            "All members' income together, as the family tells it; leave empty if unknown."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = _note(_("Note on the whole assessment"))

    def __init__(self, *args, suggestions: list[Suggestion], **kwargs):
        kwargs.setdefault("initial", {"assessed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        severities = list(Severity.choices)
        for suggestion in suggestions:
            name = f"s_{suggestion.key}"
            label = suggestion.label
            if suggestion.member is not None:
                label = f"{label}: {suggestion.member.name}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[(DISMISSED, _("Dismiss")), *severities],
                widget=RADIOS,
                error_messages={
                    "required": _("Confirm it (choose how severe) or dismiss it."),
                },
            )
            self.fields[f"{name}_note"] = _note()
        for domain in Domain:
            self.fields[f"d_{domain}"] = forms.ChoiceField(
                label=domain.label,
                choices=[(NO_NEED, _("No need")), *severities],
                widget=RADIOS,
                initial=NO_NEED,
            )
            self.fields[f"d_{domain}_note"] = _note()

    def domains(self) -> list[dict]:
        """For the template: each domain with its suggestions, its own answer and note."""
        rows = []
        for domain in Domain:
            suggested = [
                (self[f"s_{s.key}"], self[f"s_{s.key}_note"])
                for s in self.suggestions
                if s.domain == domain
            ]
            rows.append(
                {
                    "domain": domain,
                    "suggestions": suggested,
                    "answer": self[f"d_{domain}"],
                    "note": self[f"d_{domain}_note"],
                }
            )
        return rows

    def need_inputs(self) -> list[NeedInput]:
        data = self.cleaned_data
        inputs = []
        for suggestion in self.suggestions:
            choice = data[f"s_{suggestion.key}"]
            inputs.append(
                NeedInput(
                    kind=suggestion.kind,
                    severity="" if choice == DISMISSED else choice,
                    note=data[f"s_{suggestion.key}_note"],
                    member_id=suggestion.member.pk if suggestion.member else None,
                    suggested=True,
                )
            )
        for domain in Domain:
            choice = data[f"d_{domain}"]
            inputs.append(
                NeedInput(
                    kind=NeedKind.DOMAIN,
                    domain=domain,
                    severity="" if choice == NO_NEED else choice,
                    note=data[f"d_{domain}_note"],
                )
            )
        return inputs


def _intervention_choices() -> list[tuple[str, str]]:
    """Each intervention with the agency that receives its referral (reference data)."""
    codes = sorted(set(INTERVENTION_AGENCY.values()))
    rows = reference_rows(Agency.objects.filter(code__in=codes).order_by("code"))
    agencies = {agency.code: agency.short_name for agency in rows}
    return [("", _("Choose…"))] + [
        (value, f"{label} – {agencies.get(INTERVENTION_AGENCY[value], '')}")
        for value, label in Intervention.choices
    ]


class EconomicNeedForm(forms.Form):
    """An economic need: what, whose, how severe, the intervention it points to, an amount."""

    kind = forms.ChoiceField(
        label=_("Economic need"),
        required=False,
        choices=[("", _("Choose…"))]
        + [(k, NeedKind(k).label) for k in NeedKind if k in ECONOMIC_KINDS],
    )
    member = forms.TypedChoiceField(
        label=_("Whose (optional)"), coerce=int, required=False, empty_value=None
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Choose…")), *Severity.choices], required=False
    )
    intervention = forms.ChoiceField(label=_("Intervention"), required=False, choices=())
    amount = forms.IntegerField(
        label=_("Amount (Rp): capital needed or debt"),
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = _note()

    def __init__(self, *args, members: list[Member], interventions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "–")] + [(m.pk, m.name) for m in members]
        self.fields["intervention"].choices = interventions

    def clean(self):
        data = super().clean()
        if data.get("kind"):
            if not data.get("severity"):
                self.add_error("severity", _("Choose how severe it is."))
            if not data.get("intervention"):
                self.add_error("intervention", _("Choose the intervention it points to."))
        return data

    def need_input(self) -> NeedInput | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return NeedInput(
            kind=data["kind"],
            severity=data["severity"],
            member_id=data.get("member"),
            intervention=data["intervention"],
            amount=data.get("amount"),
            note=data.get("note", ""),
        )


class BaseEconomicNeedFormSet(forms.BaseFormSet):
    def __init__(self, *args, household: Household, **kwargs):
        self.members = list(
            Member.objects.filter(household=household, is_deceased=False).in_kk_order()
        )
        self.interventions = _intervention_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"members": self.members, "interventions": self.interventions}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            members=self.members,
            interventions=self.interventions,
        )

    def need_inputs(self) -> list[NeedInput]:
        return [need for form in self.forms if (need := form.need_input()) is not None]


EconomicNeedFormSet = forms.formset_factory(
    EconomicNeedForm, formset=BaseEconomicNeedFormSet, extra=3, max_num=12, validate_max=True
)


class PmksForm(forms.Form):
    """Record a person in a PMKS category (the categories the user may see)."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    category = ReferenceChoiceField(label=_("PMKS category"), queryset=PmksCategory.objects.none())
    recorded_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    note = _note()

    def __init__(self, *args, members: QuerySet[Member], categories: QuerySet[PmksCategory], **kw):
        kw.setdefault("initial", {"recorded_on": timezone.localdate()})
        super().__init__(*args, **kw)
        self.fields["member"].queryset = members
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{c.number}. {c.name}"


class PmksEndForm(forms.Form):
    ended_on = forms.DateField(label=_("No longer applies since"), widget=DATE_INPUT)
