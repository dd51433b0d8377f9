from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from dashboards.tasks import recount_after_household_save, recount_city
        from eligibility.hooks import register_after_run
        from households.hooks import register_after_household_save, register_after_import

        register_after_household_save(recount_after_household_save)
        register_after_import(recount_city)
        register_after_run(recount_city)

        from national.hooks import register_after_reconcile, register_after_usulan

        register_after_reconcile(recount_city)  # the DTSEN figures (issue 22)
        register_after_usulan(recount_city)  # the usulan sent and answered (issue 22)
