"""Needs assessment (asesmen kebutuhan) of a household, by a facilitator or the Puskesos desk
(issue 21). Dated and versioned: a re-assessment is a new version and keeps the earlier ones.

Each assessment records, for every domain, whether there is a need and how severe it is; the
registry's suggestions (households.needs), each confirmed or dismissed by the assessor; and the
economic needs the conversation brings out, each pointing to an intervention and the agency
that serves it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households import needs
from households.models.registry import Household, Member
from slrt.models import TimeStampedModel


class Domain(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy and work")
    CIVIL_REGISTRATION = "civil_registration", _("Civil registration (adminduk)")
    FOOD = "food", _("Food")
    SOCIAL_PROTECTION = "social_protection", _("Social protection (children, elderly, disability)")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class NeedKind(models.TextChoices):
    # The domain as a whole (one row per domain in every assessment).
    DOMAIN = "domain", _("Need in this domain")
    # Suggested by the registry (households.needs), confirmed or dismissed.
    OUT_OF_SCHOOL = needs.OUT_OF_SCHOOL, _("Child out of school")
    UNINSURED = needs.UNINSURED, _("No health insurance")
    UNFIT_HOUSE = needs.UNFIT_HOUSE, _("House unfit to live in")
    UNEMPLOYED_HEAD = needs.UNEMPLOYED_HEAD, _("Head of household not working")
    DISABILITY = needs.DISABILITY, _("Person with a disability")
    # Economic needs (the city's "what each family's economic needs are").
    UNEMPLOYED = "unemployed", _("Unemployed, of working age")
    UNDEREMPLOYED = "underemployed", _("Under-employed, of working age")
    SKILLS = "skills", _("Skills to learn")
    BUSINESS = "business", _("Micro-business (usaha), existing or wanted")
    CAPITAL = "capital", _("Capital for a business")
    DEBT = "debt", _("Debt")


class Intervention(models.TextChoices):
    JOB_TRAINING = "job_training", _("Job training (pelatihan kerja)")
    BUSINESS_CAPITAL = "business_capital", _("Business capital (modal usaha)")
    KUBE = "kube", _("Joint business group (KUBE)")
    UEP = "uep", _("Productive economic enterprise (UEP)")
    UMKM_SUPPORT = "umkm_support", _("UMKM mentoring (pendampingan UMKM)")
    KUR = "kur", _("People's business credit (KUR)")


# Which domain each kind of need belongs to.
KIND_DOMAIN: dict[str, str] = {
    NeedKind.OUT_OF_SCHOOL: Domain.EDUCATION,
    NeedKind.UNINSURED: Domain.HEALTH,
    NeedKind.UNFIT_HOUSE: Domain.HOUSING,
    NeedKind.UNEMPLOYED_HEAD: Domain.ECONOMY,
    NeedKind.DISABILITY: Domain.SOCIAL_PROTECTION,
    NeedKind.UNEMPLOYED: Domain.ECONOMY,
    NeedKind.UNDEREMPLOYED: Domain.ECONOMY,
    NeedKind.SKILLS: Domain.ECONOMY,
    NeedKind.BUSINESS: Domain.ECONOMY,
    NeedKind.CAPITAL: Domain.ECONOMY,
    NeedKind.DEBT: Domain.ECONOMY,
}
SUGGESTED_KINDS = frozenset(
    {
        NeedKind.OUT_OF_SCHOOL,
        NeedKind.UNINSURED,
        NeedKind.UNFIT_HOUSE,
        NeedKind.UNEMPLOYED_HEAD,
        NeedKind.DISABILITY,
    }
)
ECONOMIC_KINDS = frozenset(
    {
        NeedKind.UNEMPLOYED,
        NeedKind.UNDEREMPLOYED,
        NeedKind.SKILLS,
        NeedKind.BUSINESS,
        NeedKind.CAPITAL,
        NeedKind.DEBT,
    }
)
# The intervention an economic need usually points to (the form's first choice).
USUAL_INTERVENTION: dict[str, str] = {
    NeedKind.UNEMPLOYED: Intervention.JOB_TRAINING,
    NeedKind.UNDEREMPLOYED: Intervention.JOB_TRAINING,
    NeedKind.SKILLS: Intervention.JOB_TRAINING,
    NeedKind.BUSINESS: Intervention.UMKM_SUPPORT,
    NeedKind.CAPITAL: Intervention.BUSINESS_CAPITAL,
    NeedKind.DEBT: Intervention.KUR,
}
# The agency (households.reference AGENCIES code) that receives each intervention's referral.
INTERVENTION_AGENCY: dict[str, str] = {
    Intervention.JOB_TRAINING: "disnaker",
    Intervention.BUSINESS_CAPITAL: "dinsos",
    Intervention.KUBE: "dinsos",
    Intervention.UEP: "dinsos",
    Intervention.UMKM_SUPPORT: "dinkopukm",
    Intervention.KUR: "bank-kur",
}


class Assessment(TimeStampedModel):
    """One needs assessment of a household: version 1, 2, ... in the order they were made."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    version = models.PositiveIntegerField(_("version"))
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # Issue 21 part 4 (graduation): the family's income as told at the assessment, the living
    # members it keeps, and so the income per person; and the income per person at the latest
    # earlier assessment made at least GRADUATION_GAP_DAYS before this one (written once by
    # record_assessment: versions never change), so a rule can ask "above the poverty line at
    # two assessments at least 6 months apart" without date arithmetic in SQL.
    monthly_income = models.PositiveBigIntegerField(
        _("household income a month (Rp)"), null=True, blank=True
    )
    person_count = models.PositiveSmallIntegerField(_("persons"), null=True, blank=True)
    income_per_capita = models.PositiveBigIntegerField(
        _("income per person (Rp)"), null=True, blank=True
    )
    earlier_income_per_capita = models.PositiveBigIntegerField(
        _("income per person 6 months or more before (Rp)"), null=True, blank=True
    )
    earlier_assessed_on = models.DateField(
        _("earlier assessment 6 months or more before"), null=True, blank=True
    )

    class Meta:
        ordering = ["household_id", "-version"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "version"], name="households_assessment_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.kk_number} v{self.version} ({self.assessed_on})"


class AssessedNeed(models.Model):
    """One need of an assessment: present or not, how severe, a note; for a person (`member`)
    where it is theirs; `suggested` when the registry proposed it (present: confirmed, not
    present: dismissed); for an economic need, the intervention it points to and an amount
    (the capital needed, the debt owed)."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("needs assessment"),
        on_delete=models.CASCADE,
        related_name="needs",
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    kind = models.CharField(_("need"), max_length=20, choices=NeedKind.choices)
    member = models.ForeignKey(
        Member,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessed_needs",
    )
    present = models.BooleanField(_("present"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    suggested = models.BooleanField(_("suggested by the registry"), default=False)
    intervention = models.CharField(
        _("intervention"), max_length=20, choices=Intervention.choices, blank=True
    )
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["assessment_id", "pk"]
        verbose_name = _("assessed need")
        verbose_name_plural = _("assessed needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(present=True, severity__in=["mild", "moderate", "severe"])
                | Q(present=False, severity=""),
                name="households_assessedneed_severity_when_present",
            ),
            models.CheckConstraint(
                condition=Q(intervention="") | Q(domain="economy"),
                name="households_assessedneed_intervention_economic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_kind_display()}"

    @property
    def agency_code(self) -> str:
        return INTERVENTION_AGENCY.get(self.intervention, "")
