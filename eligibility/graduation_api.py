"""Graduations under /api/v1/eligibility/graduations/ (issue 21 part 4): scoped reads, logged
like the pages; propose and decide as actions calling eligibility.graduation's services."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from eligibility.graduation import decide_graduation, propose_graduation
from eligibility.models import Graduation, Relapse
from eligibility.selectors import visible_graduations
from households.api import PersonalDataPermission, ShownRowsMixin
from households.selectors import access_household_to_change
from slrt.api import WRITE_ERRORS, RecordIdField, router


class RelapseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relapse
        fields = ["detected_at", "why", "values"]


class GraduationSerializer(serializers.ModelSerializer):
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    relapse = RelapseSerializer(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Graduation
        fields = [
            "id", "household", "kind", "status", "evidence", "proposed_by", "created_at",
            "rule_set_version", "criteria_met", "criteria", "decided_by", "decided_at",
            "decision_note", "relapse",
        ]  # fmt: skip


class ProposeInput(serializers.Serializer):
    household = RecordIdField()
    kind = serializers.ChoiceField(choices=Graduation.Kind.choices)
    evidence = serializers.CharField(max_length=2000)


class DecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "reject"])
    note = serializers.CharField(max_length=2000)


class GraduationViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Graduations of the households in the caller's scope (eligibility.view_graduation),
    scoped exactly like households. `propose` needs eligibility.propose_graduation and the
    household in the caller's write scope; `decide` needs eligibility.decide_graduation."""

    serializer_class = GraduationSerializer
    permission_classes = [PersonalDataPermission]
    filterset_fields = ["household", "status", "kind"]

    def get_queryset(self):
        return (
            visible_graduations(self.request.user)
            .select_related("proposed_by", "decided_by", "relapse")
            .order_by("pk")
        )

    @extend_schema(request=ProposeInput, responses={201: GraduationSerializer, **WRITE_ERRORS})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def propose(self, request):
        """Propose a family's graduation with evidence."""
        if not request.user.has_perm("eligibility.propose_graduation"):
            raise PermissionDenied
        data = ProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        household = access_household_to_change(request.user, fields.pop("household"))
        graduation = propose_graduation(household=household, by=request.user, **fields)
        return Response(GraduationSerializer(graduation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideInput, responses={200: GraduationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def decide(self, request, pk=None):
        """Confirm (ending the family's enrolments, reason "graduasi") or reject."""
        if not request.user.has_perm("eligibility.decide_graduation"):
            raise PermissionDenied
        data = DecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        graduation = self.get_object()
        done = decide_graduation(
            graduation=graduation,
            confirm=data.validated_data["decision"] == "confirm",
            note=data.validated_data["note"],
            by=request.user,
        )
        return Response(GraduationSerializer(done).data)


router.register("eligibility/graduations", GraduationViewSet, basename="eligibility-graduation")
