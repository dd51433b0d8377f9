"""Page input for the household screens. Shape only: the rules live in services and models."""

from django import forms
from django.contrib.auth.models import User
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from households.models import (
    BreakGlassGrant,
    Enrolment,
    Household,
    ImportBatch,
    Member,
    Program,
    Region,
)
from households.nik import normalise_number
from households.scope import write_kelurahan_ids
from households.selectors import kelurahan_choices
from households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS, MemberChange
from households.validators import validate_kk_number, validate_nik

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdentityNumberField(forms.CharField):
    """A NIK or KK number as typed: spaces and dots between digit groups are dropped, then the
    structure is checked (households.nik) so the user sees one clear message."""

    def __init__(self, *, validator, **kwargs):
        kwargs.setdefault("max_length", 32)
        attrs = {"inputmode": "numeric", "autocomplete": "off", "class": "identity-number"}
        super().__init__(widget=forms.TextInput(attrs=attrs), validators=[validator], **kwargs)

    def to_python(self, value) -> str:
        return normalise_number(super().to_python(value))


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent else obj.name


class HouseholdForm(forms.ModelForm):
    kk_number = IdentityNumberField(label=_("KK number"), validator=validate_kk_number)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS
        field_classes = {"kelurahan": KelurahanChoiceField}
        widgets = {
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "rt": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3, "size": 3}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 3, "size": 3}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        choices = kelurahan_choices(user)
        self.fields["kelurahan"].queryset = choices
        if choices.count() == 1 and not self.instance.pk:
            self.fields["kelurahan"].initial = choices.first()
        if self.instance.pk and write_kelurahan_ids(user) is not None:
            # Only Dinas Sosial moves a family (households.services): the others see its
            # kelurahan, fixed, and an unchanged form can never move it into theirs.
            field = self.fields["kelurahan"]
            field.queryset = Region.objects.select_related("parent").filter(
                pk=self.instance.kelurahan_id
            )
            field.disabled = True
            field.help_text = _("Moved? Use 'Moved? Ask Dinas Sosial' on the household page.")
        self.fields["welfare_decile"].widget = forms.Select(
            choices=[("", "---------")] + [(i, str(i)) for i in range(1, 11)]
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_version(self) -> int | None:
        if self.instance.pk and self.cleaned_data.get("version") is None:
            raise forms.ValidationError(_("Open the household again and redo your change."))
        return self.cleaned_data.get("version")

    def household_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in HOUSEHOLD_FIELDS}

    def _get_validation_exclusions(self) -> set[str]:
        # Whether the kk_number is registered is the service's answer, not the model
        # constraint's: outside the user's scope it says only "already registered", counted
        # and capped (households.existence). The form field checks the number's format.
        return super()._get_validation_exclusions() | {"kk_number"}


class MemberForm(forms.ModelForm):
    nik = IdentityNumberField(label="NIK", validator=validate_nik)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {
            "birth_date": DATE_INPUT,
        }

    def _get_validation_exclusions(self) -> set[str]:
        # Whether the nik is registered is the service's answer, not the model
        # constraint's: outside the user's scope it says only "already registered", counted
        # and capped (households.existence). The form field checks the number's format.
        return super()._get_validation_exclusions() | {"nik"}


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def member_changes(self) -> list[MemberChange]:
        changes = []
        for position, form in enumerate(self.forms):
            if not form.has_changed() and not form.instance.pk:
                continue  # an empty extra row
            member_id = form.instance.pk
            if self.can_delete and self._should_delete_form(form):
                if member_id:
                    changes.append(
                        MemberChange(member_id=member_id, delete=True, position=position)
                    )
                continue
            data = {name: form.cleaned_data.get(name) for name in MEMBER_FIELDS}
            changes.append(MemberChange(data=data, member_id=member_id, position=position))
        return changes


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
)


class LocationForm(forms.Form):
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)


class EnrolmentForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Aid program"), queryset=Program.objects.filter(is_active=True)
    )
    member = forms.ModelChoiceField(
        label=_("Member (for programs given to a person)"),
        queryset=Member.objects.none(),
        required=False,
    )
    start_date = forms.DateField(label=_("Start"), widget=DATE_INPUT)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["member"].queryset = household.members.order_by("pk")


class EnrolmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Enrolment.Status.choices)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    source_format = forms.ChoiceField(
        label=_("File format"),
        choices=ImportBatch.SourceFormat.choices,
        initial=ImportBatch.SourceFormat.SLRT,
    )
    kelurahan = KelurahanChoiceField(
        label=_("Kelurahan"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("For files without a Kelurahan column."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        choices = kelurahan_choices(user)
        self.fields["kelurahan"].queryset = choices
        if choices.count() == 1:  # a desk operator: their own kelurahan, shown, not chosen
            self.fields["kelurahan"].initial = choices.first()
            self.fields["kelurahan"].disabled = True


class BreakGlassForm(forms.Form):
    """An emergency access request: the full KK number as on the card, and why. The rules
    (reason length, daily cap) are households.break_glass's."""

    kk_number = IdentityNumberField(label=_("KK number"), validator=validate_kk_number)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why you must open this household now. Your reason, the time and every page you "
            "open are recorded and reviewed by the Verifikator."
        ),
    )


class BreakGlassReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Review"), choices=BreakGlassGrant.Decision.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class FamilyMoveForm(forms.Form):
    """Ask the Verifikator to move the whole family to another kelurahan (households.moves)."""

    to_kelurahan = KelurahanChoiceField(
        label=_("Kelurahan the family moved to"),
        queryset=Region.objects.filter(level=Region.Level.KELURAHAN)
        .select_related("parent")
        .order_by("parent__name", "name"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_kelurahan"]
        field.queryset = field.queryset.exclude(pk=household.kelurahan_id)


class PersonMoveForm(forms.Form):
    """Ask the Verifikator to move a person registered in another family into this one."""

    nik = IdentityNumberField(label=_("NIK of the person"), validator=validate_nik)
    relationship = forms.ChoiceField(
        label=_("Relationship to the head of this family"),
        choices=[("", "---------")]
        + [c for c in Member.Relationship.choices if c[0] != Member.Relationship.HEAD],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
