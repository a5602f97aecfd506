from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "jiaozheng.assessments"
    label = "assessments"
    verbose_name = _("Psychological correction")

    def ready(self) -> None:
        from jiaozheng.assessments import rules, verbs  # noqa: F401  (registrations)
