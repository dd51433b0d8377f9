"""The family's plans under /api/v1/ (issue 21): scoped reads like the households (agency staff:
the plans and interventions referred to their agency only), writes through referrals.plans,
whose services guard the write scope (STYLE.md section 7)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.api import PersonalDataPermission, ShownRowsMixin
from households.models import Agency, Household, Member, Program
from households.scope import scope_for
from households.selectors import access_household
from referrals.models import (
    FollowUpVisit,
    NeedCategory,
    Plan,
    PlanGoal,
    PlanIntervention,
    Priority,
    Progress,
)
from referrals.plans import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, add_intervention, create_plan
from referrals.plans import set_intervention_progress as set_progress
from referrals.selectors import access_plan, visible_plan_interventions, visible_plans
from slrt.api import WRITE_ERRORS, CodeField, RecordIdField, router, service_error


class PlanPermission(PersonalDataPermission):
    """referrals.view_plan for plans and their interventions alike (one permission reads the
    whole plan; which interventions is the selectors' need-to-know)."""

    def get_required_permissions(self, method, model_cls):
        return ["referrals.view_plan"]


class PlanGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "text", "need"]


class FollowUpVisitSerializer(serializers.ModelSerializer):
    visited_by = serializers.CharField(source="visited_by.username", read_only=True)

    class Meta:
        model = FollowUpVisit
        fields = ["id", "visited_on", "location", "notes", "assessment", "visited_by"]


class PlanSerializer(serializers.ModelSerializer):
    made_by = serializers.CharField(source="made_by.username", read_only=True)
    goals = serializers.SerializerMethodField()
    visits = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id", "household", "made_on", "made_by", "agreed_by", "agreed_on", "note",
            "closed_on", "goals", "visits", "created_at",
        ]  # fmt: skip

    def _whole(self, plan: Plan) -> bool:
        """Agency staff (need-to-know) read their interventions, not the family's goals and
        visits."""
        request = self.context.get("request")
        return request is None or not scope_for(request.user).needs_to_know(plan.household_id)

    @extend_schema_field(PlanGoalSerializer(many=True))
    def get_goals(self, plan: Plan) -> list:
        return PlanGoalSerializer(plan.goals.all(), many=True).data if self._whole(plan) else []

    @extend_schema_field(FollowUpVisitSerializer(many=True))
    def get_visits(self, plan: Plan) -> list:
        if not self._whole(plan):
            return []
        visits = plan.visits.select_related("visited_by")
        return FollowUpVisitSerializer(visits, many=True).data


class PlanInterventionSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="plan.household_id", read_only=True)
    progress = serializers.ChoiceField(choices=Progress.choices, read_only=True)
    agency = serializers.SerializerMethodField()
    program = serializers.CharField(
        source="program.code", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = PlanIntervention
        fields = [
            "id", "plan", "household", "goal", "kind", "description", "target_date",
            "progress", "referral", "program", "agency", "created_at",
        ]  # fmt: skip

    def get_agency(self, row: PlanIntervention) -> str | None:
        agency = row.agency_shown
        return agency.code if agency is not None else None


class PlanFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull")

    class Meta:
        model = Plan
        fields = ["household"]


class PlanInterventionFilter(django_filters.FilterSet):
    # A choice of a household (not a bare number): a value out of range is a 400, not a 500.
    household = django_filters.ModelChoiceFilter(
        field_name="plan__household", queryset=Household.objects.all()
    )

    class Meta:
        model = PlanIntervention
        fields = ["plan", "kind"]


class PlanInput(serializers.Serializer):
    household = RecordIdField()
    made_on = serializers.DateField()
    agreed_by = RecordIdField(required=False, allow_null=True, default=None)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class InterventionInput(serializers.Serializer):
    plan = RecordIdField()
    kind = serializers.ChoiceField(choices=PlanIntervention.Kind.choices)
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    target_date = serializers.DateField()
    goal = RecordIdField(required=False, allow_null=True, default=None)
    category = CodeField(
        queryset=NeedCategory.objects.filter(is_active=True), required=False, allow_null=True
    )
    member = RecordIdField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    program = CodeField(
        queryset=Program.objects.filter(is_active=True), required=False, allow_null=True
    )
    agency = CodeField(queryset=Agency.objects.all(), required=False, allow_null=True)


class ProgressInput(serializers.Serializer):
    progress = serializers.ChoiceField(choices=Progress.choices)


class PlanViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Family plans of the households in the caller's scope, with their goals and follow-up
    visits (agency staff: the plans with an intervention referred to their agency, without the
    family's goals and visits). Needs referrals.view_plan; `create` needs referrals.add_plan
    and the household's kelurahan in the caller's write scope."""

    serializer_class = PlanSerializer
    permission_classes = [PlanPermission]
    filterset_class = PlanFilter
    queryset = Plan.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Plan]:
        rows = visible_plans(self.request.user).select_related("made_by")
        return rows.prefetch_related("goals").order_by("pk")

    @extend_schema(request=PlanInput, responses={201: PlanSerializer, **WRITE_ERRORS})
    def create(self, request):
        if not request.user.has_perm("referrals.add_plan"):
            raise exceptions.PermissionDenied
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        household = access_household(request.user, fields.pop("household"))
        agreed_by = fields.pop("agreed_by")
        member = None
        if agreed_by is not None:
            member = Member.objects.filter(household=household, pk=agreed_by).first()
            if member is None:
                raise exceptions.ValidationError({"agreed_by": [_member_error()]})
        try:
            plan = create_plan(household=household, agreed_by=member, by=request.user, **fields)
        except DjangoValidationError as error:
            raise service_error(error) from error
        context = self.get_serializer_context()
        return Response(PlanSerializer(plan, context=context).data, status=status.HTTP_201_CREATED)


def _member_error() -> str:
    return gettext("Choose a member of this family.")


class PlanInterventionViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """The interventions of the plans in the caller's scope, with where each stands (a
    referral's from its referral); agency staff see only those referred to their agency.
    Needs referrals.view_plan; `create` and `progress` need referrals.change_plan and the
    household's kelurahan in the caller's write scope. A referral's intervention is raised as a
    referral to the category's agency."""

    serializer_class = PlanInterventionSerializer
    permission_classes = [PlanPermission]
    filterset_class = PlanInterventionFilter
    queryset = PlanIntervention.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PlanIntervention]:
        rows = visible_plan_interventions(self.request.user)
        return rows.select_related("plan", "referral__agency", "program", "agency").order_by("pk")

    @staticmethod
    def households_shown(row: PlanIntervention) -> tuple[int]:
        return (row.plan.household_id,)

    @extend_schema(
        request=InterventionInput, responses={201: PlanInterventionSerializer, **WRITE_ERRORS}
    )
    def create(self, request):
        if not request.user.has_perm("referrals.change_plan"):
            raise exceptions.PermissionDenied
        data = InterventionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        plan = access_plan(request.user, fields.pop("plan"))
        goal_id, member_id = fields.pop("goal"), fields.pop("member")
        goal = get_object_or_404(PlanGoal, plan=plan, pk=goal_id) if goal_id else None
        member = None
        if member_id is not None:
            member = Member.objects.filter(household_id=plan.household_id, pk=member_id).first()
            if member is None:
                raise exceptions.ValidationError({"member": [_member_error()]})
        try:
            row = add_intervention(plan=plan, goal=goal, member=member, by=request.user, **fields)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(PlanInterventionSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProgressInput, responses={200: PlanInterventionSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def progress(self, request, pk=None):
        """The progress of a program proposal or an own action (a referral's step follows its
        referral)."""
        if not request.user.has_perm("referrals.change_plan"):
            raise exceptions.PermissionDenied
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            row = set_progress(intervention=row, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(PlanInterventionSerializer(row).data)


router.register("plans", PlanViewSet, basename="plan")
router.register("plan-interventions", PlanInterventionViewSet, basename="plan-intervention")
