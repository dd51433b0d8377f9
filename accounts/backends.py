"""Permissions from the role table, not from permission rows (issues 16 and 17).

households.roles.ROLE_PERMISSIONS says what each role may do; the role groups' permission rows
are loaded from it (load_reference_data) for the admin to show. Django's ModelBackend would read
those rows back with two queries on every request that checks a permission (the user's own
permissions, then the groups'): measured among the fixed cost of each page. This backend answers
from the table through the user's role, which the scope reads anyway (one query for the groups,
kept on the user for the request). A permission given to one user, or added to a group by hand
in the admin, grants nothing: a role's rights are changed in the table, where the README's role
table and the write-scope matrix read them.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, User
from django.db import DEFAULT_DB_ALIAS

from households.roles import ROLE_PERMISSIONS
from households.scope import role_of
from slrt import stamps

# The stamp of each process's copy of the users' rows (RolePermissionBackend.get_user): every
# save and delete of a user moves it (AccountsConfig.ready()), a login too (last_login).
USERS_STAMP = stamps.register("accounts:users")
_rows: dict[int, list] = {}
_rows_under: str | None = None
KEPT = 5000  # users; emptied when full


class RolePermissionBackend(ModelBackend):
    def get_user(self, user_id) -> User | None:
        """The session's user from this process's copy of their row (issue 17).

        Django read the user's row on every request: one PostgreSQL round trip a page, 10 % of
        the household list's samples under gunicorn + wrk (bench_load.py, 300,000
        households, py-spy on a worker, 2026-12-06) once the session, the scope and the count
        were kept. The row's values are kept per process under USERS_STAMP, which every save
        and delete of a user moves (a deactivation, a new password, a login's last_login,
        in the admin or anywhere), read with the request's other stamps: a change shows on the
        next request in every process. Each request gets a new User built from the values,
        so nothing one request sets on its user reaches another. Raw SQL or a queryset's
        update() of auth_user must call stamps.move(USERS_STAMP)."""
        global _rows_under
        stamp = stamps.current(USERS_STAMP)
        if stamp != _rows_under:
            _rows.clear()
            _rows_under = stamp
        row = _rows.get(user_id)
        if row is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            if len(_rows) >= KEPT:
                _rows.clear()
            _rows[user_id] = [getattr(user, f.attname) for f in User._meta.concrete_fields]
            return user
        user = User.from_db(DEFAULT_DB_ALIAS, None, row)
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: User | AnonymousUser, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: User | AnonymousUser, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        role = role_of(user_obj)
        return set(ROLE_PERMISSIONS.get(role, ())) if role else set()
