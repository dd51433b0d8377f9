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
