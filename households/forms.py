"""Page input for the household screens. Shape only: the rules live in services and models."""

import re
from datetime import date

from django import forms
from django.contrib.auth.models import User
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.imports.readers import READABLE_SUFFIXES
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

# A birth date as printed on the KTP and the family card: DD-MM-YYYY. Also read: other
# separators (17/08/1985, 17.08.1985), the bare digits a phone without the script sends
# (17081985), and ISO (1985-08-17), which earlier forms and saved drafts sent.
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_DMY_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EARLIEST_BIRTH_YEAR = 1900


class DayMonthYearInput(forms.DateInput):
    """A text box with the phone's number pad; slrt.js types the dashes (data-date-dmy)."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 10,
            "placeholder": _("DD-MM-YYYY"),
            "data-date-dmy": "",
        }
        super().__init__(attrs=defaults | (attrs or {}), format="%d-%m-%Y")


class DayMonthYearField(forms.DateField):
    """A date typed as DD-MM-YYYY, read the same whatever the phone's language or locale."""

    widget = DayMonthYearInput
    default_error_messages = {
        "invalid": _("Type the date as DD-MM-YYYY, for example 17-08-1985."),
        "impossible": _("%(value)s is not a real date. Check the day and the month on the card."),
        "future": _("A birth date cannot be after today."),
        "too_early": _("A birth date before %(year)s cannot be right."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if match := _ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
        elif match := _DMY.match(text) or _DMY_DIGITS.match(text):
            day, month, year = (int(part) for part in match.groups())
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["impossible"],
                code="impossible",
                params={"value": f"{day:02d}-{month:02d}-{year:04d}"},
            ) from None
        if parsed > timezone.localdate():
            raise forms.ValidationError(self.error_messages["future"], code="future")
        if parsed.year < EARLIEST_BIRTH_YEAR:
            raise forms.ValidationError(
                self.error_messages["too_early"],
                code="too_early",
                params={"year": EARLIEST_BIRTH_YEAR},
            )
        return parsed


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
    # Whether a NIK that disagrees with the row may be saved is the service's rule
    # (households.services: code "nik_unconfirmed"); this only carries the tick.
    as_on_card = forms.BooleanField(label=_("Data matches the KTP/KK"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        field_classes = {"birth_date": DayMonthYearField}
        widgets = {"birth_date": DayMonthYearInput}

    # The fields under "More about this person": their section opens only for their own errors.
    MORE_FIELDS = (
        "birth_place",
        "marital_status",
        "education",
        "schooling",
        "occupation",
        "disability",
        "chronic_illness",
        "health_insurance",
        "is_pregnant",
        "is_deceased",
    )

    def has_wrong_fields(self) -> bool:
        """Errors other than the question of a NIK disagreement (which is not a mistake)."""
        return any(name != "as_on_card" for name in self.errors)

    def more_has_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE_FIELDS)

    def _get_validation_exclusions(self) -> set[str]:
        # Whether the nik is registered is the service's answer, not the model
        # constraint's: outside the user's scope it says only "already registered", counted
        # and capped (households.existence). The form field checks the number's format.
        return super()._get_validation_exclusions() | {"nik"}


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def asks_only_confirmation(self) -> bool:
        """The rows are right except for NIK disagreements waiting for the tick."""
        return (
            not self.non_form_errors()
            and any(form.errors for form in self.forms)
            and not any(form.has_wrong_fields() for form in self.forms)
        )

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
            changes.append(
                MemberChange(
                    data=data,
                    member_id=member_id,
                    position=position,
                    as_on_card=bool(form.cleaned_data.get("as_on_card")),
                )
            )
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
        label=_("File (.xlsx, .xls, .ods or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(READABLE_SUFFIXES)}),
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
