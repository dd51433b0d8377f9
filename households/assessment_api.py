"""Needs assessments and PMKS under /api/v1/ (issue 21): scoped reads like the households,
writes through households.assessments, whose services guard the write scope
(STYLE.md section 7)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from households.api import PersonalDataPermission, ShownRowsMixin
from households.assessments import (
    MAX_AMOUNT,
    NOTE_MAX_LENGTH,
    NeedInput,
    classify_person,
    record_assessment,
    registry_suggestions,
)
from households.models import (
    AssessedNeed,
    Assessment,
    Domain,
    Intervention,
    NeedKind,
    PmksCategory,
    PmksClassification,
    Severity,
)
from households.selectors import (
    access_household,
    access_household_to_change,
    access_member,
    shown_rows,
    visible_assessments,
    visible_pmks_classifications,
)
from slrt.api import WRITE_ERRORS, CodeField, RecordIdField, router, service_error


class PmksCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = PmksCategory
        fields = ["id", "number", "code", "name", "name_en", "is_sensitive"]


class PmksClassificationSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="member.household_id", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    ended_by = serializers.CharField(
        source="ended_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = PmksClassification
        fields = [
            "id", "household", "member", "category", "recorded_on", "recorded_by", "note",
            "ended_on", "ended_by", "created_at",
        ]  # fmt: skip


class AssessedNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessedNeed
        fields = [
            "domain", "kind", "member", "present", "severity", "suggested", "intervention",
            "amount", "note",
        ]  # fmt: skip


class AssessmentSerializer(serializers.ModelSerializer):
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)
    needs = AssessedNeedSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id", "household", "version", "assessed_on", "assessed_by", "note", "needs",
            "monthly_income", "person_count", "income_per_capita", "earlier_income_per_capita",
            "earlier_assessed_on", "created_at",
        ]  # fmt: skip


class PmksClassificationFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="member__household_id")
    category = django_filters.CharFilter(field_name="category__code")
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = PmksClassification
        fields = ["member"]


class AssessmentFilter(django_filters.FilterSet):
    class Meta:
        model = Assessment
        fields = ["household"]


class ClassifyInput(serializers.Serializer):
    member = RecordIdField()
    category = CodeField(queryset=PmksCategory.objects.all())
    recorded_on = serializers.DateField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class NeedInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NeedKind.choices)
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, default="")
    severity = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    member = RecordIdField(required=False, allow_null=True, default=None)
    suggested = serializers.BooleanField(required=False, default=False)
    intervention = serializers.ChoiceField(
        choices=Intervention.choices, required=False, allow_blank=True, default=""
    )
    amount = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=MAX_AMOUNT
    )


class AssessInput(serializers.Serializer):
    household = RecordIdField()
    assessed_on = serializers.DateField()
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )
    needs = NeedInputSerializer(many=True, max_length=200)
    monthly_income = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class SuggestionQuery(serializers.Serializer):
    household = RecordIdField()


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    domain = serializers.CharField()
    member = serializers.IntegerField(source="member.pk", default=None, allow_null=True)


class PmksCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The 26 PMKS categories of Permensos 8/2012 (reference data). Any signed-in user; which
    ones may be recorded on a person is the services' rule (sensitive: Dinas Sosial)."""

    queryset = PmksCategory.objects.all()
    serializer_class = PmksCategorySerializer
    pagination_class = None


class PmksClassificationViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """PMKS records of the people in the caller's scope (agency staff: the referred people),
    sensitive categories for Dinas Sosial only. Needs households.view_pmksclassification;
    `create` needs households.add_pmksclassification and the person's kelurahan in the
    caller's write scope."""

    serializer_class = PmksClassificationSerializer
    permission_classes = [PersonalDataPermission]
    filterset_class = PmksClassificationFilter
    queryset = PmksClassification.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PmksClassification]:
        rows = visible_pmks_classifications(self.request.user)
        return rows.select_related("member", "category", "recorded_by", "ended_by").order_by("pk")

    @staticmethod
    def households_shown(row: PmksClassification) -> tuple[int]:
        return (row.member.household_id,)

    @extend_schema(
        request=ClassifyInput, responses={201: PmksClassificationSerializer, **WRITE_ERRORS}
    )
    def create(self, request):
        if not request.user.has_perm("households.add_pmksclassification"):
            raise exceptions.PermissionDenied
        data = ClassifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        member = access_member(request.user, fields.pop("member"))
        try:
            row = classify_person(member=member, by=request.user, **fields)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(PmksClassificationSerializer(row).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Needs assessments of the households in the caller's scope, every version, with their
    needs (agency staff: only through an emergency grant). Needs households.view_assessment;
    `create` (a new version) needs households.add_assessment and the household's kelurahan in
    the caller's write scope, and decides every need the registry suggests."""

    serializer_class = AssessmentSerializer
    permission_classes = [PersonalDataPermission]
    filterset_class = AssessmentFilter
    queryset = Assessment.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Assessment]:
        needs = Prefetch("needs", queryset=AssessedNeed.objects.order_by("pk"))
        rows = visible_assessments(self.request.user).select_related("assessed_by")
        return rows.prefetch_related(needs).order_by("pk")

    @extend_schema(
        parameters=[SuggestionQuery],
        responses={200: SuggestionSerializer(many=True), **WRITE_ERRORS},
    )
    @action(detail=False, pagination_class=None, filterset_class=None)
    def suggestions(self, request):
        """What the registry suggests for a household today: each must be decided (confirmed
        with a severity, or dismissed) in the assessment's needs with `suggested: true`. Needs
        households.add_assessment and the household in the caller's write scope."""
        if not request.user.has_perm("households.add_assessment"):
            raise exceptions.PermissionDenied
        query = SuggestionQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        household = access_household_to_change(request.user, query.validated_data["household"])
        shown_rows(request.user, [household], via="api")  # what the registry says of them
        rows = registry_suggestions(household)
        return Response(SuggestionSerializer(rows, many=True).data)

    @extend_schema(request=AssessInput, responses={201: AssessmentSerializer, **WRITE_ERRORS})
    def create(self, request):
        if not request.user.has_perm("households.add_assessment"):
            raise exceptions.PermissionDenied
        data = AssessInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        household = access_household(request.user, fields.pop("household"))
        needs = []
        for need in fields.pop("needs"):
            need = dict(need)
            needs.append(NeedInput(member_id=need.pop("member"), **need))
        try:
            assessment = record_assessment(
                household=household, needs=needs, by=request.user, **fields
            )
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


router.register("pmks-categories", PmksCategoryViewSet, basename="pmks-category")
router.register("pmks-classifications", PmksClassificationViewSet, basename="pmks-classification")
router.register("assessments", AssessmentViewSet, basename="assessment")
