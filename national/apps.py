from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "national"
    verbose_name = _("National data (DTSEN)")

    def ready(self) -> None:
        from eligibility.hooks import register_after_run
        from households.hooks import register_after_household_save, register_after_import
        from national.tasks import reconcile_after_household_save, reconcile_city

        # The reconciliation follows every registry change (issue 22): one household after
        # its save, the whole city after a ward import or an eligibility run.
        register_after_household_save(reconcile_after_household_save)
        register_after_import(reconcile_city)
        register_after_run(reconcile_city)

        # Visits and usulan (issue 22, second half): the next extract answers sent proposals;
        # the household page shows the family's national status.
        from households.hooks import HouseholdSection, register_household_section
        from national.hooks import register_after_reconcile
        from national.usulan import mark_from_extract

        register_after_reconcile(mark_from_extract)
        register_household_section(HouseholdSection("national/_household_section.html", 30))

        # An upload from the page waits for a worker; left waiting (the broker was down), it
        # is queued again (slrt.dispatch).
        from national.uploads import redispatch_stalled_extracts
        from slrt.dispatch import register_stalled_work

        register_stalled_work(redispatch_stalled_extracts)
