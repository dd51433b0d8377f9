"""Page input of the family's plan: no business checks here (referrals.plans has them)."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Agency, AssessedNeed, Assessment, Member, Program
from referrals.models import NeedCategory, PlanGoal, PlanIntervention, Progress

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_relationship_display()})"


class PlanForm(forms.Form):
    made_on = forms.DateField(label=_("Made on"), widget=DATE, initial=timezone.localdate)
    agreed_by = _MemberChoice(
        label=_("Agreed by (family member)"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Not agreed yet"),
        help_text=_("The plan is made with the family: who agreed to it."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members: QuerySet[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].queryset = members


class AgreementForm(forms.Form):
    agreed_by = _MemberChoice(label=_("Agreed by (family member)"), queryset=Member.objects.none())
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, members: QuerySet[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].queryset = members


class _NeedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AssessedNeed) -> str:
        label = f"{obj.get_domain_display()}"
        if obj.kind != "domain":
            label += f": {obj.get_kind_display()}"
        if obj.member_id:
            label += f" ({obj.member.name})"
        return label


class GoalForm(forms.Form):
    text = forms.CharField(label=_("New goal"), max_length=300)
    need = _NeedChoice(
        label=_("For the assessed need"),
        queryset=AssessedNeed.objects.none(),
        required=False,
        empty_label=_("No particular need"),
    )

    def __init__(self, *args, needs: QuerySet[AssessedNeed], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: NeedCategory) -> str:
        return f"{obj.name} → {obj.default_agency.short_name}"


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PlanIntervention.Kind.choices,
        initial=PlanIntervention.Kind.REFERRAL,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(label=_("What is to be done"), max_length=300)
    target_date = forms.DateField(label=_("Target date"), widget=DATE)
    goal = forms.ModelChoiceField(
        label=_("Goal"), queryset=PlanGoal.objects.none(), required=False, empty_label="–"
    )
    category = _CategoryChoice(
        label=_("Need to refer (and its agency)"),
        queryset=NeedCategory.objects.none(),
        required=False,
        help_text=_("For a referral: it is sent to this agency now."),
    )
    member = _MemberChoice(
        label=_("For whom"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("The whole family"),
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        help_text=_("For a proposed program enrolment."),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency running the program"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label="–",
    )

    def __init__(self, *args, goals, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["member"].queryset = members
        categories = NeedCategory.objects.filter(is_active=True).select_related("default_agency")
        self.fields["category"].queryset = categories
        self.fields["program"].queryset = Program.objects.filter(is_active=True)
        self.fields["agency"].queryset = Agency.objects.filter(receives_referrals=True)


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(label=_("Progress"), choices=Progress.choices)


class _AssessmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assessment) -> str:
        return str(
            _("Assessment %(version)s of %(day)s")
            % {"version": obj.version, "day": obj.assessed_on.strftime("%d-%m-%Y")}
        )


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE, initial=timezone.localdate)
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Optional: where you met the family, if not at home."),
    )
    notes = forms.CharField(label=_("What you found"), widget=forms.Textarea(attrs={"rows": 3}))
    assessment = _AssessmentChoice(
        label=_("Updated assessment"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("None at this visit"),
        help_text=_(
            "If you assessed the family again at this visit, record it first, then choose it here."
        ),
    )

    def __init__(self, *args, assessments: QuerySet[Assessment], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
