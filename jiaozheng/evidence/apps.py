from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "jiaozheng.evidence"
    label = "evidence"
    verbose_name = _("Monthly hand-over and evidence")

    def ready(self) -> None:
        from jiaozheng.evidence import rules  # noqa: F401  (registrations)
