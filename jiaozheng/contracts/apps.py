from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "jiaozheng.contracts"
    label = "contracts"
    verbose_name = _("Contracts and funds")

    def ready(self) -> None:
        from jiaozheng.contracts import rules  # noqa: F401  (registers the parameters)
