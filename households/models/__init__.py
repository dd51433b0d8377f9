"""The household registry's models: the registry itself and the import batches that fill it."""

from households.models.assessments import (
    AssessedNeed,
    Assessment,
    Domain,
    Intervention,
    NeedKind,
    Severity,
)
from households.models.imports import ImportBatch, ImportFamily, ImportIssue
from households.models.moves import MoveRequest
from households.models.pmks import PmksCategory, PmksClassification
from households.models.registry import (
    AccessRecord,
    Agency,
    BreakGlassGrant,
    ChangeRecord,
    Enrolment,
    ExistenceAnswer,
    ExportRecord,
    Household,
    HouseholdQuerySet,
    Member,
    Program,
    Region,
    UserProfile,
)

__all__ = [
    "AssessedNeed",
    "Assessment",
    "Domain",
    "Intervention",
    "NeedKind",
    "PmksCategory",
    "PmksClassification",
    "Severity",
    "AccessRecord",
    "Agency",
    "BreakGlassGrant",
    "ChangeRecord",
    "Enrolment",
    "ExistenceAnswer",
    "ExportRecord",
    "Household",
    "HouseholdQuerySet",
    "ImportBatch",
    "ImportFamily",
    "ImportIssue",
    "Member",
    "MoveRequest",
    "Program",
    "Region",
    "UserProfile",
]
