"""Page input of the national data loop: no business checks here (STYLE.md section 3)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.choices import ReferenceChoiceField
from households.imports.readers import READABLE_SUFFIXES
from households.models import Region
from national.models import ReconciliationCase


class ExtractUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Extract (.xlsx, .xls, .ods or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(READABLE_SUFFIXES)}),
    )
    as_of = forms.DateField(
        label=_("Data as of"),
        help_text=_("The date of the DTSEN data in the file; its quarter is taken from it."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["as_of"].initial = timezone.localdate()


class CaseFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    kelurahan = ReferenceChoiceField(
        label=_("Kelurahan"),
        required=False,
        queryset=Region.objects.filter(level=Region.Level.KELURAHAN),
        empty_label=_("All kelurahan"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("closed", _("Closed")), ("all", _("All"))],
    )

    def __init__(self, *args, kelurahan=None, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *ReconciliationCase.Kind.choices]
        if kelurahan is not None:
            self.fields["kelurahan"].queryset = kelurahan

    def apply(self, cases):
        data = self.cleaned_data
        if data.get("kind"):
            cases = cases.filter(kind=data["kind"])
        if data.get("kelurahan"):
            cases = cases.filter(kelurahan=data["kelurahan"])
        status = data.get("status") or ""
        if status == "":
            cases = cases.filter(status=ReconciliationCase.Status.OPEN)
        elif status == "closed":
            cases = cases.filter(status=ReconciliationCase.Status.CLOSED)
        return cases


class CloseCaseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done or found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
