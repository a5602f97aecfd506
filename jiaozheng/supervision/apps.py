from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jiaozheng.supervision"
    label = "supervision"
    verbose_name = _("Supervision procedures")

    def ready(self) -> None:
        from jiaozheng.supervision import rules  # noqa: F401  (registrations)
