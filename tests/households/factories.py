"""One factory per registry model, valid by default (Faker id_ID names)."""

import datetime
import itertools

import factory
from django.contrib.auth.models import Group, User

from households.models import Agency, Enrolment, Household, Member, Program, Region, UserProfile
from households.reference import name_key

_serial = itertools.count(1)


def make_nik(*, birth: datetime.date, female: bool = False, region: str = "327501") -> str:
    """A structurally valid NIK with a fresh serial."""
    day = birth.day + 40 if female else birth.day
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{next(_serial) % 9999 + 1:04d}"


def make_kk(region: str = "327501") -> str:
    serial = next(_serial)
    day, month, year = serial % 28 + 1, (serial // 28) % 12 + 1, serial % 100
    return f"{region}{day:02d}{month:02d}{year:02d}{serial % 9999 + 1:04d}"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"32.75.{n % 12 + 1:02d}.{2000 + n}")
    name = factory.Sequence(lambda n: f"Kelurahan Uji {n}")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    level = Region.Level.KELURAHAN
    parent = factory.LazyAttribute(
        lambda o: Region.objects.get_or_create(
            code=o.code.rsplit(".", 1)[0],
            defaults={"name": "Kecamatan Uji", "name_key": "KECAMATANUJI", "level": "kecamatan"},
        )[0]
    )


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.LazyAttribute(lambda o: o.name)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ["code"]

    code = "pkh"
    name = "PKH"
    level = Program.Level.HOUSEHOLD


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    password = factory.PostGenerationMethodCall("set_password", "test-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household without members; use `household_with_members` for a complete family."""

    class Meta:
        model = Household

    kk_number = factory.LazyFunction(make_kk)
    kelurahan = factory.SubFactory(RegionFactory)
    address = factory.Faker("street_address", locale="id_ID")
    rt = "001"
    rw = "002"
    source = Household.Source.FORM
    monthly_income = 2_500_000
    welfare_decile = 3


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    birth_date = datetime.date(1985, 8, 17)
    sex = Member.Sex.MALE
    nik = factory.LazyAttribute(
        lambda o: make_nik(birth=o.birth_date, female=o.sex == Member.Sex.FEMALE)
    )
    name = factory.Faker("name", locale="id_ID")
    relationship = Member.Relationship.CHILD


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    program = factory.SubFactory(ProgramFactory)
    household = factory.SubFactory(HouseholdFactory)
    start_date = datetime.date(2025, 1, 1)


def household_with_members(kelurahan: Region, *, size: int = 3, **kwargs) -> Household:
    """A household with a head and `size - 1` other members, summaries kept as services do."""
    from households.services import build_search_text

    household = HouseholdFactory(kelurahan=kelurahan, **kwargs)
    members = [MemberFactory(household=household, relationship=Member.Relationship.HEAD)]
    members += [
        MemberFactory(
            household=household, sex=Member.Sex.FEMALE, birth_date=datetime.date(2010, 3, 5)
        )
        for _ in range(size - 1)
    ]
    household.head_name = members[0].name
    household.member_count = len(members)
    household.search_text = build_search_text(household, members)
    household.save()
    return household


def persona(role: str, *, kelurahan=(), agency_code: str | None = None, **kwargs) -> User:
    """A user of one role (DESIGN.md), with the kelurahan or agency that role works in."""
    user = UserFactory(role=role, **kwargs)
    profile = UserProfileFactory(
        user=user, agency=Agency.objects.get(code=agency_code) if agency_code else None
    )
    profile.kelurahan.set(kelurahan)
    return user
