from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class EducationConfig(AppConfig):
    name = "jiaozheng.education"
    label = "education"
    verbose_name = pgettext_lazy("education", "Education")

    def ready(self) -> None:
        from jiaozheng.education import rules, verbs  # noqa: F401  (registrations)
