"""Referrals API under /api/v1/: scoped reads, raise and transition through the services the
pages use (STYLE.md section 7)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.api import PersonalDataPermission, ShownRowsMixin
from households.models import Agency
from households.selectors import access_household, access_member
from referrals.filters import ReferralFilter
from referrals.models import Action, NeedCategory, Outcome, Priority, Referral, ReferralEvent
from referrals.selectors import access_referral, visible_referrals
from referrals.services import raise_referral, transition_referral
from slrt.api import WRITE_ERRORS, CodeField, RecordIdField, router, service_error


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", default=None, allow_null=True, read_only=True
    )
    from_agency = serializers.CharField(
        source="from_agency.code", default=None, allow_null=True, read_only=True
    )
    to_agency = serializers.CharField(
        source="to_agency.code", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ReferralEvent
        fields = [
            "id", "action", "from_status", "to_status", "actor", "note", "from_agency",
            "to_agency", "created_at",
        ]  # fmt: skip


class ReferralSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    # Where it was raised (the household's kelurahan then): what the scope and filters use.
    kelurahan_code = serializers.CharField(
        source="origin_kelurahan.code", default=None, allow_null=True, read_only=True
    )
    kecamatan_code = serializers.CharField(
        source="origin_kelurahan.parent.code", default=None, allow_null=True, read_only=True
    )
    origin_user = serializers.CharField(source="origin_user.username", read_only=True)
    assignee = serializers.CharField(
        source="assignee.username", default=None, allow_null=True, read_only=True
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id", "household", "member", "kelurahan_code", "kecamatan_code", "category",
            "description", "priority", "agency", "status", "due_date", "is_overdue",
            "assignee", "outcome", "origin_user", "complaint", "created_at", "submitted_at",
            "accepted_at", "resolved_at", "closed_at",
        ]  # fmt: skip


class ReferralDetailSerializer(ReferralSerializer):
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "events"]


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, default=""
    )
    to_agency = CodeField(queryset=Agency.objects.all(), required=False, allow_null=True)


class RaiseInput(serializers.Serializer):
    household = RecordIdField()
    member = RecordIdField(required=False, allow_null=True)
    category = CodeField(queryset=NeedCategory.objects.filter(is_active=True))
    description = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    agency = CodeField(queryset=Agency.objects.all(), required=False, allow_null=True)
    submit = serializers.BooleanField(default=True)


class ReferralViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals in the caller's scope (agency staff: sent to their agency, never drafts), by
    deadline. Needs referrals.view_referral. A page of the list, and retrieving one (or its
    `events`, through access_referral), are logged as reads of the households. `transition`
    is authorised by the service (receiving agency for agency actions, the origin for submit
    and close); `create` needs referrals.add_referral."""

    permission_classes = [PersonalDataPermission]
    filterset_class = ReferralFilter
    queryset = Referral.objects.none()  # for the permission class; rows come from scope
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Referral]:
        return visible_referrals(self.request.user).select_related(
            "origin_kelurahan__parent", "category", "agency", "origin_user", "assignee"
        )

    def get_serializer_class(self):
        return ReferralDetailSerializer if self.action == "retrieve" else ReferralSerializer

    def get_object(self) -> Referral:
        referral = access_referral(self.request.user, self.kwargs["pk"])  # logs agency reads
        self.check_object_permissions(self.request, referral)
        return referral

    @extend_schema(responses=ReferralEventSerializer(many=True))
    @action(detail=True, pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        referral = self.get_object()
        return Response(ReferralEventSerializer(referral.events.all(), many=True).data)

    @extend_schema(
        request=TransitionInput, responses={200: ReferralDetailSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def transition(self, request, pk=None):
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        referral = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            referral = transition_referral(
                referral=referral, by=request.user, **data.validated_data
            )
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(ReferralDetailSerializer(referral).data)

    @extend_schema(request=RaiseInput, responses={201: ReferralDetailSerializer, **WRITE_ERRORS})
    def create(self, request):
        if not request.user.has_perm("referrals.add_referral"):
            raise exceptions.PermissionDenied
        data = RaiseInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        household = access_household(request.user, fields.pop("household"))
        member_id = fields.pop("member", None)
        member = access_member(request.user, member_id) if member_id else None
        try:
            referral = raise_referral(household=household, member=member, by=request.user, **fields)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(ReferralDetailSerializer(referral).data, status=status.HTTP_201_CREATED)


router.register("referrals", ReferralViewSet, basename="referral")
