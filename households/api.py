"""Registry API under /api/v1/: scoped read-only viewsets (STYLE.md section 7)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from households.filters import HouseholdFilter
from households.identifiers import shown_identifier
from households.models import Agency, Enrolment, Household, Member, Program, Region
from households.scope import scope_for
from households.selectors import households_of, shown_rows, visible_households, visible_members
from households.services import MEMBER_FIELDS
from slrt.api import ModelPermission, router


class PersonalDataPermission(ModelPermission):
    """The model's view permission for every request, POST included, and personal data in
    scope: aggregate-only roles get 403. A POST is an action that checks its own permission
    or whose service authorises it (eligibility's review, referrals' raise and transition)."""

    perms_map = {**ModelPermission.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}

    def has_permission(self, request, view):
        return super().has_permission(request, view) and scope_for(request.user).personal_data


class ShownRowsMixin:
    """A read-only viewset of personal data: the rows a list page answers, and the one record
    a detail answers, are logged through households.selectors.shown_rows (via "api"). Lists are
    always paginated (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS), so a page is one insert."""

    # The households a row tells about (selectors.households_of); a viewset of rows that
    # reach their household another way says so here.
    households_shown = staticmethod(households_of)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return shown_rows(self.request.user, page, via="api", households=self.households_shown)

    def get_object(self):
        row = super().get_object()
        return shown_rows(self.request.user, [row], via="api", households=self.households_shown)[0]


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent_code", "bps_code", "bps_name"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "short_name", "receives_referrals"]


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "code", "name", "description", "level", "is_active"]


class IdentifierField(serializers.CharField):
    """A NIK or KK through households.identifiers: masked in list endpoints, whole in a
    detail (retrieve) for the roles that see numbers whole. Read-only."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        request = self.context.get("request")
        view = self.context.get("view")
        whole = getattr(view, "action", None) == "retrieve"
        user = getattr(request, "user", None) or AnonymousUser()
        return shown_identifier(value, user, whole=whole)


class MemberSerializer(serializers.ModelSerializer):
    nik = IdentifierField()

    class Meta:
        model = Member
        fields = ["id", "household", *MEMBER_FIELDS, "nik_warnings"]


class EnrolmentSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "program", "member", "status", "start_date", "end_date"]


class HouseholdSerializer(serializers.ModelSerializer):
    kk_number = IdentifierField()
    kelurahan_code = serializers.CharField(source="kelurahan.code", read_only=True)
    kecamatan_code = serializers.CharField(source="kelurahan.parent.code", read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    enrolments = EnrolmentSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        # Listed, not excluded (issue 16): a field added to the model is published only when
        # someone adds it here.
        fields = [
            "id", "kk_number", "kelurahan", "kelurahan_code", "kecamatan_code", "address",
            "rt", "rw", "latitude", "longitude", "location_recorded_at", "house_ownership",
            "floor_area", "floor_material", "wall_material", "roof_material", "water_source",
            "sanitation", "cooking_fuel", "lighting", "electricity_va", "car_count",
            "motorcycle_count", "has_refrigerator", "has_air_conditioner", "has_gold",
            "owns_other_house", "land_area", "monthly_income", "monthly_expenditure",
            "welfare_decile", "verification_status", "source", "consent", "head_name",
            "member_count", "version", "members", "enrolments", "created_at", "updated_at",
        ]  # fmt: skip

    def to_representation(self, household: Household) -> dict:
        data = super().to_representation(household)
        request = self.context.get("request")
        if request is not None and scope_for(request.user).needs_to_know(household.pk):
            data = {name: value for name, value in data.items() if name in NEED_TO_KNOW_FIELDS}
        return data


# What an agency officer reads of a family referred to them (issue 16): where it lives, how
# many it is, and the referred people (the members relation is prefetched from
# visible_members); not its means, programs or findings.
NEED_TO_KNOW_FIELDS = frozenset(
    {
        "id", "kk_number", "kelurahan", "kelurahan_code", "kecamatan_code", "address", "rt",
        "rw", "member_count", "members",
    }
)  # fmt: skip


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Kota, kecamatan and kelurahan with Kemendagri and BPS codes. Any signed-in user."""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """City agencies. Any signed-in user."""

    queryset = Agency.objects.all()
    serializer_class = AgencySerializer


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Aid programs. Any signed-in user."""

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer


class HouseholdViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Households in the caller's scope, members nested. Needs households.view_household."""

    serializer_class = HouseholdSerializer
    permission_classes = [ModelPermission]
    filterset_class = HouseholdFilter
    queryset = Household.objects.none()  # for the permission class; rows come from scope

    def get_queryset(self):
        members = Prefetch("members", queryset=visible_members(self.request.user).order_by("pk"))
        return (
            visible_households(self.request.user)
            .select_related("kelurahan__parent")
            .prefetch_related(members, "enrolments__program")
        )


class MemberViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Members of households in the caller's scope. Needs households.view_member."""

    serializer_class = MemberSerializer
    permission_classes = [ModelPermission]
    queryset = Member.objects.none()
    filterset_fields = ["household", "sex", "relationship"]

    def get_queryset(self):
        return visible_members(self.request.user).order_by("pk")


router.register("regions", RegionViewSet, basename="region")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("programs", ProgramViewSet, basename="program")
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
