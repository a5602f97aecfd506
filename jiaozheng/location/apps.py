from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LocationConfig(AppConfig):
    name = "jiaozheng.location"
    label = "location"
    verbose_name = _("Location supervision")

    def ready(self) -> None:
        from jiaozheng.location import rules, signals, verbs  # noqa: F401  (registrations)
