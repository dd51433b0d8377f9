"""Page input only: no business checks here (those are in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eligibility.models import Flag
from households.choices import ReferenceChoiceField
from households.models import Program, Region


class FlagFilter(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    kecamatan = ReferenceChoiceField(
        label=_("Kecamatan"),
        required=False,
        queryset=Region.objects.filter(level=Region.Level.KECAMATAN),
    )
    kelurahan = ReferenceChoiceField(
        label=_("Kelurahan"),
        required=False,
        queryset=Region.objects.filter(level=Region.Level.KELURAHAN),
    )
    program = ReferenceChoiceField(
        label=_("Program"), required=False, queryset=Program.objects.all(), to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open, not reviewed")),
            ("open", pgettext_lazy("flag status", "Open")),
            ("resolved", _("No longer holds")),
            ("confirmed", _("Confirmed")),
            ("dismissed", _("Dismissed")),
        ],
    )

    def __init__(self, *args, rule_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All rules")), *rule_choices]

    def apply(self, flags):
        data = self.cleaned_data
        if data.get("rule"):
            flags = flags.filter(rule_code=data["rule"])
        if data.get("kecamatan"):
            flags = flags.filter(household__kelurahan__parent=data["kecamatan"])
        if data.get("kelurahan"):
            flags = flags.filter(household__kelurahan=data["kelurahan"])
        if data.get("program"):
            flags = flags.filter(
                household__enrolments__program=data["program"],
                household__enrolments__status="active",
            ).distinct()
        status = data.get("status") or ""
        if status == "":
            flags = flags.filter(status=Flag.Status.OPEN, decision="")
        elif status in ("open", "resolved"):
            flags = flags.filter(status=status)
        else:
            flags = flags.filter(decision=status)
        return flags


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Flag.Decision.CONFIRMED, _("Confirm")), (Flag.Decision.DISMISSED, _("Dismiss"))]
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    flags = forms.ModelMultipleChoiceField(queryset=Flag.objects.none(), required=False)

    def __init__(self, *args, flags=None, **kwargs):
        super().__init__(*args, **kwargs)
        if flags is not None:
            self.fields["flags"].queryset = flags
