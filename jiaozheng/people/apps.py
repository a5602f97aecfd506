from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jiaozheng.people"
    label = "people"
    verbose_name = _("Caseload")

    def ready(self) -> None:
        from jiaozheng.people import rules, verbs  # noqa: F401  (registrations)
