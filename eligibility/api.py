"""Eligibility API under /api/v1/: scoped reads, review as an action (STYLE.md section 7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from eligibility.filters import CaseFilter
from eligibility.models import CaseDecision, Consequence, Flag, ReviewDecision, Rule, RuleSet, Run
from eligibility.selectors import (
    rule_sets,
    rules,
    visible_cases,
    visible_decisions,
    visible_flags,
    visible_runs,
    with_case_details,
)
from eligibility.services import review_flags
from households.api import IdentifierField, PersonalDataPermission, ShownRowsMixin
from households.models import Enrolment, Household
from slrt.api import WRITE_ERRORS, RecordIdField, router


class RuleSerializer(serializers.ModelSerializer):
    rule_set_version = serializers.IntegerField(source="rule_set.version", read_only=True)

    class Meta:
        model = Rule
        fields = [
            "id", "code", "version", "rule_set", "rule_set_version", "name_id", "name_en",
            "kind", "condition", "message", "message_en", "severity",
        ]  # fmt: skip


class RuleSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleSet
        fields = [
            "id", "version", "status", "note", "reason", "activated_at", "discarded_at",
            "created_at",
        ]  # fmt: skip


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = ["id", "rule_set", "status", "started_at", "finished_at", "duration_ms", "counts"]


class FlagSerializer(serializers.ModelSerializer):
    rule_version = serializers.IntegerField(source="rule.version", read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id", "household", "rule", "rule_code", "rule_version", "status", "values",
            "decision", "resolved_at", "created_at", "updated_at",
        ]  # fmt: skip


class ReviewDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = ReviewDecision
        fields = ["id", "flag", "decision", "reason", "decided_by", "created_at"]


class ReviewInput(serializers.Serializer):
    flags = serializers.ListField(child=RecordIdField(), min_length=1)
    decision = serializers.ChoiceField(choices=["confirmed", "dismissed"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CaseFindingSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "rule_code", "rule_name", "status", "decision", "values", "created_at"]


class ConsequenceSerializer(serializers.ModelSerializer):
    enrolment = serializers.IntegerField(source="enrolment_id", read_only=True)
    program = serializers.CharField(source="enrolment.program.code", read_only=True)

    class Meta:
        model = Consequence
        fields = ["enrolment", "program", "outcome"]


class CaseDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)
    consequences = ConsequenceSerializer(many=True, read_only=True)

    class Meta:
        model = CaseDecision
        fields = ["id", "decided_by", "created_at", "note", "consequences"]


class CaseProgramSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code", read_only=True)
    removal_recommended = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ["id", "program", "status", "removal_recommended", "removal_recommended_at"]

    def get_removal_recommended(self, enrolment: Enrolment) -> bool:
        return enrolment.removal_recommended_at is not None


class CaseSerializer(serializers.ModelSerializer):
    """A household's review case: its findings, the decisions and their consequences."""

    household = serializers.IntegerField(source="pk", read_only=True)
    kk_number = IdentifierField()
    kelurahan_code = serializers.CharField(source="kelurahan.code", read_only=True)
    status = serializers.SerializerMethodField()
    open_findings = serializers.IntegerField(source="open_count", read_only=True)
    findings = CaseFindingSerializer(many=True, read_only=True)
    decisions = CaseDecisionSerializer(many=True, read_only=True)
    programs = CaseProgramSerializer(source="active_enrolments", many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "household", "kk_number", "head_name", "kelurahan", "kelurahan_code", "status",
            "open_findings", "findings", "decisions", "programs",
        ]  # fmt: skip

    def get_status(self, household: Household) -> str:
        """ "open" while a finding waits for a decision, else "decided"."""
        return "open" if household.open_count else "decided"


class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    """Rules of every rule set version. Needs eligibility.view_rule."""

    queryset = rules()
    serializer_class = RuleSerializer
    permission_classes = [PersonalDataPermission]
    filterset_fields = ["rule_set", "code", "kind"]


class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Rule set versions (draft, active, retired). Needs eligibility.view_ruleset."""

    queryset = rule_sets()
    serializer_class = RuleSetSerializer
    permission_classes = [PersonalDataPermission]
    filterset_fields = ["status"]


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Complete eligibility runs with counts per rule. Needs eligibility.view_run."""

    serializer_class = RunSerializer
    permission_classes = [PersonalDataPermission]

    def get_queryset(self):
        return visible_runs(self.request.user)


class FlagViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Flags of households in the caller's scope (eligibility.view_flag), their reads logged as
    the flag pages' are; `review` needs eligibility.review_flag."""

    serializer_class = FlagSerializer
    permission_classes = [PersonalDataPermission]
    filterset_fields = ["rule_code", "status", "decision", "household"]

    def get_queryset(self):
        return visible_flags(self.request.user).order_by("pk")

    @extend_schema(request=ReviewInput, responses={200: FlagSerializer(many=True), **WRITE_ERRORS})
    # No filters and no pages: the body names the flags and the answer lists them all. Without
    # these two the schema inherited the list's query parameters and a paginated answer.
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def review(self, request):
        """Confirm or dismiss flags (a reason is needed to dismiss): the reviewed flags, or 404
        if any of them is not in the caller's scope. Needs eligibility.review_flag."""
        if not request.user.has_perm("eligibility.review_flag"):
            raise PermissionDenied
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        flags = list(self.get_queryset().filter(pk__in=data.validated_data["flags"]))
        if len(flags) != len(set(data.validated_data["flags"])):
            raise NotFound
        done = review_flags(
            flags=flags,
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
            by=request.user,
        )
        return Response(FlagSerializer(done, many=True).data)


class ReviewDecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """The history of decisions on flags in scope. Needs eligibility.view_reviewdecision."""

    serializer_class = ReviewDecisionSerializer
    permission_classes = [PersonalDataPermission]

    def get_queryset(self):
        return visible_decisions(self.request.user).order_by("-created_at", "-pk")


class CaseViewSet(ShownRowsMixin, viewsets.ReadOnlyModelViewSet):
    """Review cases (issue 20): one row per household in the caller's scope with open or
    decided findings, each with its findings, decisions and consequences. Filters: `rule`,
    `receives_aid` (`any`, `none` or a program code), `kelurahan`, `status` (`open`,
    `decided`). Needs households.view_household and eligibility.view_flag."""

    serializer_class = CaseSerializer
    permission_classes = [PersonalDataPermission]
    filterset_class = CaseFilter
    queryset = Household.objects.none()  # for the permission class; rows come from scope

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("eligibility.view_flag"):
            raise PermissionDenied

    def get_queryset(self):
        return with_case_details(visible_cases(self.request.user)).order_by("pk")


router.register("eligibility/cases", CaseViewSet, basename="eligibility-case")
router.register("eligibility/rules", RuleViewSet, basename="eligibility-rule")
router.register("eligibility/rule-sets", RuleSetViewSet, basename="eligibility-ruleset")
router.register("eligibility/runs", RunViewSet, basename="eligibility-run")
router.register("eligibility/flags", FlagViewSet, basename="eligibility-flag")
router.register(
    "eligibility/review-decisions", ReviewDecisionViewSet, basename="eligibility-decision"
)

import eligibility.graduation_api  # noqa: E402, F401  (registers the graduations' viewset)
