from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from referrals.notifications import redispatch_unsent_emails
        from slrt.dispatch import register_stalled_work

        register_stalled_work(redispatch_unsent_emails)

        from households.choices import watch_reference_model
        from referrals.models import NeedCategory

        watch_reference_model(NeedCategory)  # the queue's dropdown of needs

        from referrals.models import Notification, Referral
        from slrt import stamps

        stamps.watch(Referral, Notification)  # the navigation's counts (NAVIGATION_STAMP)

        from households.hooks import (
            AgencyReach,
            HouseholdSection,
            register_agency_reach,
            register_household_section,
        )
        from referrals.selectors import referred_household_ids, referred_members

        # Agency staff reach the households and people referred to their agency, and the
        # household page lists its referrals: households itself names no referral.
        register_agency_reach(AgencyReach(referred_household_ids, referred_members))
        register_household_section(HouseholdSection("referrals/_household_section.html", 20))
        # The family's plan (issue 21): goals and interventions across agencies.
        register_household_section(HouseholdSection("referrals/_household_plan_section.html", 25))
