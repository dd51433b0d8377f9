"""Page input only: no business checks here (those are in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eligibility.models import Consequence, DismissalReason, Flag, Graduation
from eligibility.selectors import receives_aid_q
from eligibility.services import FindingChoice
from households.choices import ReferenceChoiceField, reference_rows
from households.models import Program, Region

GRADUATION_NOTE_MAX = 2000  # eligibility.graduation.NOTE_MAX_LENGTH


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
    # Issue 20: "receives any aid" or "receives program X", combined with any rule.
    receives_aid = forms.ChoiceField(label=_("Receives aid"), required=False)
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

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("rule, then family")),
            ("name", _("name")),
            ("kelurahan", _("kelurahan")),
            ("-date", _("newest first")),
            ("date", _("oldest first")),
        ],
    )

    def __init__(self, *args, rule_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All rules")), *rule_choices]
        programs = [(p.code, p.name) for p in reference_rows(Program.objects.order_by("name"))]
        self.fields["receives_aid"].choices = [
            ("", _("Any, or none")),
            ("any", _("Receives any aid")),
            ("none", _("Receives no aid")),
            (pgettext_lazy("filter group", "Receives program"), programs),
        ]

    def apply(self, flags):
        data = self.cleaned_data
        if data.get("rule"):
            flags = flags.filter(rule_code=data["rule"])
        if data.get("kecamatan"):
            flags = flags.filter(household__kelurahan__parent=data["kecamatan"])
        if data.get("kelurahan"):
            flags = flags.filter(household__kelurahan=data["kelurahan"])
        if data.get("receives_aid"):
            flags = flags.filter(receives_aid_q(data["receives_aid"], "household_id"))
        status = data.get("status") or ""
        if status == "":
            flags = flags.filter(status=Flag.Status.OPEN, decision="")
        elif status in ("open", "resolved"):
            flags = flags.filter(status=status)
        else:
            flags = flags.filter(decision=status)
        order = SORTS.get(data.get("sort") or "", SORTS[""])
        return flags.order_by(*order)


SORTS = {
    "": ("rule_code", "household_id", "pk"),
    "name": ("household__head_name", "household_id", "rule_code"),
    "kelurahan": ("household__kelurahan__name", "household__head_name", "household_id"),
    "date": ("created_at", "pk"),
    "-date": ("-created_at", "-pk"),
}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Flag.Decision.CONFIRMED, _("Confirm")), (Flag.Decision.DISMISSED, _("Dismiss"))]
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    standard_reason = forms.ModelChoiceField(
        label=_("Standard reason"),
        queryset=DismissalReason.objects.filter(is_active=True),
        required=False,
        to_field_name="code",
    )
    flags = forms.ModelMultipleChoiceField(queryset=Flag.objects.none(), required=False)

    def __init__(self, *args, flags=None, **kwargs):
        super().__init__(*args, **kwargs)
        if flags is not None:
            self.fields["flags"].queryset = flags


class CaseForm(forms.Form):
    """A household's review case on one page (issue 20): for each open finding a decision and,
    to dismiss, a standard reason and/or a note; for each active enrolment its consequence."""

    note = forms.CharField(
        label=_("Note on the whole case"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, flags=(), enrolments=(), reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.flags, self.enrolments = list(flags), list(enrolments)
        reason_choices = [("", _("– choose a reason –")), *((r.code, r.label) for r in reasons)]
        for flag in self.flags:
            self.fields[f"f{flag.pk}-decision"] = forms.ChoiceField(
                label=flag.rule.name,
                choices=[
                    (Flag.Decision.CONFIRMED, _("Confirm")),
                    (Flag.Decision.DISMISSED, _("Dismiss")),
                ],
                widget=forms.RadioSelect,
            )
            self.fields[f"f{flag.pk}-reason"] = forms.ChoiceField(
                label=_("Reason"), choices=reason_choices, required=False
            )
            self.fields[f"f{flag.pk}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )
        for enrolment in self.enrolments:
            self.fields[f"e{enrolment.pk}"] = forms.ChoiceField(
                label=_enrolment_label(enrolment),
                choices=Consequence.Outcome.choices,
                initial=Consequence.Outcome.KEEP,
            )

    def rows(self):
        """(flag, decision, reason, note) bound fields for the template."""
        return [
            (flag, *(self[f"f{flag.pk}-{part}"] for part in ("decision", "reason", "note")))
            for flag in self.flags
        ]

    def consequence_fields(self):
        return [(e, self[f"e{e.pk}"]) for e in self.enrolments]

    def findings(self):
        data = self.cleaned_data
        return {
            flag.pk: FindingChoice(
                decision=data[f"f{flag.pk}-decision"],
                reason_code=data[f"f{flag.pk}-reason"],
                note=data[f"f{flag.pk}-note"],
            )
            for flag in self.flags
        }

    def consequences(self):
        return {e.pk: self.cleaned_data[f"e{e.pk}"] for e in self.enrolments}


def _enrolment_label(enrolment) -> str:
    """A program enrolled per person (PBI-JK) may appear twice in one family: the person's
    name tells the verifier which consequence is whose."""
    if enrolment.member_id is None:
        return enrolment.program.name
    return f"{enrolment.program.name} – {enrolment.member.name}"


class GraduationProposeForm(forms.Form):
    """The facilitator's proposal (eligibility.graduation.propose_graduation checks it)."""

    kind = forms.ChoiceField(
        label=_("Kind of graduation"),
        choices=Graduation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of graduation.")},
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=GRADUATION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What shows the family no longer needs aid: steady work or a running business, the "
            "income it told at the assessments, the family's own statement (sejahtera mandiri)."
        ),
        error_messages={"required": _("Write the evidence.")},
    )


class GraduationDecideForm(forms.Form):
    """The verifier's decision (eligibility.graduation.decide_graduation checks it)."""

    CONFIRM, REJECT = "confirm", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(CONFIRM, _("Confirm the graduation")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Confirm or reject the graduation.")},
    )
    note = forms.CharField(
        label=_("What you checked, or why not"),
        max_length=GRADUATION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what you checked or why the graduation is rejected.")},
    )
