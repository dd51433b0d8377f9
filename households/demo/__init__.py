"""Synthetic demo registry: households, members, enrolments and one demo user per role.

`DemoGenerator` is pure (a seeded `random.Random`, no ORM): the same household count and
seed always give the same KK numbers, NIKs, names and values. Dates are drawn against the
fixed `REFERENCE_DATE`, not today, for the same reason; only the created/updated
timestamps follow the clock. `seed_demo_registry` writes the rows in one transaction with
PostgreSQL COPY (PERF.md: ~4x bulk_create) or, on SQLite, bulk_create.

  names.py      given names, family names, streets: pure data
  tables.py     weighted draws, shares by decile, date and serial lookup tables
  rows.py       the row columns and the records the generator and the loader share
  generator.py  DemoGenerator: rows from Random(seed), no ORM
  loader.py     seed_demo_registry: COPY or bulk_create, ids, sequences, delete_demo_rows
  users.py      DEMO_USERS and ensure_demo_users
"""

from households.demo.generator import DemoGenerator
from households.demo.loader import seed_demo_registry
from households.demo.rows import (
    ENROLMENT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    KelurahanRef,
    ProgramIds,
)
from households.demo.tables import REFERENCE_DATE
from households.demo.users import DEMO_USERS

__all__ = (
    "DEMO_USERS",
    "ENROLMENT_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "MEMBER_COLUMNS",
    "REFERENCE_DATE",
    "DemoGenerator",
    "KelurahanRef",
    "ProgramIds",
    "seed_demo_registry",
)
