"""Page input of visits and usulan: no business checks here (STYLE.md section 3)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from national.models import Usulan, Visit


class VisitResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result of the visit"), choices=Visit.Result.choices, widget=forms.RadioSelect
    )
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you saw and were told; it goes with a proposal as its reason."),
    )

    def __init__(self, *args, outcomes: dict[str, str] | None = None, **kwargs):
        """`outcomes`: what each result leads to for this visit's case, shown beside it."""
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        if outcomes:
            self.fields["result"].choices = [
                (value, f"{label} → {outcomes[value]}") for value, label in Visit.Result.choices
            ]


class AgreeBatchForm(forms.Form):
    meeting_on = forms.DateField(
        label=_("Date of the musyawarah"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Name and role of each, one per line (lurah, RT/RW, TKSK, PSM, ...)."),
    )
    minutes = forms.FileField(
        label=_("Minutes (berita acara), PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["meeting_on"].initial = timezone.localdate()


class DecideUsulanForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer of the national system"),
        choices=[
            (Usulan.Status.ACCEPTED, Usulan.Status.ACCEPTED.label),
            (Usulan.Status.REJECTED, Usulan.Status.REJECTED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason for rejection"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
