from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self) -> None:
        from eligibility.tasks import enqueue_household_evaluation, enqueue_run_after_import
        from households.hooks import register_after_household_save, register_after_import

        register_after_household_save(enqueue_household_evaluation)
        register_after_import(enqueue_run_after_import)

        from eligibility.services import redispatch_stalled_runs
        from slrt.dispatch import register_stalled_work

        register_stalled_work(redispatch_stalled_runs)

        from eligibility.models import DismissalReason, Rule, RuleSet
        from households.choices import watch_reference_model

        # The active program criteria are read from the process copy (selectors.program_criteria)
        # and so are the rules a receipt expands and the standard reasons (issue 20).
        for model in (Rule, RuleSet, DismissalReason):
            watch_reference_model(model)

        from households.hooks import HouseholdSection, register_household_section

        # The findings card on the household page (households names no eligibility URL).
        register_household_section(HouseholdSection("eligibility/_household_section.html", 10))
        # Graduation (issue 21 part 4): its state and "propose graduation".
        register_household_section(HouseholdSection("eligibility/_graduation_section.html", 40))

        from eligibility.selectors import unfit_houses
        from households.needs import UNFIT_HOUSE, register_household_condition

        # A needs assessment suggests an unfit house by the Rutilahu criteria (issue 21).
        register_household_condition(UNFIT_HOUSE, unfit_houses)
