"""The registry: regions, agencies, households, members, programs, enrolments, history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.validators import validate_kk_number, validate_nik, validate_rt_rw
from slrt.models import TimeStampedModel
from slrt.reversing import reverse_pk
from slrt.stamps import StampedQuerySet


class Region(TimeStampedModel):
    """A Kemendagri region: provinsi, kota, kecamatan or kelurahan, code stored dotted."""

    class Level(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KOTA = "kota", _("City")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")

    code = models.CharField(_("code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Upper case, letters only: "Bekasi Jaya", "BEKASIJAYA" and "Kel. Bekasijaya" match.
    name_key = models.CharField(max_length=100, db_index=True, editable=False)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    bps_code = models.CharField(_("BPS code"), max_length=10, blank=True)
    bps_name = models.CharField(_("BPS name"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def code_digits(self) -> str:
        return self.code.replace(".", "")


class Agency(TimeStampedModel):
    """A city agency (OPD): Dinas Sosial, Dinas Kesehatan, ... Names are data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    email = models.EmailField(_("e-mail"), blank=True)
    receives_referrals = models.BooleanField(_("receives referrals"), default=True)
    # Overdue referrals escalate to this person (issue 5).
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head of agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.short_name


class UserProfile(TimeStampedModel):
    """Where a user works: their agency and the kelurahan they are assigned to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    kelurahan = models.ManyToManyField(
        Region,
        verbose_name=_("assigned kelurahan"),
        blank=True,
        related_name="assigned_profiles",
        limit_choices_to={"level": Region.Level.KELURAHAN},
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class Program(TimeStampedModel):
    """An aid program (PKH, BPNT/Sembako, PBI-JK, KIP, BLT, Rutilahu, local programs)."""

    class Level(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        MEMBER = "member", _("Member")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(_("enrolled as"), max_length=10, choices=Level.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("aid program")
        verbose_name_plural = _("aid programs")

    def __str__(self) -> str:
        return self.name


# The stamp of each process's copy of the household list's counts (households.selectors.
# kept_count): every write of a household, a member or an enrolment moves it, through these
# querysets (bulk writes), HouseholdsConfig.ready()'s receivers (save, delete) and the COPY
# writers (households.imports.writers, households.demo.loader), which call stamps.move.
HOUSEHOLD_ROWS_STAMP = "households:rows"


class HouseholdQuerySet(StampedQuerySet):
    stamp_key = HOUSEHOLD_ROWS_STAMP

    def search(self, text: str) -> "HouseholdQuerySet":
        """Name, NIK, KK or address: one indexed column, see Household.search_text."""
        words = text.upper().split()
        qs = self
        for word in words:
            qs = qs.filter(search_text__contains=word)
        return qs


class Household(TimeStampedModel):
    """One family as on its Kartu Keluarga (KK)."""

    class Ownership(models.TextChoices):
        OWN = "own", _("Own")
        RENT = "rent", _("Rented / contract")
        RENT_FREE = "rent_free", _("Rent-free")
        OFFICIAL = "official", _("Official housing")
        SHARED = "shared", _("Living with others")
        OTHER = "other", _("Other")

    class FloorMaterial(models.TextChoices):
        MARBLE = "marble", _("Marble / granite")
        CERAMIC = "ceramic", _("Ceramic")
        PARQUET = "parquet", _("Parquet / vinyl / carpet")
        TILE = "tile", _("Tile / terrazzo")
        WOOD_HIGH = "wood_high", _("High-quality wood")
        CEMENT = "cement", _("Cement / red brick")
        BAMBOO = "bamboo", _("Bamboo")
        WOOD_LOW = "wood_low", _("Low-quality wood")
        EARTH = "earth", _("Earth")
        OTHER = "other", _("Other")

    class WallMaterial(models.TextChoices):
        MASONRY = "masonry", _("Masonry wall")
        PLASTERED_BAMBOO = "plastered_bamboo", _("Plastered woven bamboo / wire")
        WOOD = "wood", _("Wood / board")
        WOVEN_BAMBOO = "woven_bamboo", _("Woven bamboo")
        LOG = "log", _("Logs")
        BAMBOO = "bamboo", _("Bamboo")
        OTHER = "other", _("Other")

    class RoofMaterial(models.TextChoices):
        CONCRETE = "concrete", _("Concrete")
        TILE = "tile", _("Roof tile")
        ZINC = "zinc", _("Zinc sheet")
        ASBESTOS = "asbestos", _("Asbestos")
        WOOD = "wood", _("Wood / shingle")
        BAMBOO = "bamboo", _("Bamboo")
        THATCH = "thatch", _("Straw / palm leaves")
        OTHER = "other", _("Other")

    class WaterSource(models.TextChoices):
        BOTTLED = "bottled", _("Bottled water")
        REFILL = "refill", _("Refill water")
        PIPED = "piped", _("Piped water (PDAM)")
        BOREHOLE = "borehole", _("Borehole / pump")
        PROTECTED_WELL = "protected_well", _("Protected well")
        UNPROTECTED_WELL = "unprotected_well", _("Unprotected well")
        SPRING = "spring", _("Spring")
        SURFACE = "surface", _("River / lake")
        RAIN = "rain", _("Rain water")
        OTHER = "other", _("Other")

    class Sanitation(models.TextChoices):
        PRIVATE = "private", _("Own toilet")
        SHARED = "shared", _("Shared toilet")
        PUBLIC = "public", _("Public toilet")
        NONE = "none", _("No toilet")

    class CookingFuel(models.TextChoices):
        ELECTRICITY = "electricity", _("Electricity")
        LPG_LARGE = "lpg_large", _("LPG 5.5 kg or more")
        LPG_3KG = "lpg_3kg", _("LPG 3 kg")
        CITY_GAS = "city_gas", _("City gas / biogas")
        KEROSENE = "kerosene", _("Kerosene")
        CHARCOAL = "charcoal", _("Charcoal / briquettes")
        FIREWOOD = "firewood", _("Firewood")
        NO_COOKING = "no_cooking", _("Does not cook at home")

    class Lighting(models.TextChoices):
        PLN_METERED = "pln_metered", _("PLN electricity, own meter")
        PLN_UNMETERED = "pln_unmetered", _("PLN electricity, no own meter")
        NON_PLN = "non_pln", _("Non-PLN electricity")
        NONE = "none", _("No electricity")

    class ElectricityVA(models.IntegerChoices):
        NONE = 0, _("No electricity")
        VA_450 = 450, "450 VA"
        VA_900 = 900, "900 VA"
        VA_1300 = 1300, "1.300 VA"
        VA_2200 = 2200, "2.200 VA"
        VA_3500 = 3500, "3.500 VA"
        VA_4400 = 4400, "4.400 VA"
        VA_5500 = 5500, "5.500 VA"
        VA_7700 = 7700, "7.700 VA"
        VA_11000 = 11000, _("11.000 VA or more")

    class VerificationStatus(models.TextChoices):
        UNVERIFIED = "unverified", _("Not yet verified")
        VERIFIED = "verified", _("Verified")
        NEEDS_UPDATE = "needs_update", _("Needs correction")

    class Source(models.TextChoices):
        FORM = "form", _("Entered in the form")
        IMPORT = "import", _("Imported file")
        DTKS = "dtks", _("DTKS / DTSEN")
        DEMO = "demo", _("Demo data")

    kk_number = models.CharField(_("KK number"), max_length=16, validators=[validate_kk_number])
    kelurahan = models.ForeignKey(
        Region,
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": Region.Level.KELURAHAN},
        db_index=False,  # served by the (kelurahan, ...) indexes below: faster imports
    )
    address = models.CharField(_("address"), max_length=255)
    rt = models.CharField("RT", max_length=3, validators=[validate_rt_rw])
    rw = models.CharField("RW", max_length=3, validators=[validate_rt_rw])
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_recorded_at = models.DateTimeField(_("location recorded at"), null=True, blank=True)

    # Housing
    house_ownership = models.CharField(
        _("house ownership"), max_length=12, choices=Ownership.choices, blank=True
    )
    floor_area = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    floor_material = models.CharField(
        _("floor"), max_length=12, choices=FloorMaterial.choices, blank=True
    )
    wall_material = models.CharField(
        _("walls"), max_length=20, choices=WallMaterial.choices, blank=True
    )
    roof_material = models.CharField(
        _("roof"), max_length=12, choices=RoofMaterial.choices, blank=True
    )
    water_source = models.CharField(
        _("drinking water"), max_length=20, choices=WaterSource.choices, blank=True
    )
    sanitation = models.CharField(
        _("toilet"), max_length=10, choices=Sanitation.choices, blank=True
    )
    cooking_fuel = models.CharField(
        _("cooking fuel"), max_length=12, choices=CookingFuel.choices, blank=True
    )
    lighting = models.CharField(_("lighting"), max_length=15, choices=Lighting.choices, blank=True)
    electricity_va = models.PositiveIntegerField(
        _("installed power"), choices=ElectricityVA.choices, null=True, blank=True
    )

    # Assets
    car_count = models.PositiveSmallIntegerField(_("cars"), default=0)
    motorcycle_count = models.PositiveSmallIntegerField(_("motorcycles"), default=0)
    has_refrigerator = models.BooleanField(_("refrigerator"), default=False)
    has_air_conditioner = models.BooleanField(_("air conditioner"), default=False)
    has_gold = models.BooleanField(_("gold or jewellery of 10 g or more"), default=False)
    owns_other_house = models.BooleanField(_("owns a house elsewhere"), default=False)
    land_area = models.PositiveIntegerField(_("land owned (m²)"), null=True, blank=True)

    # Income and welfare
    monthly_income = models.PositiveBigIntegerField(_("monthly income (Rp)"), null=True, blank=True)
    monthly_expenditure = models.PositiveBigIntegerField(
        _("monthly expenditure (Rp)"), null=True, blank=True
    )
    welfare_decile = models.PositiveSmallIntegerField(
        _("welfare decile"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Desil 1 (poorest 10%) to 10, as imported from DTKS/DTSEN."),
    )

    verification_status = models.CharField(
        _("verification status"),
        max_length=12,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    consent = models.BooleanField(_("the family agreed to have its data recorded"), default=False)

    # Kept by households.services on every write: lists and dashboards read them
    # without joining members (PERF.md: stored counts are the floor for district tables).
    head_name = models.CharField(_("head of household"), max_length=150, blank=True)
    member_count = models.PositiveSmallIntegerField(_("members"), default=0)
    # Upper-case KK, address, member names and NIKs: one trigram-indexed column for search.
    search_text = models.TextField(editable=False, default="")
    # Guards edits against lost updates: a save names the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # only ever read from the household, never searched by
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,  # only ever read from the household, never searched by
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["kk_number"],
                name="households_household_unique_kk",
                violation_error_code="unique",  # reported on the kk_number field
                violation_error_message=_("A household with this KK number is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(welfare_decile__isnull=True)
                | Q(welfare_decile__gte=1, welfare_decile__lte=10),
                name="households_household_decile_1_10",
                violation_error_message=_("Welfare decile must be between 1 and 10."),
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "-updated_at"], name="households_household_kel_upd"),
            models.Index(fields=["kelurahan", "rw"], name="households_household_kel_rw"),
            # The city-wide list (verifier, data steward) in its default order.
            models.Index(fields=["-updated_at", "-id"], name="households_household_updated"),
        ]

    def __str__(self) -> str:
        return f"KK {self.kk_number} – {self.head_name}" if self.head_name else self.kk_number

    def get_absolute_url(self) -> str:
        return reverse_pk("households:household_detail", self.pk)

    @property
    def per_capita_income(self) -> int | None:
        if self.monthly_income is None or not self.member_count:
            return None
        return self.monthly_income // self.member_count


class MemberQuerySet(StampedQuerySet):
    stamp_key = HOUSEHOLD_ROWS_STAMP

    def in_kk_order(self) -> "MemberQuerySet":
        """As the family card lists them: by relationship in the Dukcapil order (head, spouse,
        children, in-laws, grandchildren, parents, others), the elder first within each."""
        rank = models.Case(
            *(
                models.When(relationship=value, then=models.Value(position))
                for position, value in enumerate(Member.Relationship.values)
            ),
            default=models.Value(len(Member.Relationship.values)),
            output_field=models.IntegerField(),
        )
        return self.alias(kk_rank=rank).order_by("kk_rank", "birth_date", "pk")


class Member(TimeStampedModel):
    """A person on the family card, identified by NIK."""

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Wife / husband")
        CHILD = "child", _("Child")
        CHILD_IN_LAW = "child_in_law", _("Son / daughter-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent / parent-in-law")
        HOUSEHOLD_STAFF = "household_staff", _("Domestic worker")
        OTHER = "other", _("Other")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Not married")
        MARRIED = "married", _("Married")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    class Education(models.TextChoices):
        NONE = "none", _("No schooling")
        SD = "sd", _("Primary school (SD)")
        SMP = "smp", _("Junior high (SMP)")
        SMA = "sma", _("Senior high (SMA/SMK)")
        DIPLOMA = "diploma", _("Diploma (D1–D3)")
        BACHELOR = "bachelor", _("Bachelor (D4/S1)")
        POSTGRADUATE = "postgraduate", _("Postgraduate (S2/S3)")

    class Occupation(models.TextChoices):
        NONE = "none", _("Not working")
        SCHOOL = "school", _("In school")
        HOUSEKEEPING = "housekeeping", _("Housekeeping")
        LABOURER = "labourer", _("Labourer")
        PRIVATE_EMPLOYEE = "private_employee", _("Private employee")
        SELF_EMPLOYED = "self_employed", _("Self-employed / trader")
        DRIVER = "driver", _("Driver / ojek")
        FARMER = "farmer", _("Farmer / fisher")
        INFORMAL = "informal", _("Casual / informal work")
        ASN = "asn", _("Civil servant (ASN)")
        TNI = "tni", _("Military (TNI)")
        POLRI = "polri", _("Police (Polri)")
        STATE_ENTERPRISE = "state_enterprise", _("BUMN/BUMD employee")
        RETIRED = "retired", _("Retired")
        OTHER = "other", _("Other")

    class Disability(models.TextChoices):
        NONE = "none", _("None")
        PHYSICAL = "physical", _("Physical")
        VISUAL = "visual", _("Visual")
        HEARING = "hearing", _("Hearing / speech")
        INTELLECTUAL = "intellectual", _("Intellectual")
        MENTAL = "mental", _("Mental / psychosocial")
        MULTIPLE = "multiple", _("Multiple")

    class ChronicIllness(models.TextChoices):
        NONE = "none", _("None")
        HYPERTENSION = "hypertension", _("Hypertension")
        DIABETES = "diabetes", _("Diabetes")
        HEART = "heart", _("Heart disease")
        TUBERCULOSIS = "tuberculosis", _("Tuberculosis")
        STROKE = "stroke", _("Stroke")
        CANCER = "cancer", _("Cancer")
        KIDNEY = "kidney", _("Kidney failure")
        ASTHMA = "asthma", _("Asthma")
        OTHER = "other", _("Other")

    class Schooling(models.TextChoices):
        NEVER = "never", _("Never attended")
        ATTENDING = "attending", _("Still in school")
        LEFT = "left", _("No longer in school")

    class HealthInsurance(models.TextChoices):
        NONE = "none", _("None")
        PBI_JKN = "pbi_jkn", _("JKN paid by government (PBI)")
        JKN_SELF = "jkn_self", _("JKN self-paid")
        JKN_EMPLOYER = "jkn_employer", _("JKN through employer")
        OTHER = "other", _("Other insurance")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    nik = models.CharField("NIK", max_length=16, validators=[validate_nik])
    name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    relationship = models.CharField(
        _("relationship to head"), max_length=16, choices=Relationship.choices
    )
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True
    )
    education = models.CharField(
        _("highest education"), max_length=12, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=16, choices=Occupation.choices, blank=True
    )
    disability = models.CharField(
        _("disability"), max_length=12, choices=Disability.choices, default=Disability.NONE
    )
    chronic_illness = models.CharField(
        _("chronic illness"),
        max_length=12,
        choices=ChronicIllness.choices,
        default=ChronicIllness.NONE,
    )
    is_pregnant = models.BooleanField(_("pregnant"), default=False)
    schooling = models.CharField(
        _("school participation"), max_length=10, choices=Schooling.choices, blank=True
    )
    health_insurance = models.CharField(
        _("health insurance"),
        max_length=12,
        choices=HealthInsurance.choices,
        default=HealthInsurance.NONE,
    )
    is_deceased = models.BooleanField(_("deceased"), default=False)
    # Codes from households.nik.nik_discrepancies, kept as data-quality facts.
    nik_warnings = models.JSONField(default=list, blank=True, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["nik"],
                name="households_member_unique_nik",
                violation_error_code="unique",  # reported on the nik field
                violation_error_message=_("This NIK is already registered to another person."),
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="head"),
                name="households_member_one_head",
                violation_error_message=_("A household has exactly one head."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnrolmentQuerySet(StampedQuerySet):
    stamp_key = HOUSEHOLD_ROWS_STAMP


class Enrolment(TimeStampedModel):
    """A household (or one member) in an aid program, with period and status."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,  # served by the (program, status) index
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    # Issue 20: a verifier recommended ending this enrolment (a confirmed finding). The mark
    # shows on the household page and in exports until the program's owner acts on the
    # enrolment (changes its status or keeps it): that act clears it and is in the history.
    removal_recommended_at = models.DateTimeField(
        _("removal recommended on"), null=True, blank=True
    )
    removal_recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removal_reason = models.CharField(
        _("why removal is recommended"), max_length=255, blank=True, default="", db_default=""
    )
    # Why an ended enrolment ended, when a service says so: "graduasi" (the family graduated
    # out of poverty, issue 21 part 4). Blank: ended by hand, or before the reason was kept.
    end_reason = models.CharField(
        _("why it ended"), max_length=20, blank=True, default="", db_default=""
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = pgettext_lazy("program membership", "enrolment")
        verbose_name_plural = pgettext_lazy("program membership", "enrolments")
        indexes = [
            models.Index(fields=["program", "status"], name="households_enrolment_prog_st"),
        ]

    def __str__(self) -> str:
        return f"{self.program} – {self.household.kk_number}"


class ChangeRecord(models.Model):
    """One write to a household, a member or an enrolment: who, when, which fields."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("changed")
        DELETED = "deleted", _("deleted")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="change_records"
    )
    entity = models.CharField(max_length=20)  # "household", "member", "enrolment"
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    # {"field_name": [old, new]} with display values, so the page needs no lookups.
    changes = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set when the change came from an imported file rather than a form.
    import_batch = models.ForeignKey(
        "households.ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("change record")
        verbose_name_plural = _("change history")

    def __str__(self) -> str:
        return f"{self.entity} {self.object_label} {self.action}"


class AccessRecord(models.Model):
    """One read of a household's personal data by someone outside its kelurahan: agency staff
    (through a referral), the city-wide roles, and anyone reading through a break-glass grant.
    Who, which household, when, through what and on what basis. Written only by
    households.selectors.log_household_reads, never by views; never edited."""

    class Basis(models.TextChoices):
        AGENCY = "agency", _("Referral to the agency")
        CITY_WIDE = "city_wide", _("City-wide role")
        BREAK_GLASS = "break_glass", _("Emergency access")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="access_records"
    )
    via = models.CharField(_("through"), max_length=100, blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices, default=Basis.AGENCY)
    # Set when the read was possible only through an emergency (break-glass) grant.
    grant = models.ForeignKey(
        "households.BreakGlassGrant",
        verbose_name=_("emergency access"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reads",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.user} – {self.household_id} – {self.created_at:%Y-%m-%d %H:%M}"


class ExportRecord(models.Model):
    """One download of registry data, by anyone: who, which export, with which filters, when,
    and how many records left the system. Written only by households.audit.record_export."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    export = models.CharField(_("export"), max_length=40)  # "households", "members", ...
    file_format = models.CharField(_("format"), max_length=10)
    # The filters as given on the page ({"kelurahan": "12", "q": "..."}), NIKs masked.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("records"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self) -> str:
        return f"{self.user} – {self.export} ({self.row_count}) – {self.created_at:%Y-%m-%d %H:%M}"


class ExistenceAnswer(models.Model):
    """One write (a household form save or an import's check) that was told a KK or NIK is
    already registered outside the user's scope, with how many numbers it was told about.
    Counted per user over 24 hours against EXISTENCE_ANSWERS_MAX_PER_DAY (households.existence);
    no number is stored."""

    class Source(models.TextChoices):
        FORM = "form", _("Household form")
        IMPORT = "import", _("Import")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    count = models.PositiveIntegerField(_("numbers"))
    # True when the answer was refused because the user had reached the daily limit.
    refused = models.BooleanField(_("refused"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("existence answer")
        verbose_name_plural = _("existence answers")

    def __str__(self) -> str:
        return f"{self.user} – {self.source} ({self.count}) – {self.created_at:%Y-%m-%d %H:%M}"


# The stamp of each process's copy of what the database says of a user (their groups,
# profile and emergency grants: households.scope._kept_facts). Grants move it on every write
# (this queryset, and HouseholdsConfig.ready()'s receivers), as do groups, memberships,
# profiles, their kelurahan and agencies.
SCOPE_STAMP = "households:scope"


class BreakGlassGrantQuerySet(StampedQuerySet):
    stamp_key = SCOPE_STAMP

    def active(self, now=None) -> "BreakGlassGrantQuerySet":
        return self.filter(household__isnull=False, expires_at__gt=now or timezone.now())


class BreakGlassGrant(models.Model):
    """An emergency (break-glass) access: an agency officer or a facilitator opened a household
    outside their scope, with a written reason, for a limited time. Granted at once and
    reviewed afterwards by the Verifikator (households.break_glass explains why)."""

    class Decision(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")
        NOT_JUSTIFIED = "not_justified", _("Not justified")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
    )
    # The KK number as typed; the household is None when no household has it (the request is
    # still recorded and counted, so probing for numbers is visible to the reviewer).
    kk_number = models.CharField(_("KK number"), max_length=16)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_grants",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    decision = models.CharField(_("review"), max_length=14, choices=Decision.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        permissions = [
            ("request_breakglassgrant", _("Can request emergency access to a household")),
            ("review_breakglassgrant", _("Can review emergency accesses")),
        ]
        indexes = [
            models.Index(fields=["user", "expires_at"], name="households_breakglass_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – KK {self.kk_number} – {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.household_id is not None and self.expires_at > timezone.now()
