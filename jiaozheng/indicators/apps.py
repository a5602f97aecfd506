from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jiaozheng.indicators"
    label = "indicators"
    verbose_name = _("Indicators and reports")

    def ready(self) -> None:
        from jiaozheng.indicators import rules  # noqa: F401  (registers the parameters)
