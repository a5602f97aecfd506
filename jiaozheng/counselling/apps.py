from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellingConfig(AppConfig):
    name = "jiaozheng.counselling"
    label = "counselling"
    verbose_name = _("Counselling")

    def ready(self) -> None:
        from jiaozheng.counselling import rules, verbs  # noqa: F401  (registrations)
