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

from households.roles import ROLE_PERMISSIONS
from households.scope import role_of


class RolePermissionBackend(ModelBackend):
    def get_user_permissions(self, user_obj: User | AnonymousUser, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: User | AnonymousUser, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        role = role_of(user_obj)
        return set(ROLE_PERMISSIONS.get(role, ())) if role else set()
