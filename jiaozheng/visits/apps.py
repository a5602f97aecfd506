from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "jiaozheng.visits"
    label = "visits"
    verbose_name = _("Visits and investigations")

    def ready(self) -> None:
        from jiaozheng.visits import rules, verbs  # noqa: F401  (registrations)
