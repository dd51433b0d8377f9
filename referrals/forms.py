"""Page input only: no business checks here (those are in referrals.services)."""

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.models import Agency, Household, Member, Region
from referrals.models import (
    Action,
    Attachment,
    Complaint,
    NeedCategory,
    Outcome,
    Priority,
    Referral,
)


class ComplaintForm(forms.Form):
    complainant_name = forms.CharField(label=_("Name of the person who came"), max_length=120)
    complainant_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=Region.objects.none())
    household = forms.ModelChoiceField(
        queryset=Household.objects.none(), required=False, widget=forms.HiddenInput
    )
    request = forms.CharField(
        label=_("What they asked for"), widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ModelChoiceField(
        label=_("Need"),
        queryset=NeedCategory.objects.filter(is_active=True),
        required=False,
        empty_label=_("Not clear yet"),
    )
    channel = forms.ChoiceField(
        label=_("How it reached the desk"),
        choices=Complaint.Channel.choices,
        initial=Complaint.Channel.WALK_IN,
        required=False,  # most come to the desk: that is what none means
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the desk checks on it again (optional)."),
    )
    resolved_at_desk = forms.BooleanField(label=_("Settled at the desk"), required=False)
    desk_note = forms.CharField(
        label=_("How it was settled"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kelurahan: QuerySet[Region], households: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = kelurahan
        self.fields["household"].queryset = households
        if kelurahan.count() == 1:  # a desk works for one kelurahan: nothing to choose
            self.fields["kelurahan"].initial = kelurahan.first()


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReferralForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Need"), queryset=NeedCategory.objects.filter(is_active=True)
    )
    member = forms.ModelChoiceField(
        label=_("For which member"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("The whole family"),
    )
    description = forms.CharField(
        label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    agency = forms.ModelChoiceField(
        label=_("Receiving agency"),
        queryset=Agency.objects.filter(receives_referrals=True),
        required=False,
        empty_label=_("The need's usual agency"),
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = household.members.filter(is_deceased=False)
        self.fields["category"].label_from_instance = _category_label


def _category_label(category: NeedCategory) -> str:
    return gettext("%(name)s (deadline %(days)d days, urgent %(urgent)d)") % {
        "name": category.name,
        "days": category.deadline_days,
        "urgent": category.urgent_deadline_days,
    }


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )
    to_agency = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Agency.objects.filter(receives_referrals=True),
        required=False,
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of document"),
        choices=Attachment.Kind.choices,
        initial=Attachment.Kind.OTHER,
        required=False,  # none: "other document"
    )
    file = forms.FileField(label=_("Document (PDF, JPG or PNG)"))


class _ReadOnce(ModelChoiceIterator):
    """The choices from the queryset read once, in one query. Django's iterator() opens a
    PostgreSQL server-side cursor (DECLARE ... WITH HOLD, FETCH, CLOSE) for the agency's
    dozen officers on every queue page: the queue's slowest statement in a profile under load
    (bench_load, 2026-12-06)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset:  # the queryset keeps what it read
            yield self.choice(row)

    def __len__(self) -> int:
        return len(self.queryset) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.queryset)


class _StaffChoiceField(forms.ModelChoiceField):
    iterator = _ReadOnce


class AssignForm(forms.Form):
    referrals = forms.ModelMultipleChoiceField(
        queryset=Referral.objects.none(),
        error_messages={"required": _("Select at least one referral.")},
    )
    assignee = _StaffChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, referrals: QuerySet[Referral], staff: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrals"].queryset = referrals
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["assignee"].empty_label = _("Choose an officer")
