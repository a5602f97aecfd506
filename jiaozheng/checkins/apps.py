from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "jiaozheng.checkins"
    label = "checkins"
    verbose_name = _("Face check-in")

    def ready(self) -> None:
        from jiaozheng.checkins import rules, verbs  # noqa: F401  (registrations)
