"""The household registry's models: the registry itself and the import batches that fill it."""

from households.models.imports import ImportBatch, ImportIssue
from households.models.moves import MoveRequest
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
    "ImportIssue",
    "Member",
    "MoveRequest",
    "Program",
    "Region",
    "UserProfile",
]
