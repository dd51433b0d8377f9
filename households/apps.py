from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = _("Household registry")

    def ready(self) -> None:
        from households.imports.services import redispatch_stalled_imports
        from slrt.dispatch import register_stalled_work

        register_stalled_work(redispatch_stalled_imports)

        from households.choices import watch_reference_model
        from households.models import Agency, PmksCategory, Program, Region
        from households.models.registry import SCOPE_STAMP

        for model in (Region, Program, Agency, PmksCategory):
            watch_reference_model(model)

        from django.contrib.auth.models import Group, User

        from households.models import BreakGlassGrant, Enrolment, Household, Member, UserProfile
        from slrt import stamps

        # What households.scope keeps of each user (SCOPE_STAMP): their groups, profile,
        # kelurahan, agency and emergency grants; a deleted user's id may be given again
        # (SQLite). A user's own row is kept under accounts.backends.USERS_STAMP.
        stamps.watch(BreakGlassGrant)
        # The household list's counts (HOUSEHOLD_ROWS_STAMP, households.selectors.kept_count).
        stamps.watch(Household, Member, Enrolment)
        stamps.move_on_changes(
            SCOPE_STAMP,
            Group,
            User.groups.through,
            UserProfile,
            UserProfile.kelurahan.through,
            Agency,
            deleted=(User,),
        )
