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

        for model in (Region, Program, Agency, PmksCategory):
            watch_reference_model(model)
