"""Marks shared by test modules."""

import pytest

from slrt.db import is_postgresql

postgresql_only = pytest.mark.skipif(
    not is_postgresql(),
    reason="needs PostgreSQL (row locks between connections, pg_dump, pg_terminate_backend)",
)
