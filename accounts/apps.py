from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        from django.contrib.auth.models import User

        from accounts import signals  # noqa: F401  (connects the receivers)
        from accounts.backends import USERS_STAMP
        from slrt import stamps

        # The users' rows kept per process (RolePermissionBackend.get_user).
        stamps.move_on_changes(USERS_STAMP, User)
