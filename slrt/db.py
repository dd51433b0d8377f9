"""The one check of the database vendor, behind which PostgreSQL fast paths sit."""

from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"
